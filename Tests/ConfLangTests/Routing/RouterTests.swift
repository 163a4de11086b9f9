import XCTest
@testable import ConfLang

final class RouterTests: XCTestCase {
    private func config(_ http: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array("events { }\nhttp {\n\(http)\n}\n".utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv")
    }

    private let sites = """
    server { listen 8080; server_name first.test; root /first; }
    server { listen 8080 default_server; server_name second.test *.wild.test; root /second; }
    server { listen 8080; server_name www.*; root /third; }
    server { listen 127.0.0.1:9090; root /other; }
    """

    func testVirtualServerByName() throws {
        let router = Router(config: try config(sites))
        let address = Values.ListenAddress(host: "*", port: 8080)
        XCTAssertEqual(router.server(for: address, host: "first.test")?.config.base.root, "/first")
        XCTAssertEqual(router.server(for: address, host: "FIRST.test:8080")?.config.base.root, "/first")
        XCTAssertEqual(router.server(for: address, host: "a.wild.test")?.config.base.root, "/second")
        XCTAssertEqual(router.server(for: address, host: "www.example.org")?.config.base.root, "/third")
    }

    func testDefaultServerThenFirst() throws {
        let router = Router(config: try config(sites))
        XCTAssertEqual(router.server(for: .init(host: "*", port: 8080), host: "unknown.test")?.config.base.root, "/second")
        XCTAssertEqual(router.server(for: .init(host: "*", port: 8080), host: nil)?.config.base.root, "/second")
        XCTAssertEqual(router.server(for: .init(host: "127.0.0.1", port: 9090), host: "x")?.config.base.root, "/other")
        XCTAssertNil(router.server(for: .init(host: "*", port: 1), host: "x"))
    }

    private let locations = """
    server {
        listen 80;
        root /www;
        location = /exact { root /exact; }
        location / { root /slash; }
        location ^ /cgi/ { root /cgi; }
        location /cgi/deep/ { root /deep; }
        location $ .py { cgi_path /usr/bin/python3; allow_methods GET POST; }
        location $ .tar.py { cgi_path /bin/sh; }
    }
    """

    func testExactWins() throws {
        let router = Router(config: try config(locations))
        let server = try XCTUnwrap(router.servers.first)
        let route = router.route("/exact", in: server)
        XCTAssertEqual(route.settings.root, "/exact")
        XCTAssertNil(route.scriptPath)
        XCTAssertEqual(router.route("/exact/more", in: server).settings.root, "/slash")
    }

    func testLongestPrefixIsTheBase() throws {
        let router = Router(config: try config(locations))
        let server = try XCTUnwrap(router.servers.first)
        XCTAssertEqual(router.route("/cgi/x", in: server).settings.root, "/cgi")
        XCTAssertEqual(router.route("/cgi/deep/x", in: server).settings.root, "/deep")
        XCTAssertEqual(router.route("/cgi/deep/x", in: server).matchedPrefix, "/cgi/deep/")
        XCTAssertEqual(router.route("/other", in: server).settings.root, "/slash")
    }

    func testSuffixLocationIsLaidOverTheBase() throws {
        let router = Router(config: try config(locations))
        let server = try XCTUnwrap(router.servers.first)
        let route = router.route("/cgi/hello.py", in: server)
        XCTAssertEqual(route.settings.root, "/cgi")
        XCTAssertEqual(route.settings.cgiPath, "/usr/bin/python3")
        XCTAssertEqual(route.settings.allowedMethods, ["GET", "HEAD", "POST"])
        XCTAssertEqual(route.scriptPath, "/cgi/hello.py")
        XCTAssertNil(route.pathInfo)
    }

    func testPathInfoAfterTheScript() throws {
        let router = Router(config: try config(locations))
        let server = try XCTUnwrap(router.servers.first)
        let route = router.route("/cgi/hello.py/extra/path", in: server)
        XCTAssertEqual(route.scriptPath, "/cgi/hello.py")
        XCTAssertEqual(route.pathInfo, "/extra/path")
        XCTAssertEqual(route.settings.cgiPath, "/usr/bin/python3")
    }

    func testLongestSuffixWins() throws {
        let router = Router(config: try config(locations))
        let server = try XCTUnwrap(router.servers.first)
        XCTAssertEqual(router.route("/a.tar.py", in: server).settings.cgiPath, "/bin/sh")
    }

    func testServerBaseWhenNoPrefixMatches() throws {
        let router = Router(config: try config("server { listen 80; root /base; location /a/ { root /a; } location $ .py { cgi_path /bin/sh; } }"))
        let server = try XCTUnwrap(router.servers.first)
        let route = router.route("/b.py", in: server)
        XCTAssertEqual(route.settings.root, "/base")
        XCTAssertEqual(route.settings.cgiPath, "/bin/sh")
        XCTAssertEqual(route.matchedPrefix, "")
    }

    func testSplitRules() {
        XCTAssertEqual(Router.split("/x.py", suffix: ".py")?.script, "/x.py")
        XCTAssertNil(Router.split("/x.pyc", suffix: ".py"))
        XCTAssertEqual(Router.split("/a.py/b", suffix: ".py")?.info, "/b")
    }
}
