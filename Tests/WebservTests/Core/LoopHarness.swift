import Foundation
import Glibc
import ConfLang
@testable import webserv

/// An event loop driven in-process: clients are one end of a socketpair whose
/// other end the loop adopts as a connection, time is a number the test moves,
/// and the loop turns only when the test says so. No binary, no real clock.
final class LoopHarness {
    let directory: String
    let loop: EventLoop
    let address: Values.ListenAddress
    var time = 1_000_000

    /// `config` may use `DIR` (a temp directory holding `files`) and `PORT`
    /// (a port this process holds and hands to the loop: see `reservedPort`).
    /// `inherited`: more sockets handed to the loop (bound by the test to addresses of its choosing).
    init(config: String, files: [String: [UInt8]] = [:], inherited: [Int32] = []) throws {
        directory = NSTemporaryDirectory() + "webserv-loop-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        for (name, content) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content).write(to: URL(fileURLWithPath: path))
        }
        let reserved = ServerProcess.boundLoopbackSocket(anyAddress: !config.contains("127.0.0.1:PORT"))
        let text = config.replacingOccurrences(of: "DIR", with: directory)
            .replacingOccurrences(of: "PORT", with: String(reserved.port))
        let path = directory + "/webserv.conf"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        guard case .success(let (model, _)) = ModelBuilder.build(path: path) else {
            throw NSError(domain: "LoopHarness", code: 1, userInfo: [NSLocalizedDescriptionKey: "invalid configuration"])
        }
        // The loop blocks the signals it reads from a signalfd; in a test
        // process that mask would be inherited by every child started later
        // (an upstream that then ignores SIGTERM), so it is put back.
        var previous = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &previous)
        loop = try EventLoop(config: model, configPath: path)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        _ = loop.inheritedSockets.add(reserved.fd)
        for fd in inherited { _ = loop.inheritedSockets.add(fd) }
        if let problem = loop.apply(model) {
            throw NSError(domain: "LoopHarness", code: 2, userInfo: [NSLocalizedDescriptionKey: problem])
        }
        address = model.listenAddresses[0]
        loop.clock = { [unowned self] in self.time }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A port on 127.0.0.1 for a configuration applied later: bound here and
    /// handed to the loop as an inherited socket, so that no other process
    /// can take it before the loop listens (a port freed for the loop to bind could be).
    func reservedPort() -> Int {
        let (fd, port) = ServerProcess.boundLoopbackSocket()
        _ = loop.inheritedSockets.add(fd)
        return port
    }

    /// A new client: the returned descriptor is the client's end.
    func connect() -> (client: Int32, connection: Connection) {
        var ends: [Int32] = [0, 0]
        precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
        let listener = loop.acceptor.listeners.values.first { $0.address == address }!
        let connection = loop.acceptor.adopt(ends[1], listener: listener, peer: ("127.0.0.1", 40000))!
        return (ends[0], connection)
    }

    func send(_ client: Int32, _ text: String) { send(client, Array(text.utf8)) }

    func send(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(client, $0.baseAddress, $0.count) }
            precondition(count > 0, "the socketpair is full: read first")
            offset += count
        }
    }

    /// Turns the loop until nothing is ready (a few turns at most).
    func settle(turns: Int = 20) {
        for _ in 0..<turns { try? loop.turn(timeoutMilliseconds: 0) }
    }

    /// Moves the clock on and lets the loop see it.
    func advance(milliseconds: Int) {
        time += milliseconds
        settle()
    }

    /// What the client can read now (the loop turning in between).
    /// `limit`: up to that many bytes, waiting out quiet spells of up to half
    /// a second (a paused upstream may need a few turns to go on); without
    /// it, what has come.
    func receive(_ client: Int32, limit: Int = .max) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var quiet = 0
        for _ in 0..<10_000 {
            settle(turns: 2)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(client, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count < 0 && limit != .max && errno == EAGAIN && quiet < 500 {
                quiet += 1
                usleep(1_000)
                continue
            }
            quiet = 0
            guard count > 0 else { break }
            bytes += buffer[0..<count]
            if bytes.count >= limit { break }
        }
        return bytes
    }

    func text(_ client: Int32) -> String { String(decoding: receive(client), as: UTF8.self) }

    /// The loop has closed its end: the client reads end-of-file.
    func isClosed(_ client: Int32) -> Bool {
        settle()
        var byte: UInt8 = 0
        return Glibc.read(client, &byte, 1) == 0
    }
}
