import XCTest
import Glibc
@testable import webserv

/// The client timeouts on the harness's clock: instant and exact. Each is
/// checked just before and just after it runs out, on the wire.
final class TimeoutLoopTests: XCTestCase {
    private static let large = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)

    private func harness(timeouts: String = "client_header_timeout 5s; send_timeout 3s;") throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            \(timeouts)
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
            }
        }
        """, files: ["www/a.txt": Array("A".utf8), "www/large.bin": Self.large])
    }

    func testAStalledHeadIs408WhileOthersAreServed() throws {
        let loop = try harness()
        let (stalled, _) = loop.connect()
        loop.send(stalled, "GET /a.txt HTTP/1.1\r\nHost: x\r\n")
        loop.advance(milliseconds: 4_000)
        XCTAssertEqual(loop.get("/a.txt")?.bodyText, "A", "others are served meanwhile")
        XCTAssertEqual(loop.receive(stalled), [])
        loop.advance(milliseconds: 1_100)
        let answers = loop.answers(stalled)
        XCTAssertEqual(answers.map(\.status), [408])
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertTrue(loop.isClosed(stalled))
    }

    /// nginx's default client_header_timeout is 60 s; a connection that has
    /// sent nothing yet gets no answer, only the close.
    func testTheDefaultHeaderTimeoutIsSixtySeconds() throws {
        let loop = try harness(timeouts: "")
        let (partial, _) = loop.connect()
        let (silent, _) = loop.connect()
        loop.send(partial, "GET / HTTP/1.1\r\n")
        loop.advance(milliseconds: 59_900)
        XCTAssertEqual(loop.receive(partial), [])
        XCTAssertFalse(loop.isClosed(silent))
        loop.advance(milliseconds: 200)
        XCTAssertEqual(loop.answers(partial).map(\.status), [408])
        XCTAssertEqual(loop.receive(silent), [], "nothing was asked: nothing is answered")
        XCTAssertTrue(loop.isClosed(silent))
    }

    /// A reader that keeps taking the file, however long in all, is never cut:
    /// send_timeout runs between writes, not from the start.
    func testSendTimeoutCountsBetweenWritesNotFromTheStart() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /large.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var received: [UInt8] = []
        for _ in 0..<10_000 {
            let part = loop.receive(client, limit: 256 << 10)
            if part.isEmpty { break }
            received += part
            loop.advance(milliseconds: 2_000)   // 3 s would be over between two writes
        }
        let head = try XCTUnwrap(received.firstRange(of: Array("\r\n\r\n".utf8)))
        XCTAssertGreaterThan(loop.time - 1_000_000, 3_000, "the transfer outlasted send_timeout")
        XCTAssertEqual(received.count - head.upperBound, Self.large.count, "the whole file arrived")
        XCTAssertTrue(loop.isClosed(client))
    }

    func testAStalledReaderIsCutAtSendTimeout() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        var received = loop.receive(client, limit: 1000)
        XCTAssertTrue(String(decoding: received, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
        loop.advance(milliseconds: 2_900)
        loop.advance(milliseconds: 200)
        received += loop.receive(client)
        XCTAssertTrue(loop.isClosed(client), "send_timeout is 3 s")
        XCTAssertLessThan(received.count, Self.large.count, "the file was cut short")
    }
}
