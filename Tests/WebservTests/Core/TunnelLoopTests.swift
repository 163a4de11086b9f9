import Foundation
import XCTest
import Glibc
@testable import webserv

/// An upgraded connection (UpstreamTunnel) on the loop driven by the test,
/// the test being the upstream too: a side that does not read stops the
/// other side being read (bounded memory whatever is sent), and what was
/// held back then arrives whole and in order. Counted in loop turns, not time.
final class TunnelLoopTests: XCTestCase {
    private var harness: LoopHarness!
    private var listener: Int32 = -1
    private var upstream: Int32 = -1
    private var client: Int32 = -1

    /// Far more than a bounded relay can hold (its buffers, the sockets'), far
    /// less than an unbounded one would take in the turns the test gives it.
    private static let bound = 32 << 20

    override func setUpWithError() throws {
        let bound = ServerProcess.boundLoopbackSocket()
        listener = bound.fd
        Glibc.listen(listener, 8)
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        harness = try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                location /ws/ {
                    proxy_pass http://127.0.0.1:\(bound.port)/;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                }
            }
        }
        """)
        (client, _) = harness.connect()
        harness.send(client, "GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        for _ in 0..<100 where upstream < 0 {
            harness.settle(turns: 2)
            upstream = accept(listener, nil, nil)
        }
        XCTAssertGreaterThanOrEqual(upstream, 0, "webserv connected to the upstream")
        _ = fcntl(upstream, F_SETFL, fcntl(upstream, F_GETFL) | O_NONBLOCK)
        harness.settle()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(upstream, &buffer, buffer.count)
        XCTAssertTrue(String(decoding: buffer[0..<max(0, count)], as: UTF8.self).contains("Upgrade: websocket"))
        let answer = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8)
        XCTAssertEqual(answer.withUnsafeBytes { write(upstream, $0.baseAddress, $0.count) }, answer.count)
        let head = String(decoding: harness.receive(client), as: UTF8.self)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), head)
    }

    override func tearDown() {
        for fd in [listener, upstream, client] where fd >= 0 { close(fd) }
        harness = nil
    }

    /// Writes a numbered stream into `fd` for `turns` turns of the loop, as much as it takes each time; the bytes written.
    private func flood(_ fd: Int32, turns: Int) -> Int {
        var written = 0
        var piece = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<turns {
            while written < TunnelLoopTests.bound * 2 {
                for index in piece.indices { piece[index] = UInt8((written + index) % 251) }
                let count = piece.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                written += count
            }
            harness.settle(turns: 2)
        }
        return written
    }

    /// Reads `fd` (the loop turning) until `count` bytes came or nothing more comes; checks the numbered stream.
    private func drain(_ fd: Int32, expecting count: Int) -> Int {
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        var idle = 0
        while received < count && idle < 200 {
            harness.settle(turns: 2)
            let got = read(fd, &buffer, buffer.count)
            guard got > 0 else { idle += 1; continue }
            idle = 0
            for index in 0..<got where buffer[index] != UInt8((received + index) % 251) {
                XCTFail("byte \(received + index) out of order")
                return received
            }
            received += got
        }
        return received
    }

    /// Held back, the tunnel watches nothing that is ready: the loop waits instead of turning again and again.
    private func assertQuiet(file: StaticString = #filePath, line: UInt = #line) {
        harness.settle()
        XCTAssertEqual(try harness.loop.selector.wait(timeoutMilliseconds: 0), 0, "no readiness while both sides wait", file: file, line: line)
    }

    func testAClientThatDoesNotReadStopsTheUpstreamBeingRead() {
        let written = flood(upstream, turns: 300)
        XCTAssertGreaterThan(written, 0)
        XCTAssertLessThan(written, TunnelLoopTests.bound, "the upstream's writes blocked: webserv held back")
        assertQuiet()
        XCTAssertEqual(drain(client, expecting: written), written, "everything arrives, in order, once the client reads")
    }

    func testAnUpstreamThatDoesNotReadStopsTheClientBeingRead() {
        let written = flood(client, turns: 300)
        XCTAssertGreaterThan(written, 0)
        XCTAssertLessThan(written, TunnelLoopTests.bound, "the client's writes blocked: webserv held back")
        assertQuiet()
        XCTAssertEqual(drain(upstream, expecting: written), written, "everything arrives, in order, once the upstream reads")
    }
}
