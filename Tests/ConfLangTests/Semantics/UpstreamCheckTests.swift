import XCTest
@testable import ConfLang

/// `upstream NAME { ... }`: its entries (not the main table's directives),
/// the block, duplicate names, `proxy_pass` to a group, and the model.
final class UpstreamCheckTests: XCTestCase {
    private let resolvesAll = HostResolver { _ in true }

    private func group(_ body: String, proxy: String = "http://app") -> String {
        site("location / { proxy_pass \(proxy); }", http: "upstream app {\n\(body)\n}\n")
    }

    func testAValidGroupAndAProxyPassToIt() {
        let body = "server 127.0.0.1:9001 weight=3 max_fails=2 fail_timeout=5s;\nserver 127.0.0.1:9002 backup;\n"
            + "server 127.0.0.1:9003 down;\nkeepalive 16;\nkeepalive_timeout 30s;\nkeepalive_requests 100;\nzone app 64k;"
        XCTAssertEqual(findings(group(body), hostResolver: resolvesAll), ["9:1 note directive.no-effect", "10:1 note directive.no-effect"])
    }

    /// The group's name is not a host: it is never resolved (proxy.host-not-found fired for it).
    func testAGroupNameIsNotResolved() {
        let resolver = HostResolver { name in XCTAssertNotEqual(name.lowercased(), "app"); return false }
        XCTAssertEqual(findings(group("server 127.0.0.1:9001;", proxy: "http://APP/base/"), hostResolver: resolver), [])
        // Written after the server that names it, as nginx allows.
        let after = "events { }\nhttp {\nserver { location / { proxy_pass http://late; } }\nupstream late { server 127.0.0.1:1; }\n}\n"
        XCTAssertEqual(findings(after, hostResolver: resolver), [])
    }

    func testAnUnknownNameStaysAnError() {
        let found = findings(group("server 127.0.0.1:9001;", proxy: "http://other"), hostResolver: HostResolver { _ in false })
        XCTAssertEqual(found, ["7:25 error proxy.host-not-found"])
    }

    func testAGroupTakesNoPortInProxyPass() throws {
        let found = diagnostics(group("server 127.0.0.1:9001;", proxy: "http://app:8080"), hostResolver: resolvesAll)
        XCTAssertEqual(found.map(\.summary), ["7:25 error value.proxy-url"])
        XCTAssertTrue(try XCTUnwrap(found.first).message.contains("may not have port 8080"))
    }

    func testServerAddressesAndParameters() {
        XCTAssertEqual(findings(group("server unix:/run/app.sock;"), hostResolver: resolvesAll), ["4:8 error upstream.server"])
        XCTAssertEqual(findings(group("server 127.0.0.1:99999;"), hostResolver: resolvesAll), ["4:8 error upstream.server"])
        XCTAssertEqual(findings(group("server 127.0.0.1 weight=0;"), hostResolver: resolvesAll), ["4:18 error upstream.server"])
        XCTAssertEqual(findings(group("server 127.0.0.1 max_conns=5;"), hostResolver: resolvesAll), ["4:18 error upstream.server"])
        XCTAssertEqual(findings(group("server 127.0.0.1 fail_timeout=soon;"), hostResolver: resolvesAll), ["4:18 error upstream.server"])
        XCTAssertEqual(findings(group("server;\nserver 127.0.0.1;"), hostResolver: resolvesAll), ["4:1 error upstream.entry"])
        XCTAssertEqual(findings(group("server nowhere.test:80;"), hostResolver: HostResolver { _ in false }), ["4:8 error proxy.host-not-found"])
    }

    func testEntriesOtherThanTheGroupsAreRefused() {
        // `root` is a directive of the main table, not an entry of upstream.
        XCTAssertEqual(findings(group("server 127.0.0.1;\nroot /srv;"), hostResolver: resolvesAll), ["5:1 error upstream.entry"])
        XCTAssertEqual(findings(group("server 127.0.0.1;\nkeepalive 0;"), hostResolver: resolvesAll), ["5:11 error upstream.entry"])
        XCTAssertEqual(findings(group("server 127.0.0.1;\nhash $cookie_id;"), hostResolver: resolvesAll), ["5:6 error upstream.entry"])
        XCTAssertEqual(findings(group("server 127.0.0.1;\nhash $request_uri$remote_addr consistent;"), hostResolver: resolvesAll), [])
    }

