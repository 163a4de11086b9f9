import XCTest
@testable import ConfLang

/// Go-to-definition targets, and the walk that places a fragment's directives.
final class EditorDefinitionTests: XCTestCase {
    private let servers = """
    http {
        error_page 500 /shared.html;
        server {
            listen 8080;
            error_page 404 /errors/404.html;
            error_page 502 /50x.html;
            error_page 403 /cgi/x.py/info;
            location / { }
            location ^ /errors/ { }
            location /errors/4 { }
            location = /50x.html { }
            location ^ /50x { }
            location $ .py { }
        }
        server {
            listen 8081;
            location /shared { }
        }
    }
    """

    private func targetTexts(at needle: String, in text: String) -> [String] {
        let config = ConfigLoader().load(path: "/nonexistent/d.conf", bytes: Array(text.utf8))
        let offset = Array(text.utf8).firstRange(of: Array(needle.utf8)).map { $0.lowerBound + 1 } ?? 0
        let placements = Placements(root: config.main, context: .main)
        return Definitions.targets(at: offset, in: config.main, placements: placements).map { target in
            switch target {
            case .file(let path): return "file " + path
            case .range(let range): return range.text.components(separatedBy: " {").first ?? ""
            }
        }
    }

    func testLongestPrefixServesAnErrorPage() {
        XCTAssertEqual(targetTexts(at: "/errors/404.html", in: servers), ["location /errors/4"])
    }

    func testExactLocationWins() {
        XCTAssertEqual(targetTexts(at: "/50x.html", in: servers), ["location = /50x.html"])
    }

    func testSuffixLocationIsLaidOverItsBase() {
        XCTAssertEqual(targetTexts(at: "/cgi/x.py/info", in: servers), ["location /", "location $ .py"])
    }

    /// The Router's rules, not a copy of them: a proxy location's prefix without
    /// its '/' is answered by that location (its 301), as webserv and --explain do.
    func testAProxyPrefixWithoutItsSlashIsItsLocation() {
        let text = """
        http {
            server {
                listen 80;
                error_page 404 /api;
                location / { }
                location /api/ { proxy_pass http://127.0.0.1:9000; }
                location /app/ { }
            }
        }
        """
        XCTAssertEqual(targetTexts(at: "/api;", in: text), ["location /api/"])
        // Without proxy_pass or cgi_path there is no redirect: the longest prefix of '/app' is '/'.
        XCTAssertEqual(targetTexts(at: "/app;", in: text.replacingOccurrences(of: "404 /api;", with: "404 /app;")), ["location /"])
    }

    func testALocationThatCannotRouteIsPassedOver() {
        let text = "http { server { error_page 404 /x.py; location ~ /x { } location /x { } location $ .py { } } }"
        XCTAssertEqual(targetTexts(at: "/x.py;", in: text), ["location /x", "location $ .py"])
    }

    func testAnHTTPLevelErrorPageLooksInEveryServer() {
        XCTAssertEqual(targetTexts(at: "/shared.html", in: servers), ["location /", "location /shared"])
    }

    func testOnlyTheURIArgumentHasADefinition() {
        XCTAssertEqual(targetTexts(at: "404 /errors", in: servers), [])
    }

    func testIncludeLeadsToEveryGlobMatch() {
        let directory = temporaryTree(["sites/b.conf": "server { }\n", "sites/a.conf": "server { }\n", "sites/skip.txt": ""])
        let text = "http {\n    include sites/*.conf;\n}\n"
        let config = ConfigLoader().load(path: directory + "/main.conf", bytes: Array(text.utf8))
        let offset = Array(text.utf8).firstRange(of: Array("sites/".utf8))?.lowerBound ?? 0
        let targets = Definitions.targets(at: offset, in: config.main, placements: Placements(root: config.main, context: .main))
        let paths = targets.compactMap { target -> String? in if case .file(let path) = target { return path } else { return nil } }
        XCTAssertEqual(paths, [directory + "/sites/a.conf", directory + "/sites/b.conf"])
    }

    func testPlacementsGiveAFragmentItsContextAndServer() throws {
        let directory = temporaryTree([
            "locations.conf": "location / { error_page 404 /missing; }\nlocation /missing { }\n",
            "servers.conf": "server {\n    listen 80;\n    include locations.conf;\n}\n",
        ])
        let config = ConfigLoader().load(path: directory + "/main.conf", bytes: Array("http { include servers.conf; }\n".utf8))
        let placements = Placements(root: config.main, context: .main)
        let servers = try XCTUnwrap(config.files.first { $0.path.hasSuffix("servers.conf") })
        let locations = try XCTUnwrap(config.files.first { $0.path.hasSuffix("locations.conf") })
        XCTAssertEqual(placements.context(ofFile: servers), .http)
        XCTAssertEqual(placements.context(ofFile: locations), .server)
        XCTAssertEqual(placements.servers.count, 1)
        // The error_page in the fragment finds the location of its server, defined in the fragment too.
        let text = String(decoding: locations.source.bytes, as: UTF8.self)
        let offset = Array(text.utf8).firstRange(of: Array("/missing;".utf8)).map { $0.lowerBound + 2 } ?? 0
        let targets = Definitions.targets(at: offset, in: locations, placements: placements)
        guard case .range(let range)? = targets.first, targets.count == 1 else { return XCTFail("\(targets)") }
        XCTAssertTrue(range.text.hasPrefix("location /missing"))
    }
}
