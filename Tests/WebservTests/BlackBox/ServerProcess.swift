import Foundation
import Glibc

/// The built `webserv` binary, started on a generated configuration with
/// free ports, for black-box tests over real sockets.
final class ServerProcess {
    let directory: String
    let configPath: String
    let ports: [Int]
    let process = Process()
    private let errorPipe = Pipe()

    static var binary: String {
        // The test bundle sits in the same build folder as the executable.
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [folder.appendingPathComponent("webserv").path]
        if folder.lastPathComponent.hasSuffix(".xctest") {
            candidates.append(folder.deletingLastPathComponent().appendingPathComponent("webserv").path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/webserv").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A free TCP port on 127.0.0.1 (bound, read back, released).
    static func freePort() -> Int {
        let (fd, port) = boundLoopbackSocket()
        close(fd)
        return port
    }

    /// A TCP socket bound to a free port on 127.0.0.1, and the port.
    static func boundLoopbackSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// `config` may use `PORT0`, `PORT1`... and `DIR` (the temp directory); `files` are created in DIR.
    init(config: String, files: [String: String] = [:], portCount: Int = 1) throws {
        directory = NSTemporaryDirectory() + "webserv-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        for (name, content) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        }
        ports = (0..<portCount).map { _ in ServerProcess.freePort() }
        var text = config.replacingOccurrences(of: "DIR", with: directory)
        for (index, port) in ports.enumerated() { text = text.replacingOccurrences(of: "PORT\(index)", with: String(port)) }
        configPath = directory + "/webserv.conf"
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = [configPath]
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    private func waitUntilListening() throws {
        for _ in 0..<200 {
            if let client = try? RawClient(port: ports[0]) { client.close(); return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let errors = String(decoding: errorPipe.fileHandleForReading.availableData, as: UTF8.self)
        throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "webserv did not start: \(errors)"])
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Descriptors the server holds open right now.
    var openDescriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }

    /// The descriptor count once it meets `condition`, or after about three
    /// seconds: sockets of connections just answered close a moment later on
    /// the server's side, later still on a loaded machine.
    func openDescriptorCount(settling condition: (Int) -> Bool) -> Int {
        var count = openDescriptorCount
        for _ in 0..<30 where !condition(count) {
            usleep(100_000)
            count = openDescriptorCount
        }
        return count
    }

    func stop() {
        if process.isRunning {
            signal(SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}
