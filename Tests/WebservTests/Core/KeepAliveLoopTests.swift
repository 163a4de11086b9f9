import XCTest
import Glibc
@testable import webserv

/// Keep-alive and pipelining in-process: answers in order and intact, bodies
/// nobody reads skipped as nginx skips them, and the idle connection's end.
final class KeepAliveLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            keepalive_timeout 11s;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /up/ { allow_methods GET POST; }
            }
        }
        """, files: ["www/index.html": Array("hello".utf8), "www/a.txt": Array("A".utf8)])
    }

    func testPipelinedAnswersComeInOrderAndIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client, heads: [1])
        XCTAssertEqual(answers.map(\.bodyText), ["A", "", "hello"])
        XCTAssertEqual(answers.first?.header("Connection"), "keep-alive")
        XCTAssertEqual(answers.dropFirst().first?.header("Content-Length"), "5", "HEAD says the length of the body it leaves out")
        // Same connection, a later request.
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.status), [200])
        XCTAssertFalse(loop.isClosed(client))
    }

    /// Many requests in one burst, each answered in order (no answer lost or
    /// doubled where the output buffer fills and drains).
    func testABurstOfPipelinedRequestsIsAnsweredInFull() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        let count = 1_000
        loop.send(client, String(repeating: "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", count: count - 1)
                  + "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        var bodies: [String] = []
        while let answer = wire.next() { bodies.append(answer.bodyText) }
        XCTAssertEqual(bodies.count, count)
        XCTAssertEqual(bodies.filter { $0 == "A" }.count, count - 1)
        XCTAssertEqual(bodies.last, "hello", "the last answer is the last request's")
        XCTAssertEqual(wire.rest, [])
        XCTAssertTrue(loop.isClosed(client))
    }

    func testASmallUnusedBodyIsSkipped() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "POST /up/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [405, 200])
        XCTAssertEqual(answers.last?.bodyText, "A")
    }

    /// The part of a chunked body already here is skipped at once, the rest
    /// as it comes, and the connection goes on.
    func testAnUnusedChunkedBodyIsSkippedAsItComes() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        let first = loop.answers(client)
        XCTAssertEqual(first.map(\.bodyText), ["A"])
        XCTAssertEqual(first.first?.header("Connection"), "keep-alive")
        loop.send(client, "2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.bodyText), ["hello"], "the request after the skipped body")
    }

    /// Malformed: 400 when it is already here (an error answer keeps its
    /// status), the end of the connection when it comes later.
    func testAMalformedUnusedChunkedBodyIsRefused() throws {
        let loop = try harness()
        XCTAssertEqual(loop.status("GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 400)
        XCTAssertEqual(loop.status("GET /none HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 404)

        let (late, _) = loop.connect()
        loop.send(late, "GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        XCTAssertEqual(loop.answers(late).map(\.bodyText), ["A"])
        loop.send(late, "zz\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.receive(late), [], "no answer after a malformed body")
        XCTAssertTrue(loop.isClosed(late))
    }

    /// nginx invites a body it is going to skip, answers, then skips it.
    func testAnUnusedBodyAfterExpectContinueIsInvitedAndSkipped() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [100, 200])
        XCTAssertEqual(answers.last?.bodyText, "A")
        XCTAssertEqual(answers.last?.header("Connection"), "keep-alive")
        loop.send(client, "helloGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.bodyText), ["hello"])
    }

    /// Each request renews the idle time; the connection ends 11 s after the
    /// last answer, not after the first.
    func testTheIdleTimeRunsFromTheLastAnswer() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.status), [200])
        loop.advance(milliseconds: 8_000)
        loop.send(client, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.bodyText), ["hello"])
        loop.advance(milliseconds: 8_000)
        XCTAssertFalse(loop.isClosed(client), "16 s after the first answer, 8 s after the last")
        loop.advance(milliseconds: 3_100)
        XCTAssertEqual(loop.receive(client), [], "closed without an answer, as nginx")
        XCTAssertTrue(loop.isClosed(client))
    }
}
