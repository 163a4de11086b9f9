import XCTest
import Foundation
@testable import webserv

/// An internal redirect (error_page) keeps the request's header fields, as
/// nginx's does: a proxied error page gets them, and the access log line is
/// the original request's, with its Referer and User-Agent.
final class ErrorPageFieldsTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    override func setUpWithError() throws {
        upstream = try EchoUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                error_page 404 405 /api/notfound;
                location /api/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
                location /pages/ { error_page 404 /404.html; }
                location /form/ { allow_methods GET POST; }
            }
        }
        """, files: ["www/404.html": "not here, sorry", "www/form/page.html": "form"])
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    private static let fields = "User-Agent: probe/1.0\r\nCookie: session=abc\r\nReferer: http://localhost/from\r\n"

    func testAProxiedErrorPageGetsTheRequestsFieldsAndTheNextRequestIsIntact() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET /missing HTTP/1.1\r\nHost: localhost\r\n\(Self.fields)\r\n"
                    + "GET /form/page.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let page = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(page.status, 404)
        XCTAssertTrue(page.bodyText.hasPrefix("GET /notfound HTTP/1.1\n"), page.bodyText)
        XCTAssertTrue(page.bodyText.contains("\nUser-Agent: probe/1.0\n"), page.bodyText)
        XCTAssertTrue(page.bodyText.contains("\nCookie: session=abc\n"), page.bodyText)
        XCTAssertTrue(page.bodyText.contains("\nReferer: http://localhost/from\n"), page.bodyText)
        let next = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(next.status, 200)
        XCTAssertEqual(next.bodyText, "form")
    }

    /// The page is the error's answer, whole: the request's conditionals and
    /// Range are not applied to it (nginx applies them only to a 200).
    func testAStaticErrorPageIgnoresConditionalsAndRanges() throws {
        let response = try server.get("/pages/missing", headers: "Range: bytes=0-2\r\nIf-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT\r\n")
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.bodyText, "not here, sorry")
    }

    func testTheAccessLogHasTheOriginalRequestLineAndItsFields() throws {
        _ = try server.request("GET /missing HTTP/1.1\r\nHost: localhost\r\n\(Self.fields)Connection: close\r\n\r\n")
        _ = try server.request("POST /form/page.html HTTP/1.1\r\nHost: localhost\r\n\(Self.fields)Content-Length: 2\r\nConnection: close\r\n\r\nab")
        let lines = accessLog(lines: 2)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines.first?.contains("\"GET /missing HTTP/1.1\" 404 ") ?? false, "\(lines)")
        XCTAssertTrue(lines.last?.contains("\"POST /form/page.html HTTP/1.1\" 405 ") ?? false, "\(lines)")
        for line in lines { XCTAssertTrue(line.hasSuffix("\"http://localhost/from\" \"probe/1.0\""), line) }
    }

    /// Refused once its head was read (two Host fields): logged with its request line and user agent, as nginx.
    func testARejectedHeadIsLoggedWithItsRequestLineAndUserAgent() throws {
        let response = try server.request("GET /twice HTTP/1.1\r\nHost: a\r\nHost: b\r\nUser-Agent: probe/2.0\r\n\r\n")
        XCTAssertEqual(response.status, 400)
        let lines = accessLog(lines: 1)
        XCTAssertTrue(lines.first?.contains("\"GET /twice HTTP/1.1\" 400 ") ?? false, "\(lines)")
        XCTAssertTrue(lines.first?.hasSuffix("\"-\" \"probe/2.0\"") ?? false, "\(lines)")
    }

    /// The access log's lines once it has `count` (it is flushed every second), waiting up to ten seconds.
    private func accessLog(lines count: Int) -> [String] {
        var lines: [String] = []
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: server.directory + "/logs/access.log", encoding: .utf8)) ?? ""
            lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { break }
            usleep(100_000)
        }
        return lines
    }
}
