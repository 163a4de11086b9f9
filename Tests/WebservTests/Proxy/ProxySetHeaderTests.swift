import XCTest
@testable import webserv

/// nginx's proxy_set_header: a configured field replaces the client's and
/// webserv's own of the same name, with variables; an empty value sends none;
/// a block with any replaces its parent's list. The upstream echoes the head it got.
final class ProxySetHeaderTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    override func setUpWithError() throws {
        upstream = try EchoUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            proxy_set_header X-From-Http yes;
            server {
                listen 127.0.0.1:PORT0;
                location /app/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_set_header Host $host;
                    proxy_set_header X-Real-IP $remote_addr;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Upstream $proxy_host;
                    proxy_set_header Accept-Language "";
                    proxy_set_header X-Injected $uri;
                }
                location /plain/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
                location /setfirst/ {
                    root DIR/www;
                    set $asked "$uri?$args";
                    try_files /found.txt =404;
                    proxy_pass http://127.0.0.1:\(upstream.port);
                    proxy_set_header X-Asked $asked;
                    proxy_set_header X-Now $uri;
                }
            }
        }
        """, files: ["www/found.txt": "found"])
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    /// The head the upstream received, its field lines by lower-case name.
    private func fields(_ target: String, extra: String = "") throws -> [String: [String]] {
        let answer = try server.request("GET \(target) HTTP/1.1\r\nHost: shop.example\r\n\(extra)Connection: close\r\n\r\n")
        XCTAssertEqual(answer.status, 200, answer.head)
        var result: [String: [String]] = [:]
        for line in answer.bodyText.components(separatedBy: "BODY:")[0].split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { result[parts[0].lowercased(), default: []].append(parts[1]) }
        }
        return result
    }

    func testConfiguredFieldsReplaceTheClientsAndWebservsOwn() throws {
        let sent = try fields("/app/x?v=1", extra: "X-Forwarded-For: 10.0.0.9\r\nAccept-Language: fr\r\nX-Real-IP: 6.6.6.6\r\n")
        XCTAssertEqual(sent["host"], ["shop.example"], "the client's host, not the upstream's")
        XCTAssertEqual(sent["x-real-ip"], ["127.0.0.1"], "the client's own field is not passed beside it")
        XCTAssertEqual(sent["x-forwarded-for"], ["10.0.0.9, 127.0.0.1"])
        XCTAssertEqual(sent["x-upstream"], ["127.0.0.1:\(upstream.port)"])
        XCTAssertNil(sent["accept-language"], "an empty value sends no field, not even the client's")
        XCTAssertNil(sent["x-from-http"], "a block with any replaces its parent's list")
        XCTAssertEqual(sent["x-forwarded-proto"], ["http"], "webserv's own stays where none replaces it")
    }

    /// A CR or LF a variable brings in never splits the request sent upstream.
    func testAVariableCannotSplitTheUpstreamRequest() throws {
        let sent = try fields("/app/a%0d%0aX-Evil:%201")
        XCTAssertNil(sent["x-evil"])
        XCTAssertEqual(sent["x-injected"], ["/app/a  X-Evil: 1"], "the decoded CR and LF became spaces")
    }

    /// nginx's phases: `set` runs in the rewrite phase, before try_files
    /// changes $uri to the file it found; the value it took stays.
    func testSetTakesItsValueBeforeTryFiles() throws {
        let sent = try fields("/setfirst/page?q=1")
        XCTAssertEqual(sent["x-asked"], ["/setfirst/page?q=1"], "set's $uri is the request's")
        XCTAssertEqual(sent["x-now"], ["/found.txt"], "after try_files, $uri is the file it found")
    }

    func testALocationWithoutAnyInheritsTheParentsList() throws {
        let sent = try fields("/plain/x")
        XCTAssertEqual(sent["x-from-http"], ["yes"])
        XCTAssertEqual(sent["host"], ["127.0.0.1:\(upstream.port)"], "nginx's default: $proxy_host")
    }
}
