import XCTest
import Glibc
@testable import webserv

/// Request parsing and the answers on the wire, in-process: malformed and
/// hostile requests get nginx's status, HEAD answers carry no body, and the
/// connection's end follows HTTP/1.0, `Connection` and keepalive_timeout 0.
final class ProtocolLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                large_client_header_buffers 4 1k;
                client_max_body_size 100;
                location /up/ { allow_methods GET POST; }
                location /once/ { keepalive_timeout 0; }
            }
        }
        """, files: ["www/index.html": Array("hello".utf8), "www/a.txt": Array("A".utf8)])
    }

    func testBadRequestsGetTheirStatus() throws {
        let loop = try harness()
        XCTAssertEqual(loop.status("GET / HTTP/1.1\r\n\r\n"), 400, "no Host")
        XCTAssertEqual(loop.status("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505)
        XCTAssertEqual(loop.status("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400)
        XCTAssertEqual(loop.status("GET /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
        XCTAssertEqual(loop.status("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 2000))\r\n\r\n"), 431)
        XCTAssertEqual(loop.status("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), 400)
        XCTAssertEqual(loop.status("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"), 501)
        XCTAssertEqual(loop.status("BREW / HTTP/1.1\r\nHost: x\r\n\r\n"), 501)
        XCTAssertEqual(loop.status("GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n"), 400)
        XCTAssertEqual(loop.status("\u{01}\u{02}garbage\r\n\r\n"), 400)
        XCTAssertEqual(loop.get("/a.txt")?.bodyText, "A", "still serving")
    }

    /// An error answer ends the connection: its Connection field says so and
    /// nothing is read after it (a pipelined request is not answered).
    func testAnErrorAnswerClosesTheConnection() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET / HTTP/2.0\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [505])
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertTrue(loop.isClosed(client))
    }

    /// Each answer is read as a HEAD answer: a body after it would be left
    /// over on the wire.
    func testHeadErrorAnswersCarryNoBody() throws {
        let loop = try harness()
        for (raw, expected) in [
            ("HEAD / HTTP/1.1\r\n\r\n", 400),
            ("HEAD /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("HEAD / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("HEAD / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("HEAD /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
            // Found by mutation fuzzing: the request line breaks after the method.
            ("HEAD \u{0B}/upload/x HTTP/1.2\r\nHost: x\r\n\r\n", 400),
            ("HEAD / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400),
        ] {
            let (client, _) = loop.connect()
            defer { Glibc.close(client) }
            loop.send(client, raw)
            var wire = WireAnswers(loop.receive(client))
            let response = try XCTUnwrap(wire.next(headRequest: true), raw)
            XCTAssertEqual(response.status, expected, raw)
            XCTAssertNotNil(response.header("Content-Length"), "the head still says how long the page is")
            XCTAssertEqual(wire.rest, [], "no body after the head of \(expected)")
            XCTAssertTrue(loop.isClosed(client), raw)
        }
        XCTAssertGreaterThan(loop.request("GET / HTTP/1.1\r\n\r\n")?.body.count ?? 0, 0, "GET still gets the page")
    }

    func testAbsoluteFormStillNeedsAValidHostField() throws {
        let loop = try harness()
        for host in ["a/b", "a b", "a..b", ""] {
            XCTAssertEqual(loop.status("GET http://other:1/index.html HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"), 400, host)
        }
        XCTAssertEqual(loop.status("GET http://other:1/index.html HTTP/1.1\r\nHost: ok\r\nConnection: close\r\n\r\n"), 200)
        XCTAssertEqual(loop.status("GET http://x/a.txt HTTP/1.1\r\n\r\n"), 400, "Host is still required")
    }

    func testRequestLinesAndHostsAsNginxTakesThem() throws {
        let loop = try harness()
        XCTAssertEqual(loop.request("GET  /a.txt  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?.bodyText, "A")
        XCTAssertEqual(loop.request("GET /a.txt#top HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?.bodyText, "A")
        XCTAssertEqual(loop.status("GET /a.txt HTTP/1.9\r\nHost: x\r\nConnection: close\r\n\r\n"), 200)
        XCTAssertEqual(loop.status("get /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 400)
        XCTAssertEqual(loop.status("GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n"), 400)
        XCTAssertEqual(loop.status("GET /a.txt HTTP/1.1\r\nHost:\r\n\r\n"), 400)
    }

    /// A request line that can never be valid (a TLS handshake to the plain
    /// port) is answered at once, without the clock moving.
    func testImpossibleRequestLineIsAnsweredAtOnce() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])
        XCTAssertEqual(loop.answers(client).map(\.status), [400])
        XCTAssertEqual(loop.get("/a.txt")?.bodyText, "A", "still serving")
    }

    /// As nginx: a body over client_max_body_size is 413 as soon as its
    /// length is known, before the location's 405 for a POST to a file, and
    /// the connection ends.
    func testABodyTooLargeIs413AtOnceBeforeAnythingElse() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [413])
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertEqual(loop.status("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"), 405,
                       "within the limit, the location's answer")
    }

    func testHTTP10ClosesByDefaultAndKeepsAliveWhenAsked() throws {
        let loop = try harness()
        let (plain, _) = loop.connect()
        loop.send(plain, "GET /a.txt HTTP/1.0\r\n\r\n")
        let closing = loop.answers(plain)
        XCTAssertEqual(closing.map(\.bodyText), ["A"])
        XCTAssertEqual(closing.first?.header("Connection"), "close")
        XCTAssertTrue(loop.isClosed(plain))

        let (asking, _) = loop.connect()
        loop.send(asking, "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let kept = loop.answers(asking)
        XCTAssertEqual(kept.first?.header("Connection"), "keep-alive")
        XCTAssertTrue(kept.first?.head.hasPrefix("HTTP/1.1 200") ?? false, "nginx answers HTTP/1.1")
        loop.send(asking, "GET /index.html HTTP/1.0\r\n\r\n")
        XCTAssertEqual(loop.answers(asking).map(\.bodyText), ["hello"], "the second request on the kept connection")
    }

    func testConnectionCloseIsHonouredAfterTheAnswer() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.bodyText), ["A"], "the pipelined request after close is not answered")
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertTrue(loop.isClosed(client))
    }

    func testKeepaliveTimeoutZeroClosesAfterEachAnswer() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /once/x HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [404])
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertTrue(loop.isClosed(client), "the pipelined request is not answered")
    }
}
