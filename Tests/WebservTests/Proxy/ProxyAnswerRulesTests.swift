import XCTest
@testable import webserv

/// nginx's proxy_redirect, proxy_hide_header and proxy_pass_header on a
/// proxied server's answer, side by side with what nginx 1.22 sends for the
/// same configuration.
final class ProxyAnswerRulesTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: ScriptedUpstream!

    override func setUpWithError() throws {
        upstream = ScriptedUpstream(answers: [
            "/moved": [.init("HTTP/1.1 302 Found\r\nLocation: http://backend.internal/new/place\r\n"
                             + "Refresh: 3; URL=http://backend.internal/later\r\nContent-Length: 0\r\n\r\n")],
            "/own": [.init("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:UPSTREAM/elsewhere\r\nContent-Length: 0\r\n\r\n")],
            "/fields": [.init("HTTP/1.1 200 OK\r\nX-Powered-By: PHP/8.2\r\nX-Accel-Redirect: /internal/file\r\n"
                              + "X-Accel-Buffering: no\r\nX-Pad: avoid browser bug\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok")],
        ], replacing: "UPSTREAM")
        let port = upstream.port
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                location /default/ { proxy_pass http://127.0.0.1:\(port)/; }
                location /off/ { proxy_pass http://127.0.0.1:\(port)/; proxy_redirect off; }
                location /mapped/ {
                    proxy_pass http://127.0.0.1:\(port)/;
                    proxy_redirect http://backend.internal/ /mapped/;
                    proxy_redirect default;
                }
                location /hiding/ {
                    proxy_pass http://127.0.0.1:\(port)/;
                    proxy_hide_header X-Powered-By;
                    proxy_pass_header X-Accel-Buffering;
                }
            }
        }
        """)
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    private func get(_ path: String) throws -> HTTPTestResponse {
        try server.request("GET \(path) HTTP/1.1\r\nHost: site\r\nConnection: close\r\n\r\n")
    }

    func testProxyRedirectDefaultRewritesTheProxyPassURL() throws {
        XCTAssertEqual(try get("/default/own").header("Location"), "http://site:\(server.ports[0])/default/elsewhere")
        XCTAssertEqual(try get("/default/moved").header("Location"), "http://backend.internal/new/place", "another origin is left alone")
    }

    func testProxyRedirectOffPassesLocationAsItIs() throws {
        XCTAssertEqual(try get("/off/own").header("Location"), "http://127.0.0.1:\(upstream.port)/elsewhere")
    }

    /// The rules of a block apply in order, the first that matches; `default`
    /// may stand beside others; `Refresh`'s URL is rewritten too.
    func testProxyRedirectRulesRewriteLocationAndRefresh() throws {
        let moved = try get("/mapped/moved")
        XCTAssertEqual(moved.header("Location"), "http://site:\(server.ports[0])/mapped/new/place")
        XCTAssertEqual(moved.header("Refresh"), "3; URL=/mapped/later")
        XCTAssertEqual(try get("/mapped/own").header("Location"), "http://site:\(server.ports[0])/mapped/elsewhere")
    }

    func testHiddenFieldsAreNginxsAndTheConfigurationsOwn() throws {
        let hidden = try get("/hiding/fields")
        XCTAssertNil(hidden.header("X-Powered-By"), "proxy_hide_header")
        XCTAssertNil(hidden.header("X-Accel-Redirect"), "hidden by default, as nginx")
        XCTAssertNil(hidden.header("X-Pad"), "hidden by default, as nginx")
        XCTAssertEqual(hidden.header("X-Accel-Buffering"), "no", "proxy_pass_header")
        XCTAssertEqual(hidden.header("X-Kept"), "yes")
        let plain = try get("/default/fields")
        XCTAssertEqual(plain.header("X-Powered-By"), "PHP/8.2")
        XCTAssertNil(plain.header("X-Accel-Buffering"))
    }
}
