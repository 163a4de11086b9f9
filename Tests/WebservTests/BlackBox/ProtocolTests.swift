import XCTest
@testable import webserv

/// Malformed and hostile requests get nginx's status, and the server keeps serving:
/// the binary as a whole. The wire's details are ProtocolLoopTests', KeepAliveLoopTests'
/// and TimeoutLoopTests' (in-process).
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
                large_client_header_buffers 4 1k;
                location /up/ { allow_methods GET POST; }
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

    func testStalledHeadTimesOutWhileOthersAreServed() throws {
        let stalled = try RawClient(port: server.ports[0])
        stalled.send("GET / HTTP/1.1\r\nHost: x\r\n")
        XCTAssertEqual(try server.get("/a.txt").bodyText, "A", "others are served meanwhile")
        let answer = String(decoding: stalled.readAll(), as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
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
