import XCTest
import Foundation
@testable import webserv

/// One request pipeline: only the deadlines of the state a request is in
/// apply, and every internal redirect (error_page, a script's local
/// Location) goes through the whole decision again.
final class RequestPipelineTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    private static let scripts: [String: String] = [
        // Longer than client_header_timeout, shorter than cgi_timeout.
        "www/cgi/slow.py": "import time\ntime.sleep(1.5)\nprint('Content-Type: text/plain'); print(); print('slow done')",
        "www/cgi/err.py": """
        import os
        print('Content-Type: text/plain'); print()
        print('error page script for ' + os.environ.get('REQUEST_URI', '?'))
        """,
        "www/cgi/hop.py": "print('Location: /cgi/target.py?from=hop'); print()",
        "www/cgi/target.py": "import os\nprint('Content-Type: text/plain'); print(); print('target ran ' + os.environ['QUERY_STRING'])",
        "www/cgi/tofile.py": "print('Location: /plain/file.txt'); print()",
        "www/cgi/cycle.py": "print('Location: /cgi/cycle.py'); print()",
        "www/hang/forever.py": "import time\nwhile True: time.sleep(1)",
        "www/plain/file.txt": "a file",
        "www/forbidden/note.txt": "no index here, no listing: 403",
    ]

    override func setUpWithError() throws {
        upstream = try EchoUpstream()
        let upstreamPort = upstream.port
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                client_header_timeout 1s;
                client_body_timeout 1s;
                error_page 404 /cgi/err.py;
                error_page 403 =200 /up/forbidden;
                location /cgi/ { cgi_path /usr/bin/python3; cgi_timeout 5s; allow_methods GET POST; }
                location /hang/ { cgi_path /usr/bin/python3; cgi_timeout 2s; }
                location /up/ { proxy_pass http://127.0.0.1:\(upstreamPort)/; send_timeout 5s; }
            }
        }
        """, files: RequestPipelineTests.scripts)
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    /// An HTTP/1.0 request: a script's answer without a length then ends at
    /// the close instead of coming chunked.
    private func get(_ path: String) throws -> (status: Int, bodyText: String) {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n")
        let all = client.readAll()
        guard let end = all.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else { return (0, "") }
        let head = HTTPTestResponse(head: String(decoding: all[..<end], as: UTF8.self))
        return (head.status, String(decoding: all[end...], as: UTF8.self))
    }

    func testSlowScriptIsAnsweredDespiteShortHeaderTimeout() throws {
        let response = try get("/cgi/slow.py")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "slow done\n")
    }

    func testSlowUpstreamIsAnsweredDespiteShortHeaderTimeout() throws {
        let response = try get("/up/late")
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.hasPrefix("GET /late HTTP/1.1"), response.bodyText)
    }

    func testScriptPastCgiTimeoutIs504NotAnEmptyReply() throws {
        let started = Date()
        let response = try get("/hang/forever.py")
        XCTAssertEqual(response.status, 504)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.5, "cgi_timeout (2s), not the header timeout (1s)")
    }

    func testErrorPageIntoACGILocationRunsTheScript() throws {
        let response = try get("/missing.html")
        XCTAssertEqual(response.status, 404, "the error's status, as nginx keeps it")
        XCTAssertEqual(response.bodyText, "error page script for /missing.html\n", "the script ran; its source is not served")
    }

    func testErrorPageIntoAProxyLocation() throws {
        let response = try get("/forbidden/")
        XCTAssertEqual(response.status, 200, "=200")
        XCTAssertTrue(response.bodyText.hasPrefix("GET /forbidden HTTP/1.1"), response.bodyText)
    }

    func testLocalRedirectRunsAnotherScriptOrServesAFile() throws {
        let hop = try get("/cgi/hop.py")
        XCTAssertEqual(hop.status, 200)
        XCTAssertEqual(hop.bodyText, "target ran from=hop\n")
        XCTAssertEqual(try get("/cgi/tofile.py").bodyText, "a file")
    }

    func testRedirectCycleEndsWith500AndIsLogged() throws {
        XCTAssertEqual(try get("/cgi/cycle.py").status, 500)
        let log = server.directory + "/logs/error.log"
        for _ in 0..<30 where !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("redirection cycle") { usleep(100_000) }
        XCTAssertTrue(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("internal redirection cycle"))
    }
}
