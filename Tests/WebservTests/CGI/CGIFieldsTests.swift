import XCTest
import Foundation
@testable import webserv

/// What of the request's header fields reaches a script and an upstream:
/// fields named with underscores are dropped (nginx's default
/// `underscores_in_headers off`, so a client cannot pass `X_Foo` off as a
/// `X-Foo` a front proxy strips), and Cookie fields are joined with `; `.
final class CGIFieldsTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    override func setUpWithError() throws {
        upstream = try EchoUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log info;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location $ .py { cgi_path /usr/bin/python3; }
                location /api/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
            }
        }
        """, files: ["www/env.py": """
        import os, sys
        out = "".join(f"{k}={os.environ[k]}\\n" for k in sorted(os.environ) if k.startswith("HTTP_"))
        sys.stdout.write("Content-Type: text/plain\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(out), out))
        """])
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    private func environment(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in body.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    /// Two requests on one connection: the second answer is intact too.
    func testUnderscoredFieldsDoNotReachTheScriptAndCookiesAreJoined() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        let request = "GET /env.py HTTP/1.1\r\nHost: x\r\nX_Forwarded_User: admin\r\nX-Forwarded-User: guest\r\nX_Only: y\r\n"
            + "Cookie: a=1\r\nCookie: b=2\r\nAccept: text/plain\r\nAccept: text/html\r\n"
        client.send(request + "\r\n" + request + "Connection: close\r\n\r\n")
        for _ in 0..<2 {
            let response = try XCTUnwrap(client.readResponse())
            XCTAssertEqual(response.status, 200)
            let env = environment(response.bodyText)
            XCTAssertEqual(env["HTTP_X_FORWARDED_USER"], "guest", "only the field spelled with dashes")
            XCTAssertNil(env["HTTP_X_ONLY"])
            XCTAssertEqual(env["HTTP_COOKIE"], "a=1; b=2", "RFC 6265 5.4: one Cookie, pairs joined by '; '")
            XCTAssertEqual(env["HTTP_ACCEPT"], "text/plain, text/html", "other repeated fields join with ', '")
        }
        XCTAssertTrue(waitForLog("client sent invalid header line: \"X_Forwarded_User: admin\""), "logged at info")
    }

    func testUnderscoredFieldsAreNotProxied() throws {
        let response = try server.get("/api/echo", headers: "X_Forwarded_User: admin\r\nX-Forwarded-User: guest\r\n")
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.contains("\nX-Forwarded-User: guest\n"), response.bodyText)
        XCTAssertFalse(response.bodyText.contains("X_Forwarded_User"), response.bodyText)
    }

    private func waitForLog(_ text: String) -> Bool {
        for _ in 0..<100 {
            if let log = try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8), log.contains(text) { return true }
            usleep(100_000)
        }
        return false
    }
}
