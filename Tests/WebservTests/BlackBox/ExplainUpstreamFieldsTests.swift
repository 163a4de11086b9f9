import Foundation
import XCTest

/// `confcheck --explain` lists the header fields of a proxied request; the
/// running webserv sends them to an upstream that echoes what it got. Both
/// come from one plan (`UpstreamFieldPlan`), so the lists are the same, in
/// order, for the client's fields, `proxy_pass_request_headers off`, an
/// empty `proxy_set_header` and a `proxy_set_body`.
final class ExplainUpstreamFieldsTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: EchoUpstream!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: ExplainAgreementTests.confcheck), "confcheck is not built")
        upstream = try EchoUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                server_name fields.test;
                location /plain/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
                location /noheaders/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_pass_request_headers off;
                    proxy_set_header X-Kept "$http_x_tag";
                }
                location /noforwarded/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_set_header X-Forwarded-For "";
                    proxy_set_header Host $host;
                    proxy_set_header User-Agent "";
                }
                location /setbody/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_set_body "method=$request_method";
                }
            }
        }
        """)
    }

    override func tearDown() {
        server?.stop()
        upstream?.stop()
    }

    private struct Case {
        let method: String
        let path: String
        var body = ""
    }

    /// The client's fields, sent to webserv and given to --explain alike.
    private let fields: [(name: String, value: String)] = [
        ("Host", "fields.test"), ("X-Tag", "t1"), ("User-Agent", "ua/1"), ("X-Forwarded-For", "192.0.2.9"),
        ("Connection", "keep-alive, X-Hop"), ("X-Hop", "hop"), ("Cookie", "a=1"),
    ]

    private let cases = [
        Case(method: "GET", path: "/plain/a"),
        Case(method: "POST", path: "/plain/b", body: "hello"),
        Case(method: "GET", path: "/noheaders/c"),
        Case(method: "POST", path: "/noheaders/d", body: "abc"),
        Case(method: "GET", path: "/noforwarded/e"),
        Case(method: "POST", path: "/setbody/f", body: "ignored"),
    ]

    func testExplainListsTheFieldsTheUpstreamGets() throws {
        for request in cases {
            var head = fields
            if !request.body.isEmpty { head.append(("Content-Length", String(request.body.utf8.count))) }
            let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
            client.send("\(request.method) \(request.path) HTTP/1.1\r\n" + head.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n" + request.body)
            let answer = try XCTUnwrap(client.readResponse(), request.path)
            XCTAssertEqual(answer.status, 200, "\(request.path): \(answer.head)")
            // The echo: the request line, then each field line as it came.
            let received = answer.bodyText.components(separatedBy: "\nBODY:")[0].split(separator: "\n").dropFirst().map { line -> String in
                let parts = line.split(separator: ":", maxSplits: 1)
                return "\(parts[0]): \(parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")"
            }

            var arguments = ["--explain", "http://127.0.0.1:\(server.ports[0])\(request.path)", "--method", request.method,
                             "--from", "127.0.0.1", "--format", "json"]
            for field in head { arguments += ["--header", "\(field.name): \(field.value)"] }
            let explained = try ExplainAgreementTests.explain(arguments + [server.configPath])
            let target = try XCTUnwrap(explained["target"] as? [String: Any], request.path)
            let listed = try XCTUnwrap(target["fields"] as? [[String: String]], "\(request.path): \(target)")
            XCTAssertEqual(listed.map { "\($0["name"] ?? ""): \($0["value"] ?? "")" }, received, request.path)
        }
    }
}
