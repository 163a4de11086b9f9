import Foundation
import XCTest
import Glibc
@testable import webserv

/// How a FastCGI request goes up, in-process: one without a body is
/// BEGIN_REQUEST, PARAMS, the empty PARAMS and the empty STDIN in one write,
/// on a fresh connection and on one kept by `fastcgi_keep_conn` alike
/// (counted by the engine's `upstreamWrites`: a stream socket's reader
/// cannot see where writes began).
final class FastCGIWriteTests: XCTestCase {
    func testARequestWithoutABodyGoesUpInOneWrite() throws {
        let loop = try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location $ .php {
                    fastcgi_pass unix:DIR/app.sock;
                    fastcgi_keep_conn on;
                }
            }
        }
        """, files: ["www/a.php": Array("<?php".utf8)])
        let application = try FastCGITestApplication(path: loop.directory + "/app.sock")
        defer { application.stop() }
        for round in ["fresh", "kept"] {
            let before = loop.loop.upstreams.upstreamWrites
            let (client, _) = loop.connect()
            defer { Glibc.close(client) }
            loop.send(client, "GET /a.php HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            var wire = WireAnswers(loop.receive(client, limit: 1 << 20))
            let answer = try XCTUnwrap(wire.next(), round)
            XCTAssertEqual(answer.status, 200, "\(round): \(answer.head)")
            XCTAssertEqual(answer.bodyText, "ok", round)
            XCTAssertEqual(loop.loop.upstreams.upstreamWrites - before, 1, "\(round) connection: the request in one write")
        }
        XCTAssertEqual(application.accepted, 1, "the second request went on the kept connection")
    }
}

/// A FastCGI application on a unix socket, in a thread: each request read to
/// its empty STDIN record, answered `ok` with END_REQUEST, its connection kept.
final class FastCGITestApplication {
    private let listener: Int32
    private let lock = NSLock()
    private var connections: [Int32] = []
    var accepted: Int { lock.withLock { connections.count } }

    init(path: String) throws {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw NSError(domain: "FastCGITestApplication", code: Int(errno)) }
        Thread.detachNewThread { [self] in
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                lock.withLock { connections.append(fd) }
                Thread.detachNewThread { FastCGITestApplication.serve(fd) }
            }
        }
    }

    /// Ends the accepting thread and each connection's (their reads then see the end).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in lock.withLock({ connections }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func serve(_ fd: Int32) {
        defer { close(fd) }
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // Records until the empty STDIN one (type 5, no content) ends a request.
            var ended = false
            while !ended {
                while input.count >= 8, input.count >= 8 + (Int(input[4]) << 8 | Int(input[5])) + Int(input[6]) {
                    let length = Int(input[4]) << 8 | Int(input[5])
                    if input[1] == 5 && length == 0 { ended = true }
                    input.removeFirst(8 + length + Int(input[6]))
                }
                if ended { break }
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { return }
                input += buffer[0..<count]
            }
            let stdout = Array("Content-type: text/plain\r\n\r\nok".utf8)
            var answer: [UInt8] = [1, 6, 0, 1, 0, UInt8(stdout.count), 0, 0] + stdout
            answer += [1, 6, 0, 1, 0, 0, 0, 0]
            answer += [1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            guard answer.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == answer.count else { return }
        }
    }
}