    func testBalancingConflicts() {
        XCTAssertEqual(findings(group("server 127.0.0.1;\nleast_conn;\nip_hash;"), hostResolver: resolvesAll), ["6:1 error upstream.balancing"])
        XCTAssertEqual(findings(group("ip_hash;\nserver 127.0.0.1;\nserver 127.0.0.2 backup;"), hostResolver: resolvesAll),
                       ["6:18 error upstream.balancing"])
        XCTAssertEqual(findings(group("least_conn;\nserver 127.0.0.1;\nserver 127.0.0.2 backup;"), hostResolver: resolvesAll), [])
    }

    func testEmptyAndDuplicateGroups() {
        XCTAssertEqual(findings(group("keepalive 4;"), hostResolver: resolvesAll), ["3:1 error upstream.no-servers"])
        let twice = "events { }\nhttp {\nupstream a { server 127.0.0.1; }\nupstream A { server 127.0.0.2; }\nserver { }\n}\n"
        XCTAssertEqual(findings(twice, hostResolver: resolvesAll), ["4:10 error upstream.duplicate"])
    }

    func testUpstreamIsAnHTTPBlock() {
        let inServer = site("upstream app { server 127.0.0.1; }")
        XCTAssertEqual(findings(inServer, hostResolver: resolvesAll), ["4:1 error directive.context"])
    }

    func testNextUpstreamValues() {
        XCTAssertEqual(findings(site("proxy_next_upstream error timeout http_502 non_idempotent;\nproxy_next_upstream_tries 2;")), [])
        XCTAssertEqual(findings(site("proxy_next_upstream off;")), [])
        XCTAssertEqual(findings(site("proxy_next_upstream error http_501;")), ["4:27 error value.next-upstream"])
        XCTAssertEqual(findings(site("proxy_next_upstream error off;")), ["4:27 error value.next-upstream"])
    }

    func testTheModel() throws {
        let text = group("server 127.0.0.1:9001 weight=3 max_fails=2 fail_timeout=5s;\nserver localhost backup;\nserver 127.0.0.1:9003 down;\n"
                         + "least_conn;\nkeepalive 16;\nkeepalive_timeout 30s;")
            .replacingOccurrences(of: "location / {", with: "location / { proxy_next_upstream error http_503; proxy_next_upstream_tries 2;")
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8), options: .init(hostResolver: resolvesAll))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let config = ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
        let app = try XCTUnwrap(config.upstreams["app"])
        XCTAssertEqual(app.servers.map(\.address), ["127.0.0.1:9001", "localhost:80", "127.0.0.1:9003"])
        XCTAssertEqual(app.servers.map(\.weight), [3, 1, 1])
        XCTAssertEqual(app.servers[0].maxFails, 2)
        XCTAssertEqual(app.servers[0].failTimeoutMilliseconds, 5_000)
        XCTAssertEqual(app.servers[1].failTimeoutMilliseconds, 10_000, "nginx's default")
        XCTAssertEqual(app.servers.map(\.backup), [false, true, false])
        XCTAssertEqual(app.servers.map(\.down), [false, false, true])
        XCTAssertEqual(app.balancing, .leastConnections)
        XCTAssertEqual(app.keepalive, 16)
        XCTAssertEqual(app.keepaliveTimeoutMilliseconds, 30_000)
        let location = try XCTUnwrap(config.servers.first?.locations.first)
        let target = try XCTUnwrap(location.proxyPass)
        XCTAssertEqual(config.upstreamGroup(for: target)?.name, "app")
        XCTAssertEqual(location.nextUpstream.conditions, [.error, .http503])
        XCTAssertEqual(location.nextUpstream.tries, 2)
        XCTAssertEqual(config.servers.first?.base.nextUpstream, NextUpstream(), "error timeout, every server")
        XCTAssertEqual(config.servers.first?.base.nextUpstream.conditions, [.error, .timeout])
    }
}
