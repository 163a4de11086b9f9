import XCTest
import Foundation

/// Keep-alive connections to upstreams: reused while they last, and a
/// connection the upstream closed never costs a failed request.
final class UpstreamKeepAliveTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    private func start(idleSeconds: Double = 5) throws {
        upstream = try EchoUpstream(idleSeconds: idleSeconds)
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                location /api/ { proxy_pass http://127.0.0.1:\(upstream.port)/; allow_methods GET POST; }
            }
        }
        """)
    }

    override func tearDown() {
        server?.stop()
        upstream?.stop()
    }

    /// How many connections the upstream has accepted (asked through the proxy).
    private func upstreamConnections() throws -> String {
        try server.get("/api/stats").bodyText
    }

    func testSequentialRequestsShareOneUpstreamConnection() throws {
        try start()
        for index in 0..<10 {
            let response = try server.get("/api/item/\(index)")
            XCTAssertEqual(response.status, 200, response.head)
            XCTAssertTrue(response.bodyText.hasPrefix("GET /item/\(index) HTTP/1.1"), response.bodyText)
        }
        // And on one keep-alive client connection.
        let client = try RawClient(port: server.ports[0])
        for index in 0..<5 {
            client.send("GET /api/again/\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(client.readResponse()?.status, 200)
        }
        XCTAssertEqual(try upstreamConnections(), "connections=1")
    }

    func testUpstreamClosingAnIdleConnectionCostsNoRequest() throws {
        try start(idleSeconds: 0.3)
        XCTAssertEqual(try server.get("/api/first").status, 200)
        Thread.sleep(forTimeInterval: 0.8)   // the upstream has closed the pooled connection
        let second = try server.get("/api/second")
        XCTAssertEqual(second.status, 200, second.head)
        XCTAssertTrue(second.bodyText.hasPrefix("GET /second "), second.bodyText)
        XCTAssertEqual(try upstreamConnections(), "connections=2")
    }

    func testAPooledConnectionClosedUnderARequestIsRetriedOnAFreshOne() throws {
        try start()
        // The upstream reads the next request on this connection and closes it
        // without an answer, as when its idle timeout races our request.
        XCTAssertEqual(try server.get("/api/drop-next").status, 200)
        let retried = try server.get("/api/after")
        XCTAssertEqual(retried.status, 200, retried.head)
        XCTAssertTrue(retried.bodyText.hasPrefix("GET /after "), retried.bodyText)
        XCTAssertEqual(try upstreamConnections(), "connections=2")
    }

    func testARequestWithABodyNeverTakesAPooledConnection() throws {
        try start()
        XCTAssertEqual(try server.get("/api/drop-next").status, 200)
        // Were it sent on the pooled connection, it would be lost (a body is not sent twice).
        let posted = try server.request("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        XCTAssertEqual(posted.status, 200, posted.head)
        XCTAssertTrue(posted.bodyText.hasSuffix("BODY:hello"), posted.bodyText)
    }
}
