import XCTest
@testable import webserv

/// A script's answer is framed by webserv, whatever the script prints: its
/// body is cut to its Content-Length, a short one ends the connection, 204
/// and 304 carry no body, a 1xx or malformed Status is 502, and a script's
/// own chunking is decoded, not sent twice. Each framing test pipelines a
/// second request on the keep-alive connection and checks its answer is intact.
final class CGIFramingTests: XCTestCase {
    private var server: ServerProcess!

    private static let files: [String: String] = [
        "www/index.html": "index page",
        // 2 bytes promised, 13 sent: the rest must not become the next answer.
        "www/cgi/long.py": """
        import sys
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nokHTTP/1.1 200 OK\\r\\nSet-Cookie: sid=evil\\r\\nContent-Length: 0\\r\\n\\r\\n")
        """,
        // The same, the excess in a later write.
        "www/cgi/longlater.py": """
        import sys, time
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nok")
        sys.stdout.flush()
        time.sleep(0.2)
        sys.stdout.buffer.write(b"HTTP/1.1 200 OK\\r\\nSet-Cookie: sid=evil\\r\\nContent-Length: 0\\r\\n\\r\\n")
        """,
        "www/cgi/short.py": """
        import sys
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nContent-Length: 100\\r\\n\\r\\nshort")
        """,
        // QUERY_STRING is the Status line's value ('+' for a space).
        "www/cgi/status.py": """
        import os, sys
        status = os.environ["QUERY_STRING"].replace("+", " ")
        sys.stdout.buffer.write(("Status: " + status + "\\r\\nContent-Type: text/plain\\r\\n\\r\\nsurprise body").encode())
        """,
        "www/cgi/chunked.py": """
        import sys
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n6\\r\\n world\\r\\n0\\r\\n\\r\\n")
        """,
        // As well-behaved scripts do: the length of the body a GET would get, and no body for HEAD.
        "www/cgi/headaware.py": """
        import os, sys
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nContent-Length: 5\\r\\n\\r\\n")
        if os.environ["REQUEST_METHOD"] != "HEAD": sys.stdout.buffer.write(b"hello")
        """,
        "www/cgi/badlength.py": """
        import sys
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nContent-Length: 12abc\\r\\n\\r\\nhello")
        """,
        "www/cgi/lengthandchunked.py": """
        import sys
        sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n")
        """,
    ]

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /cgi/ { cgi_path /usr/bin/python3; cgi_timeout 10s; allow_methods GET HEAD; }
            }
        }
        """, files: CGIFramingTests.files)
    }

    override func tearDown() { server.stop() }

    /// Sends `first` and a GET of /index.html at once on one connection;
    /// returns the first answer after checking the second.
    private func answerBeforeAnIntactOne(_ first: String, headRequest: Bool = false,
                                         file: StaticString = #filePath, line: UInt = #line) throws -> HTTPTestResponse {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send(first + "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = try XCTUnwrap(client.readResponse(headRequest: headRequest), file: file, line: line)
        XCTAssertEqual(answer.header("Connection"), "keep-alive", answer.head, file: file, line: line)
        let next = try XCTUnwrap(client.readResponse(), "the second answer", file: file, line: line)
        XCTAssertEqual(next.status, 200, next.head, file: file, line: line)
        XCTAssertEqual(next.bodyText, "index page", file: file, line: line)
        XCTAssertNil(next.header("Set-Cookie"), file: file, line: line)
        XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "", "nothing after the second answer", file: file, line: line)
        return answer
    }

    func testABodyLongerThanItsContentLengthIsCut() throws {
        for script in ["long.py", "longlater.py"] {
            let answer = try answerBeforeAnIntactOne("GET /cgi/\(script) HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(answer.status, 200, script)
            XCTAssertEqual(answer.header("Content-Length"), "2", script)
            XCTAssertNil(answer.header("Transfer-Encoding"), script)
            XCTAssertEqual(answer.bodyText, "ok", script)
        }
    }

    func testHeadToAScriptWithALengthHasNoBody() throws {
        let answer = try answerBeforeAnIntactOne("HEAD /cgi/long.py HTTP/1.1\r\nHost: x\r\n\r\n", headRequest: true)
        XCTAssertEqual(answer.header("Content-Length"), "2")
        // A script that prints no body for HEAD has not cut its answer short.
        let aware = try answerBeforeAnIntactOne("HEAD /cgi/headaware.py HTTP/1.1\r\nHost: x\r\n\r\n", headRequest: true)
        XCTAssertEqual(aware.header("Content-Length"), "5")
    }

    /// A body shorter than its Content-Length ends the connection: the next
    /// answer must not be read as the rest of this body.
    func testABodyShorterThanItsContentLengthEndsTheConnection() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET /cgi/short.py HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        let all = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertTrue(all.hasPrefix("HTTP/1.1 200 OK\r\n"), all)
        XCTAssertTrue(all.contains("\r\nContent-Length: 100\r\n"), all)
        XCTAssertTrue(all.hasSuffix("\r\n\r\nshort"), "the 5 bytes, then the end of the connection: \(all)")
        XCTAssertEqual(all.components(separatedBy: "HTTP/1.1 ").count, 2, "no second answer inside the first's body: \(all)")
    }

    func test204And304CarryNoBody() throws {
        for status in ["204", "304+Not+Modified"] {
            let answer = try answerBeforeAnIntactOne("GET /cgi/status.py?\(status) HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(answer.status, Int(status.prefix(3)), answer.head)
            XCTAssertNil(answer.header("Transfer-Encoding"), answer.head)
            XCTAssertNil(answer.header("Content-Length"), answer.head)
        }
    }

    func testAScriptsOwnChunkingIsDecodedNotSentTwice() throws {
        let answer = try answerBeforeAnIntactOne("GET /cgi/chunked.py HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.head.components(separatedBy: "Transfer-Encoding").count, 2, "one Transfer-Encoding: \(answer.head)")
        XCTAssertEqual(answer.bodyText, "hello world")
    }

    /// A status a script may not answer with, or a framing that cannot be
    /// trusted: 502, never the script's body.
    func testBadStatusesAndLengthsAre502() throws {
        for path in ["status.py?100+Continue", "status.py?103", "status.py?101", "status.py?99999", "status.py?2000",
                     "badlength.py", "lengthandchunked.py"] {
            let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
            client.send("GET /cgi/\(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try XCTUnwrap(client.readResponse(), path)
            XCTAssertEqual(answer.status, 502, "\(path): \(answer.head)")
            XCTAssertFalse(answer.bodyText.contains("surprise"), path)
            XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "", path)
        }
    }
}

/// The header block's checks behind those answers, fed as a script prints them.
final class CGIResponseParserFramingTests: XCTestCase {
    private func parse(_ text: String) -> UpstreamHeadResult {
        var parser = CGIResponseParser()
        return parser.feed(Array(text.utf8)[...])
    }

    func testStatusIsThreeDigitsOfAFinalAnswer() {
        XCTAssertEqual(parse("Status: 204\n\n"), .complete(status: 204, headers: [], bodyStart: 13))
        XCTAssertEqual(parse("Status: 404\tGone\n\n"), .complete(status: 404, headers: [], bodyStart: 18))
        for value in ["99999", "2000", "200OK", "100 Continue", "103", "101", "099", "20", ""] {
            XCTAssertEqual(parse("Status: \(value)\nContent-Type: t\n\n"), .invalid, value)
        }
    }

    func testFramingFieldsMustBeUnambiguous() {
        let repeated = "Content-Type: t\nContent-Length: 2\nContent-Length: 2\n\n"
        XCTAssertEqual(parse(repeated + "ok"),
                       .complete(status: 200, headers: [.init(name: "Content-Type", value: "t"), .init(name: "Content-Length", value: "2"),
                                                        .init(name: "Content-Length", value: "2")], bodyStart: repeated.utf8.count))
        let chunked = "Content-Type: t\nTransfer-Encoding: Chunked\n\n"
        XCTAssertEqual(parse(chunked),
                       .complete(status: 200, headers: [.init(name: "Content-Type", value: "t"), .init(name: "Transfer-Encoding", value: "Chunked")],
                                 bodyStart: chunked.utf8.count))
        for fields in ["Content-Length: 12abc", "Content-Length: -1", "Content-Length: 1\nContent-Length: 2", "Content-Length:",
                       "Content-Length: 1, 1", "Content-Length: 99999999999999999999", "Transfer-Encoding: gzip",
                       "Transfer-Encoding: chunked, chunked", "Transfer-Encoding:", "Content-Length: 5\nTransfer-Encoding: chunked"] {
            XCTAssertEqual(parse("Content-Type: t\n\(fields)\n\nhello"), .invalid, fields)
        }
    }
}
