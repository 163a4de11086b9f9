import XCTest
import Foundation
@testable import webserv

/// A proxy location passes every method to its upstream, as nginx does,
/// unless its own allow_methods limits them.
final class ProxyMethodsTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    override func setUpWithError() throws {
        upstream = try EchoUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                location /api/ { proxy_pass http://127.0.0.1:\(upstream.port)/v1/; }
                location /limited/ { proxy_pass http://127.0.0.1:\(upstream.port)/; allow_methods GET; }
            }
        }
        """)
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    /// Every method on one keep-alive connection: each answer intact, and the next.
    func testEveryMethodReachesTheUpstream() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "GET"] {
            client.send("\(method) /api/items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
            let response = try XCTUnwrap(client.readResponse(), method)
            XCTAssertEqual(response.status, 200, method)
            XCTAssertTrue(response.bodyText.hasPrefix("\(method) /v1/items/1 HTTP/1.1\n"), response.bodyText)
            XCTAssertTrue(response.bodyText.hasSuffix("BODY:hi"), response.bodyText)
        }
    }

    func testItsOwnAllowMethodsStillLimits() throws {
        let response = try server.request("DELETE /limited/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")
    }
}
