import XCTest
@testable import webserv

/// An upstream's answer reaches the client whole and alone: interim (1xx)
/// answers are read past to the final one, and bare-LF line ends are
/// accepted, as nginx does. Each test pipelines a second request on the
/// client's keep-alive connection and checks that its answer is intact.
final class UpstreamFramingTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: ScriptedUpstream!

    private static let final = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nfinal"

    override func setUpWithError() throws {
        upstream = ScriptedUpstream(answers: [
            "/hints": [.init("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n"),
                       .init(UpstreamFramingTests.final, pauseMilliseconds: 200)],
            "/continue": [.init("HTTP/1.1 100 Continue\r\n\r\n" + UpstreamFramingTests.final)],
            "/two-interims": [.init("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"),
                              .init("HTTP/1.1 103 Early Hints\r\nLink: </a.js>\r\n\r\n", pauseMilliseconds: 100),
                              .init(UpstreamFramingTests.final, pauseMilliseconds: 100)],
            "/bare-lf": [.init("HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 5\nX-Line-Ends: lf\n\nfinal")],
            "/bare-lf-chunked": [.init("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nfinal\n0\n\n")],
            "/switch": [.init("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")],
        ])
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /up/ { proxy_pass http://127.0.0.1:\(upstream.port)/; send_timeout 5s; }
            }
        }
        """, files: ["www/index.html": "index page"])
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    /// Sends a GET of `path` and of /index.html at once on one connection;
    /// returns the first answer after checking the second.
    private func answerBeforeAnIntactOne(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> HTTPTestResponse {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = try XCTUnwrap(client.readResponse(), "the first answer", file: file, line: line)
        let next = try XCTUnwrap(client.readResponse(), "the second answer", file: file, line: line)
        XCTAssertEqual(next.status, 200, next.head, file: file, line: line)
        XCTAssertEqual(next.bodyText, "index page", file: file, line: line)
        XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "", "nothing after the second answer", file: file, line: line)
        return answer
    }

    func testInterimAnswersAreReadPastToTheFinalOne() throws {
        for path in ["/up/hints", "/up/continue", "/up/two-interims"] {
            let answer = try answerBeforeAnIntactOne(path)
            XCTAssertEqual(answer.status, 200, "\(path): \(answer.head)")
            XCTAssertEqual(answer.bodyText, "final", path)
            XCTAssertEqual(answer.header("Connection"), "keep-alive", path)
        }
    }

    func testBareLineFeedsAreAccepted() throws {
        let answer = try answerBeforeAnIntactOne("/up/bare-lf")
        XCTAssertEqual(answer.status, 200, answer.head)
        XCTAssertEqual(answer.header("X-Line-Ends"), "lf")
        XCTAssertEqual(answer.bodyText, "final")
        let chunked = try answerBeforeAnIntactOne("/up/bare-lf-chunked")
        XCTAssertEqual(chunked.bodyText, "final")
    }

    /// A 101 to a request without Upgrade is passed as nginx passes it (its
    /// head, with Connection: upgrade), and the connection is not kept.
    func testA101ToARequestWithoutUpgradeIsPassedAndTheConnectionEnds() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET /up/switch HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(answer.status, 101, answer.head)
        XCTAssertEqual(answer.header("Connection"), "upgrade")
        XCTAssertEqual(answer.header("Upgrade"), "websocket")
        client.close()
    }
}

final class UpstreamResponseParserTests: XCTestCase {
    /// Feeds `text` in pieces of `step` bytes until the parser has an outcome.
    private func parse(_ text: String, step: Int = .max) -> (UpstreamHeadResult, [UInt8]) {
        var parser = UpstreamResponseParser()
        let bytes = Array(text.utf8)
        var result = UpstreamHeadResult.needMore
        var start = 0
        while start < bytes.count, result == .needMore {
            result = parser.feed(bytes[start..<min(bytes.count, start + step)])
            start += step
        }
        return (result, parser.received)
    }

    func testInterimAnswersAreSkippedHoweverTheBytesArrive() {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\nX: y\r\n\r\nrest"
        for step in [.max, 7, 1] {
            let (result, received) = parse(text, step: step)
            guard case .complete(let status, let headers, let bodyStart) = result else { return XCTFail("\(step): \(result)") }
            XCTAssertEqual(status, 204)
            XCTAssertEqual(headers, [.init(name: "X", value: "y")])
            XCTAssertEqual(String(decoding: received[..<bodyStart], as: UTF8.self), "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n", "step \(step)")
            XCTAssertTrue("rest".utf8.starts(with: received[bodyStart...]), "step \(step): the body follows")
        }
    }

    /// 101 is a final answer: what follows its head is the new protocol's.
    func testSwitchingProtocolsIsAFinalAnswer() {
        let (result, _) = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nframe")
        XCTAssertEqual(result, .complete(status: 101, headers: [.init(name: "Upgrade", value: "websocket")], bodyStart: 56))
    }

    func testLineEndsMayBeBareLineFeeds() {
        let (result, _) = parse("HTTP/1.0 200 OK\nA: 1\r\nB: 2\n\n")
        XCTAssertEqual(result, .complete(status: 200, headers: [.init(name: "A", value: "1"), .init(name: "B", value: "2")], bodyStart: 28))
        XCTAssertEqual(parse("HTTP/1.1 200 OK\nA: 1\n").0, .needMore)
    }

    func testInvalidStatusLines() {
        for line in ["HTTP/1.1 +20 OK", "HTTP/1.1 099 Low", "HTTP/2 200 OK", "HTTP/1.1 2000 OK", ""] {
            XCTAssertEqual(parse(line + "\r\nContent-Length: 0\r\n\r\n").0, .invalid, line)
        }
    }

    /// The parser refuses the head itself, with framingProblem's words, as the CGI parser refuses a script's.
    func testAHeadWhoseEndIsInDoubtIsRefused() {
        let fields = "Content-Length: 5\r\nTransfer-Encoding: chunked"
        let problem = UpstreamResponseParser.framingProblem([.init(name: "Content-Length", value: "5"),
                                                             .init(name: "Transfer-Encoding", value: "chunked")])
        XCTAssertEqual(parse("HTTP/1.1 200 OK\r\n\(fields)\r\n\r\n", step: 3).0, .refused(try XCTUnwrap(problem)))
    }

    func testEarlyHintsHasItsReason() {
        XCTAssertEqual(StatusCode.reason(103), "Early Hints")
    }
}
