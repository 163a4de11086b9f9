import XCTest
@testable import ConfLang

/// Directives that carry themselves: a table entry's `sets:` is the whole way
/// from a directive to the model, and the model builder names none of them.
/// `expires` was added through its entry and one field of `LocationConfig`.
final class DirectiveSettingTests: XCTestCase {
    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testExpiresReachesEveryLevelAndIsInherited() throws {
        let config = try model("""
        http {
            expires 1h;
            server { listen 8081; }
            server {
                listen 8082;
                expires modified 30d;
                location /inherits/ { }
                location /off/ { expires off; }
                location = /old { expires epoch; }
                location $ .js { expires max; }
                location $ .css { }
            }
        }
        """)
        XCTAssertEqual(config.servers[0].base.expires, .afterAccess(seconds: 3600), "from http")
        let server = config.servers[1]
        XCTAssertEqual(server.base.expires, .afterModification(seconds: 30 * 86_400), "the server's own")
        XCTAssertEqual(server.locations.map(\.expires), [.afterModification(seconds: 30 * 86_400), .off, .epoch])
        let router = VirtualServer(server)
        // A `$` location's setting is laid over each base; one without keeps the base's.
        XCTAssertEqual(router.overlays[2].map(\.settings.expires), [.max, .off])
        XCTAssertEqual(router.overlays[0].map(\.settings.expires), [.max, .afterModification(seconds: 30 * 86_400)])
    }

    /// The proxy's three timeouts are three settings of one field, each
    /// inherited on its own (nginx merges them one by one).
    func testProxyTimeoutsAreInheritedEachOnItsOwn() throws {
        let config = try model("""
        http {
            proxy_read_timeout 5s;
            server {
                listen 8081;
                proxy_connect_timeout 2s;
                location /a/ { proxy_pass http://127.0.0.1:9000; }
                location /b/ { proxy_pass http://127.0.0.1:9000; proxy_read_timeout 90s; proxy_send_timeout 1m; }
            }
            server { listen 8082; location / { } }
        }
        """)
        let (a, b) = (config.servers[0].locations[0].proxyTimeouts, config.servers[0].locations[1].proxyTimeouts)
        XCTAssertEqual([a.connectMilliseconds, a.sendMilliseconds, a.readMilliseconds], [2_000, 60_000, 5_000])
        XCTAssertEqual([b.connectMilliseconds, b.sendMilliseconds, b.readMilliseconds], [2_000, 60_000, 90_000])
        XCTAssertEqual(config.servers[1].locations[0].proxyTimeouts.readMilliseconds, 5_000, "from http")
    }

    func testExpiresDefaultsToOff() throws {
        XCTAssertEqual(try model("http { server { location / { } } }").servers[0].locations[0].expires, .off)
    }

    func testAnAccumulatingSettingReplacesWhatItInheritsAsAWhole() throws {
        let config = try model("""
        http {
            error_page 404 /404.html;
            error_page 500 502 /50x.html;
            server {
                location /own/ { error_page 403 /403.html; error_page 410 =200 /gone.html; }
                location /inherited/ { }
            }
        }
        """)
        let locations = config.servers[0].locations
        XCTAssertEqual(locations[0].errorPages.keys.sorted(), [403, 410])
        XCTAssertEqual(locations[0].errorPages[410], ErrorPage(target: "/gone.html", response: .code(200)))
        XCTAssertEqual(locations[1].errorPages.keys.sorted(), [404, 500, 502])
    }

    func testEveryInheritedSettingOfTheLanguageComesFromTheTable() {
        // Each (h) directive that has an effect carries its setting; the ones accepted for nginx's sake carry none,
        // nor do those nginx made obsolete (ignored with a warning).
        for spec in DirectiveTable.all where spec.contexts.contains(.location) && spec.body == .none && spec.name != "include" {
            XCTAssertEqual(spec.setting != nil, DirectiveTable.withoutEffect(spec) == nil && spec.name != "server_tokens"
                           && DirectiveTable.obsoleteReplacements[spec.name] == nil, spec.name)
        }
        XCTAssertEqual(DirectiveTable.all.filter { $0.setting?.merge == .accumulates }.map(\.name),
                       ["env", "map", "log_format", "upstream", "fastcgi_param", "error_page", "proxy_redirect", "proxy_set_header", "proxy_hide_header", "proxy_pass_header", "types", "add_header", "add_trailer", "allow", "deny"])
        // Main's and events' settings too, so the builder names no directive it sets a field from.
        XCTAssertEqual(DirectiveTable.all.filter { $0.setting?.main != nil }.map(\.name),
                       ["worker_processes", "error_log", "pid", "user", "worker_rlimit_nofile", "env", "worker_connections", "upstream"])
    }

