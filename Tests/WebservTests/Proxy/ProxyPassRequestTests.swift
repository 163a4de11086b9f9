import XCTest
import Foundation
@testable import webserv

/// nginx's proxy_pass_request_headers, proxy_pass_request_body and
/// proxy_set_body: what of the client's request goes up. The upstream
/// echoes the head and body it got; two requests share each connection, so a
/// body left unread (or read as the next request) would show.
final class ProxyPassRequestTests: XCTestCase {
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
                location /noheaders/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_pass_request_headers off;
                    proxy_set_header X-Kept "$http_x_tag";
                }
                location /nobody/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_pass_request_body off;
                }
                location /setbody/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_set_body "user=$arg_u&method=$request_method";
                }
                location /plain/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
            }
        }
        """)
    }

    override func tearDown() {
        server?.stop()
        upstream?.stop()
    }

    /// The echoed head's fields by lower-case name, and the echoed body.
    private func echoed(_ response: HTTPTestResponse) -> (fields: [String: [String]], body: String) {
        let parts = response.bodyText.components(separatedBy: "BODY:")
        var fields: [String: [String]] = [:]
        for line in parts[0].split(separator: "\n").dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 { fields[pair[0].lowercased(), default: []].append(pair[1]) }
        }
        return (fields, parts.count > 1 ? parts[1] : "")
    }

    func testWithoutRequestHeadersOnlyConfiguredAndWebservsOwnFieldsGoUp() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET /noheaders/x HTTP/1.1\r\nHost: shop.example\r\nX-Tag: t1\r\nCookie: a=1\r\nUser-Agent: ua\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200, first.head)
        let sent = echoed(first).fields
        XCTAssertEqual(sent["x-kept"], ["t1"], "proxy_set_header still applies, with the client's field as a variable")
        XCTAssertEqual(sent["host"], ["127.0.0.1:\(upstream.port)"], "$proxy_host, as nginx's default")
        XCTAssertNil(sent["cookie"])
        XCTAssertNil(sent["user-agent"])
        XCTAssertNil(sent["x-tag"])
        XCTAssertEqual(sent["x-forwarded-for"], ["127.0.0.1"], "webserv's own, without the client's")
        // A body still goes up with its framing; the same connection goes on.
        client.send("POST /noheaders/y HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 3\r\nX-Tag: t2\r\n\r\nabc")
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(second.status, 200, second.head)
        XCTAssertTrue(second.bodyText.hasPrefix("POST /y HTTP/1.1\n"), second.bodyText)
        XCTAssertEqual(echoed(second).fields["content-length"], ["3"])
        XCTAssertEqual(echoed(second).body, "abc")
        XCTAssertEqual(echoed(second).fields["x-kept"], ["t2"])
    }

    func testWithoutRequestBodyNeitherTheBodyNorItsFramingGoesUpAndTheNextRequestIsIntact() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        // The body is read by webserv and dropped, never taken for a request.
        client.send("POST /nobody/a HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200, first.head)
        XCTAssertTrue(first.bodyText.hasPrefix("POST /a HTTP/1.1\n"), first.bodyText)
        XCTAssertNil(echoed(first).fields["content-length"])
        XCTAssertNil(echoed(first).fields["transfer-encoding"])
        XCTAssertEqual(echoed(first).fields["content-type"], ["text/plain"], "the fields still go up")
        XCTAssertEqual(echoed(first).body, "")
        client.send("PUT /nobody/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(second.status, 200, second.head)
        XCTAssertTrue(second.bodyText.hasPrefix("PUT /b HTTP/1.1\n"), second.bodyText)
        XCTAssertNil(echoed(second).fields["transfer-encoding"])
        XCTAssertEqual(echoed(second).body, "")
        client.send("GET /plain/c HTTP/1.1\r\nHost: x\r\n\r\n")
        let third = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(third.status, 200, third.head)
        XCTAssertTrue(third.bodyText.hasPrefix("GET /c HTTP/1.1\n"), third.bodyText)
    }

    /// As nginx, a body that does not go up is still read whole (and dropped)
    /// before the request goes up, however slowly it comes, and the connection
    /// then carries the next request: here the body's second part comes after
    /// a pause in which an upstream given the request at once would have answered.
    func testASlowBodyThatDoesNotGoUpKeepsTheConnection() throws {
        let bodies = [("Content-Length: 11\r\n", "hello", " world"), ("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n", "6\r\n world\r\n0\r\n\r\n")]
        for (location, (framing, first, second)) in [("nobody", bodies[0]), ("nobody", bodies[1]), ("setbody", bodies[0])] {
            let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
            client.send("POST /\(location)/paused HTTP/1.1\r\nHost: x\r\n\(framing)\r\n\(first)")
            Thread.sleep(forTimeInterval: 0.5)
            client.send(second)
            let answer = try XCTUnwrap(client.readResponse(), "\(location) \(framing)")
            XCTAssertEqual(answer.status, 200, answer.head)
            XCTAssertTrue(answer.bodyText.hasPrefix("POST /paused HTTP/1.1\n"), answer.bodyText)
            XCTAssertEqual(answer.header("Connection"), "keep-alive", "\(location) \(framing)")
            client.send("GET /plain/next HTTP/1.1\r\nHost: x\r\n\r\n")
            let next = try XCTUnwrap(client.readResponse(), "\(location) \(framing): the next request on the connection")
            XCTAssertEqual(next.status, 200, next.head)
            XCTAssertTrue(next.bodyText.hasPrefix("GET /next HTTP/1.1\n"), next.bodyText)
        }
    }

    func testSetBodyIsSentInsteadOfTheClientsBody() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("POST /setbody/s?u=ann HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nignored")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200, first.head)
        XCTAssertEqual(echoed(first).body, "user=ann&method=POST")
        XCTAssertEqual(echoed(first).fields["content-length"], ["20"])
        // Without a body of the client's, the configured one still goes.
        client.send("GET /setbody/t?u=bob HTTP/1.1\r\nHost: x\r\n\r\n")
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(second.status, 200, second.head)
        XCTAssertTrue(second.bodyText.hasPrefix("GET /t?u=bob HTTP/1.1\n"), second.bodyText)
        XCTAssertEqual(echoed(second).body, "user=bob&method=GET")
    }
}
