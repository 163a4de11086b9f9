import XCTest
import ConfLang
@testable import webserv

final class CGIRequestTests: XCTestCase {
    private func route(_ config: String, _ path: String) throws -> (Router.Route, ServerConfig) {
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array("events { }\nhttp { server { listen 80; root \(NSTemporaryDirectory()); \(config) } }\n".utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined())
        let model = ModelBuilder.build(result.config, baseDirectory: "/srv")
        let router = Router(config: model)
        let server = try XCTUnwrap(router.servers.first)
        return (router.route(path, in: server), server.config)
    }

    func testScriptAndPathInfoForSuffixAndPrefixLocations() throws {
        let (suffix, _) = try route("location $ .py { cgi_path /bin/sh; }", "/a/b.py/x/y")
        XCTAssertEqual(suffix.cgiScript(for: "/a/b.py/x/y")?.script, "/a/b.py")
        XCTAssertEqual(suffix.cgiScript(for: "/a/b.py/x/y")?.pathInfo, "/x/y")
        let (prefix, _) = try route("location /cgi-bin/ { cgi_path /bin/sh; }", "/cgi-bin/run/extra")
        XCTAssertEqual(prefix.cgiScript(for: "/cgi-bin/run/extra")?.script, "/cgi-bin/run")
        XCTAssertEqual(prefix.cgiScript(for: "/cgi-bin/run/extra")?.pathInfo, "/extra")
        XCTAssertNil(prefix.cgiScript(for: "/cgi-bin/"))
    }

    func testEnvironment() throws {
        let name = "env-\(UInt32.random(in: 0...UInt32.max)).py"
        XCTAssertTrue(FileManager.default.createFile(atPath: NSTemporaryDirectory() + name, contents: Data("x".utf8)))
        let path = "/\(name)/more"
        let (route, server) = try route("server_name example.test; location $ .py { cgi_path /bin/sh; }", path)
        let parser = RequestParser()
        let raw = "POST \(path)?a=1 HTTP/1.1\r\nHost: h\r\nX-Secret-Header: s\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nX-Secret-Header: t\r\n\r\n"
        guard case .head = parser.parse(Array(raw.utf8)), let head = parser.head else { return XCTFail("parse") }
        guard case .success(let request) = CGIRequest.make(head: head, route: route, interpreter: "/bin/sh", server: server,
                                                           address: .init(host: "*", port: 80), peer: ("10.1.2.3", 4444)) else {
            return XCTFail("no request")
        }
        let env = request.environment
        XCTAssertEqual(env["GATEWAY_INTERFACE"], "CGI/1.1")
        XCTAssertEqual(env["SERVER_NAME"], "example.test")
        XCTAssertEqual(env["SERVER_PORT"], "80")
        XCTAssertEqual(env["REQUEST_METHOD"], "POST")
        XCTAssertEqual(env["REQUEST_URI"], "\(path)?a=1")
        XCTAssertEqual(env["QUERY_STRING"], "a=1")
        XCTAssertEqual(env["SCRIPT_NAME"], "/\(name)")
        XCTAssertEqual(env["PATH_INFO"], "/more")
        XCTAssertEqual(env["CONTENT_LENGTH"], "3")
        XCTAssertEqual(env["CONTENT_TYPE"], "text/plain")
        XCTAssertEqual(env["REMOTE_ADDR"], "10.1.2.3")
        XCTAssertEqual(env["REMOTE_PORT"], "4444")
        XCTAssertEqual(env["REDIRECT_STATUS"], "200")
        XCTAssertEqual(env["HTTP_X_SECRET_HEADER"], "s, t", "repeated fields are joined")
        XCTAssertNil(env["HTTP_CONTENT_LENGTH"])
        XCTAssertEqual(request.workingDirectory + "/" + name, request.scriptFile)
    }

    func testMissingScriptIs404() throws {
        let (route, server) = try route("location $ .py { cgi_path /bin/sh; }", "/missing-script.py")
        let parser = RequestParser()
        guard case .head = parser.parse(Array("GET /missing-script.py HTTP/1.1\r\nHost: h\r\n\r\n".utf8)), let head = parser.head else { return XCTFail() }
        guard case .failure(.status(let status)) = CGIRequest.make(head: head, route: route, interpreter: "/bin/sh", server: server,
                                                                   address: .init(host: "*", port: 80), peer: ("", 0)) else { return XCTFail() }
        XCTAssertEqual(status, 404)
    }
}

final class CGIResponseParserTests: XCTestCase {
    private func parse(_ text: String, step: Int = Int.max) -> UpstreamHeadResult {
        var parser = CGIResponseParser()
        let bytes = Array(text.utf8)
        var result = UpstreamHeadResult.needMore
        var start = 0
        while start < bytes.count, result == .needMore {
            result = parser.feed(bytes[start..<min(bytes.count, start + step)])
            start += step
        }
        return result
    }

    func testHeaderBlocks() {
        XCTAssertEqual(parse("Content-Type: text/plain\r\n\r\nbody", step: 1),
                       .complete(status: 200, headers: [.init(name: "Content-Type", value: "text/plain")], bodyStart: 28))
        XCTAssertEqual(parse("Status: 404 Not Found\nContent-Type: text/html\n\n"),
                       .complete(status: 404, headers: [.init(name: "Content-Type", value: "text/html")], bodyStart: 47))
        XCTAssertEqual(parse("Location: http://x/\n\n"),
                       .complete(status: 302, headers: [.init(name: "Location", value: "http://x/")], bodyStart: 21))
    }

    func testInvalidBlocks() {
        XCTAssertEqual(parse("no colon here\n\n"), .invalid)
        XCTAssertEqual(parse("X-Only: 1\n\n"), .invalid, "needs Content-Type, Location or Status")
        XCTAssertEqual(parse("Status: abc\n\n"), .invalid)
        XCTAssertEqual(parse("Content-Type: a\rb\n\n"), .invalid)
        XCTAssertEqual(parse("Content-Type: text/plain\n"), .needMore)
    }

    func testTheHeaderBoundHoldsHoweverTheBlockArrives() {
        // Found by the cgi_response fuzz target: a block over the bound was
        // complete in one read and invalid in small ones.
        let limit = CGIResponseParser.maxHeaderBytes
        for (length, valid) in [(limit, true), (limit + 1, false), (limit + 6_000, false)] {
            let filler = "X: " + String(repeating: "a", count: length - "X: \nContent-Type: t\n\n".utf8.count) + "\n"
            let block = filler + "Content-Type: t\n\n"
            XCTAssertEqual(block.utf8.count, length)
            for step in [Int.max, 65536, 256] {
                let result = parse(block + "body", step: step)
                if valid { XCTAssertEqual(result, .complete(status: 200, headers: [.init(name: "X", value: String(filler.dropFirst(3).dropLast())), .init(name: "Content-Type", value: "t")], bodyStart: length), "\(length) step \(step)") }
                else { XCTAssertEqual(result, .invalid, "\(length) step \(step)") }
            }
        }
    }
}
