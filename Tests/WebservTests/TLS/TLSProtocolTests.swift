import XCTest
@testable import webserv

/// The plain-HTTP protocol tests' cases (ProtocolTests, HeadFramingTests)
/// over a TLS port: bad requests get their status, answers of every kind
/// (chunked, an error, HEAD, a file) follow each other intact on one
/// keep-alive connection, a stalled head is cut. `RawClient` talks through
/// `PythonTLSRelay`, which carries its bytes over TLS unchanged.
final class TLSProtocolTests: XCTestCase {
    private var certificates: TestCertificates!
    private var server: ServerProcess!
    private var relay: PythonTLSRelay!

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        try certificates.leaf("site", names: ["site.test"])
        server = try ServerProcess(config: """
        events { worker_connections 64; }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0 ssl;
                server_name site.test;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
                root DIR/www;
                client_header_timeout 1s;
                large_client_header_buffers 4 1k;
                location /up/ { allow_methods GET POST; }
                location /cgi/ { allow_methods GET POST; cgi_path /bin/sh; }
            }
        }
        """, files: ["www/index.html": "hello", "www/a.txt": "A",
                     "www/cgi/cat.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\n'; cat\n"])
        relay = try PythonTLSRelay(to: server.ports[0], name: "site.test", ca: certificates.path("ca.pem"))
    }

    override func tearDown() {
        relay?.stop()
        server?.stop()
        certificates?.remove()
    }

    private func status(_ raw: String) throws -> Int {
        try server.request(raw, port: relay.port).status
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
        XCTAssertEqual(try status("BREW / HTTP/1.1\r\nHost: x\r\n\r\n"), 501)
        XCTAssertEqual(try server.request("GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: relay.port).bodyText,
                       "A", "still serving")
    }

    /// Pipelined in one burst on one connection: a chunked request body
    /// whose answer is chunked too (a script without Content-Length), a 404,
    /// a HEAD, then a file; each answer intact, then the close asked for.
    func testAnswersOfEveryKindFollowEachOtherIntactOnOneConnection() throws {
        let client = try RawClient(port: relay.port, timeoutSeconds: 20)
        client.send("POST /cgi/cat.sh HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let echoed = try XCTUnwrap(client.readResponse(), "the script's answer")
        XCTAssertEqual(echoed.status, 200, echoed.head)
        XCTAssertEqual(echoed.header("Transfer-Encoding"), "chunked", echoed.head)
        XCTAssertEqual(echoed.bodyText, "hello world")
        let missing = try XCTUnwrap(client.readResponse(), "the 404")
        XCTAssertEqual(missing.status, 404, missing.head)
        let head = try XCTUnwrap(client.readResponse(headRequest: true), "the HEAD's answer")
        XCTAssertEqual(head.status, 200, head.head)
        XCTAssertEqual(head.header("Content-Length"), "5")
        let file = try XCTUnwrap(client.readResponse(), "the last answer")
        XCTAssertEqual(file.status, 200, file.head)
        XCTAssertEqual(file.bodyText, "A")
        XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "", "nothing after the last answer, then the close")
    }

    func testAStalledHeadIsCutWith408WhileOthersAreServed() throws {
        let stalled = try RawClient(port: relay.port, timeoutSeconds: 20)
        stalled.send("GET / HTTP/1.1\r\nHost: x\r\n")
        XCTAssertEqual(try server.request("GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: relay.port).bodyText, "A")
        let answer = String(decoding: stalled.readAll(), as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
    }
}
