import XCTest
@testable import webserv

/// webserv runs a configuration written with nginx's harmless directives
/// (those of its stock nginx.conf), and `server_tokens off` sends a Server
/// field without a version, as nginx does.
final class NginxDirectivesTests: XCTestCase {
    func testHarmlessNginxDirectivesRunAndServerTokensOffKeepsAnswersIntact() throws {
        let server = try ServerProcess(config: """
        daemon off;
        events { worker_connections 64; multi_accept on; use epoll; }
        http {
            sendfile on;
            tcp_nopush on;
            tcp_nodelay on;
            types_hash_max_size 2048;
            server_names_hash_bucket_size 64;
            keepalive_requests 1000;
            server_tokens off;
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
            }
        }
        """, files: ["www/index.html": "<p>hi</p>", "www/a.txt": "A"])
        defer { server.stop() }
        // Two requests on one keep-alive connection: the second answer is intact too.
        let client = try RawClient(port: server.ports[0])
        defer { client.close() }
        client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.bodyText, "<p>hi</p>")
        XCTAssertEqual(first.header("Server"), "webserv")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.bodyText, "A")
        XCTAssertEqual(second.header("Server"), "webserv")
    }
}
