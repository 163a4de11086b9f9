import XCTest
@testable import webserv

/// Details users notice: charset, listings in UTF-8, PUT's Location, the
/// slash redirect of proxy and CGI prefixes, Post/Redirect/Get for forms.
final class HTTPDetailsTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            charset utf-8;
            types { text/html html; text/plain txt; image/png png; application/json json; }
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /list/ { autoindex on; charset off; }
                location /latin/ { charset iso-8859-1; }
                location /up/ {
                    allow_methods GET POST PUT;
                    alias DIR/store/;
                    upload_store DIR/store;
                    autoindex on;
                }
                location /proxied/ { proxy_pass http://127.0.0.1:PORT1/; }
                location /cgi/ { cgi_path /usr/bin/python3; }
                location /text { return 200 "plain words"; }
            }
        }
        """, files: [
            "www/index.html": "<p>hi</p>", "www/a.txt": "A", "www/p.png": "png", "www/d.json": "{}",
            "www/latin/l.html": "x", "www/list/résumé.txt": "cv", "store/.keep": "",
        ], portCount: 2)
    }

    override func tearDown() { server.stop() }

    func testPutThatCreatesAnswers201WithLocation() throws {
        let created = try server.request("PUT /up/new%20file.txt HTTP/1.1\r\nHost: Example:\(server.ports[0])\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.header("Location"), "http://example:\(server.ports[0])/up/new%20file.txt")
        let replaced = try server.request("PUT /up/new%20file.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nho")
        XCTAssertEqual(replaced.status, 204)
        XCTAssertNil(replaced.header("Location"))
    }

    func testProxyAndCGIPrefixesRedirectToTheirSlashForm() throws {
        let proxied = try server.get("/proxied?x=1")
        XCTAssertEqual(proxied.status, 301)
        XCTAssertEqual(proxied.header("Location"), "http://localhost:\(server.ports[0])/proxied/?x=1")
        XCTAssertEqual(try server.get("/cgi").status, 301)
        XCTAssertEqual(try server.get("/up").status, 404, "a static prefix is not redirected (nginx's rule)")
        XCTAssertEqual(try server.get("/proxiedx").status, 404, "only the prefix itself")
    }

    private func multipart(accept: String, referer: String? = nil) throws -> HTTPTestResponse {
        let body = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\nxyz\r\n--B--\r\n"
        let refererLine = referer.map { "Referer: \($0)\r\n" } ?? ""
        return try server.request("POST /up/ HTTP/1.1\r\nHost: localhost:\(server.ports[0])\r\nAccept: \(accept)\r\n\(refererLine)"
            + "Content-Type: multipart/form-data; boundary=B\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
    }

    func testBrowserFormUploadsArePostRedirectGet() throws {
        let origin = "http://localhost:\(server.ports[0])"
        let browser = try multipart(accept: "text/html,application/xhtml+xml,*/*;q=0.8", referer: origin + "/upload.html?x#top")
        XCTAssertEqual(browser.status, 303)
        XCTAssertEqual(browser.header("Location"), origin + "/upload.html?x")
        let foreign = try multipart(accept: "text/html", referer: "http://elsewhere.test/form")
        XCTAssertEqual(foreign.status, 303)
        XCTAssertEqual(foreign.header("Location"), origin + "/up/", "another site's page is not a target")
        let api = try multipart(accept: "*/*")
        XCTAssertEqual(api.status, 201, "API clients keep the 201 and the summary")
        XCTAssertTrue(api.bodyText.contains("a-2.bin"), api.bodyText)
        XCTAssertEqual(try multipart(accept: "application/json, text/html").status, 201)
    }
}
