import XCTest
@testable import webserv

/// A HEAD answer never has a body, whatever internal redirect made it (an
/// error_page, a script's local Location): a body there would be read as
/// the next answer on the connection. Each test pipelines a second request
/// and checks that its answer is intact.
final class HeadFramingTests: XCTestCase {
    private var server: ServerProcess!

    private static let files: [String: String] = [
        "www/index.html": "index page",
        "www/errors/404.html": "not found!",
        "www/cgi/page.py": "import os\nprint('Content-Type: text/plain'); print(); print('page for ' + os.environ['REQUEST_METHOD'])",
        "www/cgi/local.py": "print('Location: /index.html'); print()",
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
                error_page 404 /errors/404.html;
                location /cgi/ { cgi_path /usr/bin/python3; }
                location /scripted/ { error_page 404 /cgi/page.py; }
            }
        }
        """, files: HeadFramingTests.files)
    }

    override func tearDown() { server.stop() }

    /// Sends `first` (a HEAD) and a GET of /index.html at once; returns the HEAD's answer.
    private func headThenGet(_ first: String, file: StaticString = #filePath, line: UInt = #line) throws -> HTTPTestResponse {
        let client = try RawClient(port: server.ports[0])
        client.send(first + "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let head = try XCTUnwrap(client.readResponse(headRequest: true), file: file, line: line)
        let next = try XCTUnwrap(client.readResponse(), "the second answer", file: file, line: line)
        XCTAssertEqual(next.status, 200, next.head, file: file, line: line)
        XCTAssertEqual(next.bodyText, "index page", file: file, line: line)
        XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "", "nothing after the second answer", file: file, line: line)
        return head
    }

    func testHeadAnsweredByAScriptErrorPageHasNoBody() throws {
        let response = try headThenGet("HEAD /scripted/missing HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(response.status, 404)
        XCTAssertNil(response.header("Transfer-Encoding"), response.head)
    }

    func testHeadThroughAScriptsLocalRedirectHasNoBody() throws {
        let response = try headThenGet("HEAD /cgi/local.py HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Length"), "10")
    }
}