    func testExpiresValues() {
        XCTAssertEqual(Expires.parse(["off"]), .off)
        XCTAssertEqual(Expires.parse(["-1"]), .afterAccess(seconds: -1))
        XCTAssertEqual(Expires.parse(["1h30m"]), .afterAccess(seconds: 5400))
        XCTAssertEqual(Expires.parse(["1y"]), .afterAccess(seconds: 365 * 86_400))
        XCTAssertEqual(Expires.parse(["modified", "-2d"]), .afterModification(seconds: -2 * 86_400))
        for bad in [["500ms"], ["@18h"], ["modified"], ["soon"], ["access", "1h"], ["-"], ["1h", "2h"]] {
            XCTAssertNil(Expires.parse(bad), "\(bad)")
        }
    }

    func testExpiresFieldsAreNginxs() throws {
        let now = 1_000_000
        XCTAssertNil(Expires.off.fields(now: now, lastModified: nil))
        XCTAssertEqual(Expires.epoch.fields(now: now, lastModified: nil)?.expires, 1)
        XCTAssertEqual(Expires.epoch.fields(now: now, lastModified: nil)?.cacheControl, "no-cache")
        XCTAssertEqual(Expires.max.fields(now: now, lastModified: nil)?.cacheControl, "max-age=315360000")
        XCTAssertEqual(Expires.afterAccess(seconds: 60).fields(now: now, lastModified: 5)?.expires, now + 60)
        XCTAssertEqual(Expires.afterAccess(seconds: 60).fields(now: now, lastModified: 5)?.cacheControl, "max-age=60")
        XCTAssertEqual(Expires.afterAccess(seconds: 0).fields(now: now, lastModified: nil)?.cacheControl, "max-age=0")
        XCTAssertEqual(Expires.afterAccess(seconds: -1).fields(now: now, lastModified: nil)?.expires, now - 1)
        XCTAssertEqual(Expires.afterAccess(seconds: -1).fields(now: now, lastModified: nil)?.cacheControl, "no-cache")
        // modified: from Last-Modified; max-age is what is left of it, no-cache once it is past.
        let modified = Expires.afterModification(seconds: 100)
        XCTAssertEqual(modified.fields(now: now, lastModified: now - 40)?.expires, now + 60)
        XCTAssertEqual(modified.fields(now: now, lastModified: now - 40)?.cacheControl, "max-age=60")
        XCTAssertEqual(modified.fields(now: now, lastModified: now - 400)?.cacheControl, "no-cache")
        XCTAssertEqual(modified.fields(now: now, lastModified: nil)?.cacheControl, "max-age=100", "without Last-Modified: after the answer")
        XCTAssertEqual([200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 100, 203, 300, 404, 500].filter(Expires.applies(toStatus:)),
                       [200, 201, 204, 206, 301, 302, 303, 304, 307, 308])
    }

    func testExpiresIsChecked() {
        func site(_ line: String) -> String { "http {\n    server {\n        location / {\n            \(line)\n        }\n    }\n}\n" }
        XCTAssertEqual(findings(site("expires 30d;")), [])
        XCTAssertEqual(findings(site("expires modified -1;")), [])
        XCTAssertEqual(findings(site("expires soon;")), ["4:21 error value.time"])
        XCTAssertEqual(findings(site("expires modified 1x;")), ["4:30 error value.time"])
        XCTAssertEqual(findings(site("expires access 1h;")), ["4:21 error value.time"])
        XCTAssertEqual(findings(site("expires modified;")), ["4:21 error value.time"])
        XCTAssertEqual(findings(site("expires @18h;")), ["4:21 error value.time"])
        XCTAssertEqual(findings(site("expires 1h 2h 3h;")), ["4:27 error directive.arguments"])
        XCTAssertTrue(diagnostics(site("expires @18h;")).first?.message.contains("time of day") == true)
        XCTAssertEqual(findings("http { expires 1h; server { expires 2h; expires 3h; } }\n").map { String($0.split(separator: " ")[2]) },
                       ["directive.duplicate"])
        XCTAssertEqual(findings("expires 1h;\n").map { String($0.split(separator: " ")[2]) }, ["directive.context"])
    }

