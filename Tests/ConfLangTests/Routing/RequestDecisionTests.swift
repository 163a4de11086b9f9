import XCTest
@testable import ConfLang

/// The order of answers webserv and `confcheck --explain` share.
final class RequestDecisionTests: XCTestCase {
    private func router(_ http: String) throws -> Router {
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array("events { }\nhttp {\n\(http)\n}\n".utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
    }

    private let site = """
    server {
        listen 80;
        root /www;
        client_max_body_size 10;
        location = /gone { return 410; }
        location = /only-get { return 301 /x; }
        location /api/ { proxy_pass http://127.0.0.1:9000/; allow_methods GET POST; }
        location /cgi/ { cgi_path /bin/sh; }
        location /store/ { upload_store /tmp; allow_methods GET PUT POST DELETE OPTIONS; }
        location /any/ { allow_methods GET POST OPTIONS; }
    }
    server { listen 81; return 418; }
    """

    private func decide(_ method: String, _ path: String, length: Int? = nil, port: Int = 80) throws -> RequestDecision {
        let router = try router(site)
        let (server, route) = try XCTUnwrap(router.settings(on: .init(host: "*", port: port), host: "x", path: path))
        return RequestDecision.decide(method: method, contentLength: length, server: server, route: route)
    }

    /// As nginx, which passes every method to an upstream: a proxy location
    /// allows them all unless its own allow_methods says otherwise (and a `$`
    /// overlay that proxies, over a base that does not, too).
    func testAProxyLocationAllowsEveryMethodByDefault() throws {
        let router = try router("""
        server {
            listen 80;
            location /open/ { proxy_pass http://127.0.0.1:9000/v1/; }
            location /limited/ { proxy_pass http://127.0.0.1:9000/; allow_methods GET POST; }
            location /files/ { }
            location $ .api { proxy_pass http://127.0.0.1:9001; }
        }
        """)
        func decide(_ method: String, _ path: String) throws -> RequestDecision {
            let (server, route) = try XCTUnwrap(router.settings(on: .init(host: "*", port: 80), host: "x", path: path))
            return RequestDecision.decide(method: method, contentLength: nil, server: server, route: route)
        }
        let upstream = Values.ProxyURL(host: "127.0.0.1", port: 9000, path: "/v1/")
        for method in Values.knownMethods { XCTAssertEqual(try decide(method, "/open/x"), .proxy(upstream), method) }
        XCTAssertEqual(try decide("DELETE", "/limited/x"), .methodNotAllowed, "its own allow_methods holds")
        XCTAssertEqual(try decide("PUT", "/files/x.api"), .proxy(Values.ProxyURL(host: "127.0.0.1", port: 9001, path: nil)))
        XCTAssertEqual(try decide("PUT", "/files/x"), .methodNotAllowed, "elsewhere the default is GET")
    }

    func testTheOrderOfAnswers() throws {
        XCTAssertEqual(try decide("BREW", "/", length: 100, port: 81), .serverReturn(ReturnAction(code: 418, text: nil)),
                       "a server's return comes before everything")
        XCTAssertEqual(try decide("DELETE", "/", length: 11), .contentTooLarge(limit: 10), "413 before the method")
        XCTAssertEqual(try decide("BREW", "/api"), .redirectToSlash, "the slash redirect before 501")
        XCTAssertEqual(try decide("BREW", "/"), .notImplemented)
        XCTAssertEqual(try decide("POST", "/only-get"), .methodNotAllowed, "405 before the location's return")
        XCTAssertEqual(try decide("GET", "/gone"), .locationReturn(ReturnAction(code: 410, text: nil)))
        XCTAssertEqual(try decide("GET", "/cgi/x"), .cgi(interpreter: "/bin/sh"))
        XCTAssertEqual(try decide("POST", "/api/x"), .proxy(Values.ProxyURL(host: "127.0.0.1", port: 9000, path: "/")))
        XCTAssertEqual(try decide("HEAD", "/a"), .staticFile)
        XCTAssertEqual(try decide("PUT", "/store/a"), .upload(store: "/tmp"))
        XCTAssertEqual(try decide("OPTIONS", "/store/a"), .unhandledMethod)
        XCTAssertEqual(try decide("POST", "/any/a"), .unhandledMethod, "allowed, but no store, script or upstream")
    }

    func testStatusesAndAllow() throws {
        XCTAssertEqual(RequestDecision.contentTooLarge(limit: 1).status, 413)
        XCTAssertEqual(RequestDecision.redirectToSlash.status, 301)
        XCTAssertEqual(RequestDecision.unhandledMethod.status, 405)
        XCTAssertNil(RequestDecision.staticFile.status)
        let router = try router(site)
        let server = try XCTUnwrap(router.servers.first)
        XCTAssertEqual(RequestDecision.allowHeader(for: router.route("/store/x", in: server).settings), "GET, HEAD, POST, PUT, DELETE, OPTIONS")
        XCTAssertEqual(RequestDecision.allowHeader(for: router.route("/", in: server).settings), "GET, HEAD")
    }

    func testServerChoiceSaysWhy() throws {
        let router = try router("""
        server { listen 80; server_name a.test; }
        server { listen 80 default_server; server_name *.b.test b.*; }
        server { listen 80; server_name *.x.b.test; }
        server { listen 90; }
        """)
        let address = Values.ListenAddress(host: "*", port: 80)
        XCTAssertEqual(router.chooseServer(for: address, host: "A.test:80")?.choice, .exactName)
        XCTAssertEqual(router.chooseServer(for: address, host: "y.x.b.test")?.index, 2)
        XCTAssertEqual(router.chooseServer(for: address, host: "y.x.b.test")?.choice, .wildcardName("*.x.b.test"))
        XCTAssertEqual(router.chooseServer(for: address, host: "other")?.choice, .defaultServer)
        XCTAssertEqual(router.chooseServer(for: .init(host: "*", port: 90), host: nil)?.choice, .firstServer)
        XCTAssertEqual(router.serverIndices(on: address), [0, 1, 2])
    }
}

/// A `$` overlay that names a handler (fastcgi_pass, proxy_pass, cgi_path)
/// is answered by it, not by one its base names: nginx's regex location
/// replaces the prefix location's content handler, and `location / {
/// proxy_pass ...; }` beside `location $ .php { fastcgi_pass ...; }` is how
/// a PHP site behind an application server is written.
final class OverlayHandlerTests: XCTestCase {
    func testTheOverlaysHandlerAnswersAndTheBasesOthersStandAside() throws {
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array("""
        events { }
        http {
            server {
                listen 80;
                root /www;
                location / { proxy_pass http://127.0.0.1:9000; }
                location /scripts/ { cgi_path /bin/sh; }
                location $ .php { fastcgi_pass 127.0.0.1:9001; }
                location $ .api { proxy_pass http://127.0.0.1:9002; }
                location $ .txt { expires 1d; }
            }
        }
        """.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
        func decide(_ path: String) throws -> RequestDecision {
            let (server, route) = try XCTUnwrap(router.settings(on: .init(host: "*", port: 80), host: "x", path: path))
            return RequestDecision.decide(method: "GET", contentLength: nil, server: server, route: route)
        }
        XCTAssertEqual(try decide("/index.php"), .fastcgi(.tcp(host: "127.0.0.1", port: 9001)), "not the base's proxy")
        XCTAssertEqual(try decide("/scripts/run.php"), .fastcgi(.tcp(host: "127.0.0.1", port: 9001)), "not the base's CGI")
        XCTAssertEqual(try decide("/scripts/x.api"), .proxy(Values.ProxyURL(host: "127.0.0.1", port: 9002, path: nil)))
        XCTAssertEqual(try decide("/a.txt"), .proxy(Values.ProxyURL(host: "127.0.0.1", port: 9000, path: nil)),
                       "an overlay that names no handler keeps its base's")
    }
}
