import Foundation
import XCTest

/// `confcheck --explain` against the built webserv: for a matrix of
/// configurations and requests (exact, prefix and `$` locations, server_name
/// and the default server, slash redirects, 400, 403, 404, 405, 413, 501,
/// `return`, static hits), the status the explainer predicts, and its
/// Location and Allow, are what the running server answers.
final class ExplainAgreementTests: XCTestCase {
    private var server: ServerProcess!

    /// The built confcheck, beside the webserv the black-box tests start.
    static var confcheck: String {
        URL(fileURLWithPath: ServerProcess.binary).deletingLastPathComponent().appendingPathComponent("confcheck").path
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: ExplainAgreementTests.confcheck), "confcheck is not built")
        server = try ServerProcess(config: """
        events { }
        http {
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            client_max_body_size 1k;
            server {
                listen 127.0.0.1:PORT0;
                server_name first.test;
                root DIR/first;
            }
            server {
                listen 127.0.0.1:PORT0 default_server;
                server_name second.test *.wild.test;
                root DIR/second;
                error_page 403 /forbidden.html;
                location = /exact { return 200 "exact"; }
                location = /moved { return 301 /docs/; }
                location /docs/ { }
                location /nested/ { index index.html index.htm; }
                location /api/ { proxy_pass http://127.0.0.1:PORT1/v1/; }
                location /post/ { allow_methods GET POST; }
                location /small/ { client_max_body_size 10; allow_methods GET POST; }
                location /teapot/ { return 418; }
                location /aliased/ { alias DIR/first/; }
                location /found/ { error_page 404 =200 /docs/index.html; }
                location $ .txt { allow_methods GET DELETE; }
            }
            server {
                listen 127.0.0.1:PORT0;
                server_name gone.test;
                return 301 http://elsewhere.test/;
            }
        }
        """, files: [
            "first/index.html": "first",
            "second/index.html": "second",
            "second/docs/index.html": "docs",
            "second/a.txt": "a",
            "second/dir/.keep": "",
            // An index name that is a directory: its slash redirect (as nginx), not the next name.
            "second/nested/index.html/.keep": "",
            "second/nested/index.htm": "nested",
            "second/forbidden.html": "forbidden",
        ], portCount: 2)
    }

    override func tearDown() { server?.stop() }

    private struct Case {
        let method: String
        let path: String
        var host = "second.test"
        var body = ""

        var description: String { "\(method) \(path) (Host \(host))" }
    }

    private let cases: [Case] = [
        Case(method: "GET", path: "/"),
        Case(method: "GET", path: "/", host: "first.test"),
        Case(method: "GET", path: "/", host: "unknown.test"),
        Case(method: "GET", path: "/a.txt", host: "a.wild.test"),
        Case(method: "HEAD", path: "/a.txt"),
        Case(method: "GET", path: "/nested/"),
        Case(method: "GET", path: "/nested/index.html"),
        Case(method: "GET", path: "/exact"),
        Case(method: "GET", path: "/exact?q=1"),
        Case(method: "GET", path: "/exact/"),
        Case(method: "GET", path: "/moved"),
        Case(method: "GET", path: "/docs"),
        Case(method: "GET", path: "/docs/"),
        Case(method: "GET", path: "/docs/../a.txt"),
        Case(method: "GET", path: "/nothing"),
        Case(method: "GET", path: "/dir/"),
        Case(method: "GET", path: "/aliased/index.html"),
        Case(method: "GET", path: "/found/nothing"),
        Case(method: "GET", path: "/api"),
        Case(method: "GET", path: "/api?x=1"),
        Case(method: "GET", path: "/teapot/x"),
        Case(method: "DELETE", path: "/a.txt"),
        Case(method: "DELETE", path: "/"),
        Case(method: "POST", path: "/post/x", body: "hello"),
        Case(method: "POST", path: "/small/x", body: String(repeating: "x", count: 20)),
        Case(method: "POST", path: "/small/x", body: String(repeating: "x", count: 10)),
        Case(method: "BREW", path: "/"),
        Case(method: "GET", path: "/%2e%2e/x"),
        Case(method: "GET", path: "/", host: "gone.test"),
        Case(method: "GET", path: "/a.txt", host: "gone.test"),
    ]

    func testExplainPredictsWhatTheServerAnswers() throws {
        let port = server.ports[0]
        for request in cases {
            var text = "\(request.method) \(request.path) HTTP/1.1\r\nHost: \(request.host)\r\nConnection: close\r\n"
            if !request.body.isEmpty { text += "Content-Length: \(request.body.utf8.count)\r\n" }
            let answer = try server.request(text + "\r\n" + request.body, headRequest: request.method == "HEAD")

            var arguments = ["--explain", "http://127.0.0.1:\(port)\(request.path)", "--method", request.method,
                             "--header", "Host: \(request.host)", "--format", "json"]
            if !request.body.isEmpty { arguments += ["--header", "Content-Length: \(request.body.utf8.count)"] }
            let explained = try ExplainAgreementTests.explain(arguments + [server.configPath])
            let predicted = try XCTUnwrap(explained["answer"] as? [String: Any], request.description)
            let status = (predicted["finalStatus"] as? Int) ?? (predicted["status"] as? Int)
            XCTAssertEqual(status, answer.status, "\(request.description): \(predicted["reason"] ?? "")")
            let headers = predicted["headers"] as? [String: String] ?? [:]
            if let location = headers["Location"] {
                XCTAssertEqual(location, answer.header("Location"), request.description)
            }
            if let allow = headers["Allow"] {
                XCTAssertEqual(allow, answer.header("Allow"), request.description)
            }
            if answer.status == 405 { XCTAssertNotNil(headers["Allow"], request.description) }
            if answer.status == 301 { XCTAssertNotNil(headers["Location"], request.description) }
        }
    }

    /// Runs the built confcheck and parses its JSON.
    static func explain(_ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExplainAgreementTests.confcheck)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, arguments.joined(separator: " "))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
    }
}
