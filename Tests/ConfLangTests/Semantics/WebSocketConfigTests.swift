import XCTest
@testable import ConfLang

/// The configuration every WebSocket guide gives (nginx's documentation,
/// its blog's `map $http_upgrade $connection_upgrade`) lints and builds
/// unchanged; `proxy_http_version` is a real setting, checked as nginx does.
final class WebSocketConfigTests: XCTestCase {
    private static let guide = """
    events { }
    http {
        map $http_upgrade $connection_upgrade {
            default upgrade;
            ''      close;
        }
        server {
            listen 8080;
            location /chat/ {
                proxy_pass http://127.0.0.1:9000;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection "upgrade";
            }
            location /ws/ {
                proxy_pass http://127.0.0.1:9000;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection $connection_upgrade;
                proxy_set_header Host $host;
                proxy_read_timeout 3600s;
            }
            location /old/ { proxy_pass http://127.0.0.1:9000; proxy_http_version 1.0; }
        }
    }
    """

    func testTheGuidesConfigurationLintsClean() {
        XCTAssertEqual(findings(WebSocketConfigTests.guide), [])
    }

    func testProxyHTTPVersionReachesTheModel() {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(WebSocketConfigTests.guide.utf8))
        let locations = ModelBuilder.build(result.config, baseDirectory: "/srv/conf").servers[0].locations
        XCTAssertEqual(locations.map(\.proxyHTTPMinorVersion), [1, 1, 0])
        XCTAssertEqual(locations[1].proxySetHeaders.map(\.name), ["Upgrade", "Connection", "Host"])
        let plain = ModelBuilder.build(Linter.lint(path: "/srv/conf/test.conf", bytes: Array(site("location / { }").utf8)).config,
                                       baseDirectory: "/srv/conf")
        XCTAssertEqual(plain.servers[0].locations[0].proxyHTTPMinorVersion, 1, "webserv's default: HTTP/1.1 (keep-alive without being told)")
    }

    func testOnlyTheTwoVersionsAreAccepted() {
        XCTAssertEqual(findings(site("location / { proxy_http_version 2.0; }")), ["4:33 error directive.arguments"])
        XCTAssertEqual(findings(site("location / { proxy_http_version 1.1 1.0; }")).map { $0.hasSuffix("error directive.arguments") }, [true])
        XCTAssertEqual(findings(site("proxy_http_version 1.0;", http: "proxy_http_version 1.1;\n")), [])
    }
}