    func testProxyRedirectIsChecked() {
        func site(_ line: String) -> String { "http {\n    server {\n        location / {\n            \(line)\n        }\n    }\n}\n" }
        XCTAssertEqual(findings(site("proxy_redirect off;")), [])
        XCTAssertEqual(findings(site("proxy_redirect http://a/ /b/;")), [])
        XCTAssertEqual(findings(site("proxy_redirect maybe;")), ["4:28 error value.proxy-url"])
        XCTAssertEqual(findings(site("proxy_redirect ~^http://a/(.*) /$1;")), ["4:28 error value.proxy-url"])
        XCTAssertEqual(findings(site("proxy_redirect off /b/;")), ["4:28 error value.proxy-url"])
        let model = ModelBuilder.build(Linter.lint(path: "/srv/t.conf", bytes: Array("""
        http { proxy_redirect off; server { location /a/ { } location /b/ { proxy_redirect http://x/ /y/; proxy_redirect default; } } }
        """.utf8)).config, baseDirectory: "/srv")
        XCTAssertEqual(model.servers[0].locations.map(\.proxyAnswer.redirects), [[], [.replace(from: "http://x/", to: "/y/"), .default]])
    }

    func testExpiresHoverAndCompletionComeFromItsEntry() throws {
        let (file, offset) = parsedAtCursor("http {\n    expi|res max;\n}\n")
        let (markdown, range) = try XCTUnwrap(DirectiveReference.hover(at: offset, in: file))
        XCTAssertEqual(range.text, "expires")
        XCTAssertTrue(markdown.contains("expires [modified] TIME|epoch|max|off;"), markdown)
        XCTAssertTrue(markdown.contains("**Default:** `off`"))
        XCTAssertTrue(markdown.contains("**Inherited:** yes"))
        let (valueFile, at) = parsedAtCursor("http { server { location / { expires | } } }")
        let cursor = CursorContext.at(at, in: valueFile, topContext: .main)
        XCTAssertEqual(Completion.candidates(at: cursor, mimeTypes: []).map(\.label), ["off", "epoch", "max", "modified"])
        let (nameFile, nameAt) = parsedAtCursor("http { server { location / { exp| } } }")
        let names = Completion.candidates(at: CursorContext.at(nameAt, in: nameFile, topContext: .main), mimeTypes: []).map(\.label)
        XCTAssertTrue(names.contains("expires"))
    }

    func testExplainShowsALaterSettingWhereItIsSet() throws {
        let directory = NSTemporaryDirectory() + "conflang-setting-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/webserv.conf"
        let text = """
        http {
            server {
                listen 8080;
                root \(directory);
                expires 1h;
                location /fresh/ { expires modified -1; }
                location /plain/ { expires off; }
            }
            server { listen 8081; root \(directory); }
        }
        """
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        guard case .success(let (config, _)) = Explainer.model(path: path, bytes: Array(text.utf8)) else { return XCTFail("refused") }
        func setting(_ url: String) throws -> Explanation.Setting? {
            try Explainer.explain(ExplainRequest(url: url), config: config).get().settings.first { $0.directive == "expires" }
        }
        let fromServer = try XCTUnwrap(setting("http://127.0.0.1:8080/a"))
        XCTAssertEqual(fromServer.value, "1h")
        XCTAssertEqual(fromServer.from, "server")
        XCTAssertEqual(fromServer.place, Explanation.Place(path: path, line: 5, column: 9))
        let fromLocation = try XCTUnwrap(setting("http://127.0.0.1:8080/fresh/a"))
        XCTAssertEqual(fromLocation.value, "modified -1")
        XCTAssertEqual(fromLocation.from, "location")
        XCTAssertEqual(try setting("http://127.0.0.1:8080/plain/a")?.value, "off")
        XCTAssertNil(try setting("http://127.0.0.1:8081/a"), "a later directive is shown only where a block sets it")
    }
}
