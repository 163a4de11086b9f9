import XCTest
@testable import webserv

/// Malformed and hostile requests get nginx's status, and the server keeps serving.
final class ProtocolTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { worker_connections 64; }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                client_header_timeout 1s;
                keepalive_timeout 1s;
                large_client_header_buffers 4 1k;
                client_max_body_size 100;
                location /up/ { allow_methods GET POST; }
                location /once/ { keepalive_timeout 0; }
            }
        }
        """, files: ["www/index.html": "hello", "www/a.txt": "A"])
    }

    override func tearDown() { server.stop() }

    private func status(_ raw: String) throws -> Int {
        try server.request(raw).status
    }

    func testBadRequestsGetTheirStatus() throws {
        XCTAssertEqual(try status("GET / HTTP/1.1\r\n\r\n"), 400)
        XCTAssertEqual(try status("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505)
        XCTAssertEqual(try status("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400)
        XCTAssertEqual(try status("GET /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
        XCTAssertEqual(try status("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 2000))\r\n\r\n"), 431)
        XCTAssertEqual(try status("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), 400)
        XCTAssertEqual(try status("GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n"), 400)
        XCTAssertEqual(try status("\u{01}\u{02}garbage\r\n\r\n"), 400)
        // Still serving.
        XCTAssertEqual(try server.get("/a.txt").bodyText, "A")
    }

    func testHeadErrorAnswersCarryNoBody() throws {
        // Each answer is read as a HEAD answer: a body after it would be left
        // over and show up in what follows on the connection.
        for (raw, expected) in [
            ("HEAD / HTTP/1.1\r\n\r\n", 400),
            ("HEAD /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("HEAD / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("HEAD / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ] {
            let client = try RawClient(port: server.ports[0])
            defer { client.close() }
            client.send(raw)
            let response = try XCTUnwrap(client.readResponse(headRequest: true), raw)
            XCTAssertEqual(response.status, expected, raw)
            XCTAssertNotNil(response.header("Content-Length"), "the head still says how long the page is")
            XCTAssertEqual(client.readAll(), [], "no body after the head of \(expected)")
        }
        XCTAssertGreaterThan(try server.request("GET / HTTP/1.1\r\n\r\n").body.count, 0, "GET still gets the page")
    }

    func testAbsoluteFormStillNeedsAValidHostField() throws {
        for host in ["a/b", "a b", "a..b", ""] {
            XCTAssertEqual(try status("GET http://other:1/index.html HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"), 400, host)
        }
        XCTAssertEqual(try status("GET http://other:1/index.html HTTP/1.1\r\nHost: ok\r\nConnection: close\r\n\r\n"), 200)
    }

    func testBodyTooLargeIs413AtOnce() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("Connection"), "close")
    }

    func testKeepAliveAndPipelining() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        let second = try XCTUnwrap(client.readResponse(headRequest: true))
        let third = try XCTUnwrap(client.readResponse())
        XCTAssertEqual([first.bodyText, second.bodyText, third.bodyText], ["A", "", "hello"])
        XCTAssertEqual(first.header("Connection"), "keep-alive")
        XCTAssertEqual(second.header("Content-Length"), "5")
        // Same connection, later request.
        client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 200)
    }

    /// Many pipelined requests in one burst: each answered in order, in constant
    /// stack (a response that completes at once does not recurse into the next).
    func testDeepPipeliningIsAnsweredInFull() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 20)
        let count = 20_000
        let burst = String(repeating: "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", count: count - 1)
            + "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let sender = Thread { client.send(burst) }
        sender.start()
        let answers = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertEqual(answers.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1, count)
        XCTAssertTrue(answers.hasSuffix("\r\n\r\nhello"), "the last answer is the last request's")
        XCTAssertEqual(try server.get("/a.txt").bodyText, "A", "still serving")
    }

    func testSmallUnusedBodyIsSkippedOnKeepAlive() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("POST /up/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 405)
        XCTAssertEqual(client.readResponse()?.bodyText, "A")
    }

    /// A chunked body on a request that reads none is skipped as nginx skips
    /// it: the part already here at once, the rest as it comes, and the
    /// connection goes on; a malformed one is 400 (when it is already here) or
    /// ends the connection (when it comes later).
    func testUnusedChunkedBodyIsSkippedOrRefusedAsNginxDoes() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.bodyText, "A")
        XCTAssertEqual(first.header("Connection"), "keep-alive")
        client.send("2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "hello", "the request after the skipped body")

        XCTAssertEqual(try status("GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 400)
        XCTAssertEqual(try status("GET /none HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 404,
                       "an error answer keeps its status")

        let late = try RawClient(port: server.ports[0])
        late.send("GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        XCTAssertEqual(late.readResponse()?.bodyText, "A")
        late.send("zz\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(late.isClosedByPeer(), "no answer after a malformed body")
    }

    /// nginx invites a body it is going to skip, answers, then skips it.
    func testUnusedBodyAfterExpectContinueIsInvitedAndSkipped() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(client.readResponse(headRequest: true)?.status, 100)
        let answer = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(answer.bodyText, "A")
        XCTAssertEqual(answer.header("Connection"), "keep-alive")
        client.send("helloGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "hello")
    }

    func testKeepaliveTimeoutZeroClosesAfterEachAnswer() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /once/x HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.isClosedByPeer(), "the pipelined request is not answered")
    }

    func testHTTP10ClosesByDefault() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /a.txt HTTP/1.0\r\n\r\n")
        let response = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testStalledHeadTimesOutWhileOthersAreServed() throws {
        let stalled = try RawClient(port: server.ports[0])
        stalled.send("GET / HTTP/1.1\r\nHost: x\r\n")
        XCTAssertEqual(try server.get("/a.txt").bodyText, "A", "others are served meanwhile")
        let answer = String(decoding: stalled.readAll(), as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
    }

    func testIdleKeepAliveIsClosed() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 200)
        XCTAssertTrue(client.isClosedByPeer())
    }

    func testNoDescriptorLeaks() throws {
        // The open-file cache keeps one descriptor per file served: serve both first.
        _ = try server.get("/a.txt")
        _ = try server.get("/index.html")
        usleep(100_000)
        let before = server.openDescriptorCount
        for index in 0..<200 {
            let client = try RawClient(port: server.ports[0])
            client.send(index % 3 == 0 ? "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        : index % 3 == 1 ? "BAD\r\n\r\n" : "GET /index.html HTTP/1.0\r\n\r\n")
            _ = client.readAll()
        }
        XCTAssertLessThanOrEqual(server.openDescriptorCount(settling: { $0 <= before }), before, "no descriptor left open")
    }
}
