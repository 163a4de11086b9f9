import XCTest
import Foundation
@testable import webserv

/// proxy_pass against a small python upstream that echoes what it received.
final class ProxyTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!
    private var upstreamPort: Int { upstream.port }

    override func setUpWithError() throws {
        upstream = try EchoUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /api/ { proxy_pass http://127.0.0.1:\(upstreamPort)/v1/; allow_methods GET POST HEAD; proxy_read_timeout 1s; }
                location /raw/ { proxy_pass http://127.0.0.1:\(upstreamPort); allow_methods GET POST; }
                location /down/ { proxy_pass http://127.0.0.1:PORT1; }
                location /self/ { proxy_pass http://127.0.0.1:PORT0/; }
            }
        }
        """, files: ["www/index.html": "local page"], portCount: 2)
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    private func fetch(_ raw: String) throws -> (head: String, body: String) {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send(raw)
        let all = client.readAll()
        guard let split = all.firstRange(of: Array("\r\n\r\n".utf8)) else { return (String(decoding: all, as: UTF8.self), "") }
        let head = String(decoding: all[..<split.lowerBound], as: UTF8.self)
        var body = Array(all[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") {
            var decoder = ChunkedDecoder()
            let copy = body
            body = decoder.decode(copy[...]).events.flatMap { event -> [UInt8] in
                if case .data(let range) = event { return Array(copy[range]) } else { return [] }
            }
        }
        return (head, String(decoding: body, as: UTF8.self))
    }

    /// webserv answers `Expect: 100-continue` itself: the upstream gets the
    /// body without the field (an upstream's own interim 100 would otherwise
    /// come where the answer is awaited).
    func testExpectIsAnsweredHereAndNotForwarded() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(client.readResponse(headRequest: true)?.status, 100)
        client.send("hello")
        let text = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
        XCTAssertTrue(text.hasSuffix("BODY:hello"), text)
        XCTAssertFalse(text.lowercased().contains("expect:"), text)
    }

    func testPathIsRewrittenAndHeadersAreSet() throws {
        let (head, body) = try fetch("GET /api/items?id=3 HTTP/1.1\r\nHost: front.test\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close, X-Hop\r\nX-Hop: secret\r\nX-Keep: kept\r\n\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertTrue(body.hasPrefix("GET /v1/items?id=3 HTTP/1.1\n"), body)
        XCTAssertTrue(body.contains("Host: 127.0.0.1:\(upstreamPort)\n"), body)
        XCTAssertTrue(body.contains("X-Forwarded-For: 10.0.0.1, 127.0.0.1\n"), body)
        XCTAssertTrue(body.contains("X-Forwarded-Proto: http\n"), body)
        XCTAssertTrue(body.contains("X-Keep: kept\n"), body)
        XCTAssertFalse(body.contains("X-Hop"), "fields named in Connection are hop-by-hop")
        XCTAssertFalse(head.contains("Keep-Alive"), "hop-by-hop fields of the answer are dropped")
        XCTAssertFalse(head.contains("upstream"), "our Server replaces the upstream's")
    }

    /// nginx's `proxy_redirect default`, then its absolute redirects: the
    /// upstream's own URL becomes the client's, other URLs pass as they are.
    func testUpstreamRedirectsPointBackAtTheProxy() throws {
        func location(_ path: String) throws -> String? {
            let (head, _) = try fetch("GET \(path) HTTP/1.1\r\nHost: front.test\r\nConnection: close\r\n\r\n")
            return head.split(separator: "\r\n").first { $0.hasPrefix("Location: ") }.map { String($0.dropFirst(10)) }
        }
        let front = "http://front.test:\(server.ports[0])"
        XCTAssertEqual(try location("/api/redirect-self?a=1"), front + "/api/next?a=1", "proxy_pass .../v1/ in location /api/")
        XCTAssertEqual(try location("/raw/redirect-self"), front + "/raw/next", "proxy_pass without a path")
        XCTAssertEqual(try location("/api/redirect-away"), "https://elsewhere.test/x")
    }

    func testWithoutPathTheRequestPathIsUnchanged() throws {
        let (_, body) = try fetch("GET /raw/a%20b?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(body.hasPrefix("GET /raw/a%20b?q HTTP/1.1\n"), body)
    }

    func testBodiesStreamUpAndResponsesOfEveryFraming() throws {
        let (_, posted) = try fetch("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        XCTAssertTrue(posted.hasSuffix("BODY:hello"), posted)
        let (_, chunkedUp) = try fetch("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        XCTAssertTrue(chunkedUp.contains("Transfer-Encoding: chunked\n"), chunkedUp)
        XCTAssertTrue(chunkedUp.hasSuffix("BODY:3\nabc\n0\n\n"), chunkedUp)
        let (chunkedHead, chunkedBody) = try fetch("GET /api/chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(chunkedHead.contains("X-Upstream: yes"), chunkedHead)
        XCTAssertTrue(chunkedBody.hasPrefix("GET /v1/chunked HTTP/1.1\n"), chunkedBody)
        let (closeHead, closeBody) = try fetch("GET /api/close HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(closeHead.hasPrefix("HTTP/1.1 201"), closeHead)
        XCTAssertTrue(closeBody.hasPrefix("GET /v1/close HTTP/1.1\n"), closeBody)
    }

    func testKeepAliveToTheClientAcrossProxiedRequests() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /api/one HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 200)
        client.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "local page")
    }

    func testUpstreamRefusedIs502AndSlowIs504() throws {
        XCTAssertEqual(try server.get("/down/x").status, 502)
        XCTAssertEqual(try server.get("/api/slow").status, 504)
    }

    func testProxyToAnotherServerBlock() throws {
        XCTAssertEqual(try server.get("/self/index.html").bodyText, "local page")
    }
}
