import XCTest
@testable import ConfLang

/// gixy's current verdicts and gixy-next's newer checks, where they apply to webserv.
final class GixyNextLintTests: XCTestCase {
    private func http(_ body: String) -> String { "events { }\nhttp {\n\(body)\n}\n" }

    /// `/i../x` maps to `/data../x`: a sibling name, not outside; gixy calls it safe.
    func testAliasAndLocationBothWithoutSlashAreSafe() {
        XCTAssertEqual(findings(site("location /i { alias /data; }")), [])
        XCTAssertEqual(findings(site("location ^ /files { alias /tmp; }")), [])
    }

    func testServersSharingAnAddressWithoutDefaultServer() throws {
        let found = diagnostics(http("server { listen 8080; server_name a.test; }\nserver { listen *:8080; server_name b.test; }"))
        XCTAssertEqual(found.map(\.summary), ["3:17 warning server.implicit-default"])
        let warning = try XCTUnwrap(found.first)
        XCTAssertTrue(warning.message.contains("'a.test'"), "names the server that answers unknown hosts: \(warning.message)")
        XCTAssertTrue(warning.message.contains("*:8080"), warning.message)
        XCTAssertEqual(warning.notes.first?.range?.startLocation, SourceLocation(line: 4, column: 17), "the other server")
        // One default_server settles it; so do different addresses, or a single server.
        XCTAssertEqual(findings(http("server { listen 8080; server_name a.test; }\nserver { listen 8080 default_server; server_name b.test; }")), [])
        XCTAssertEqual(findings(http("server { listen 8080; server_name a.test; }\nserver { listen 8081; server_name b.test; }")), [])
        XCTAssertEqual(findings(http("server { listen 8080; server_name a.test; }")), [])
    }

    func testServersWithoutListenShareStarPort80TooAndOneWarningPerAddress() {
        let found = findings(http("server { server_name a.test; }\nserver { listen 80; server_name b.test; }\nserver { listen 80; listen 81; server_name c.test; }"))
        XCTAssertEqual(found, ["3:1 warning server.implicit-default"])
    }

    func testManyServersOnOneAddressShowAFewAsNotes() {
        let text = http((1...6).map { "server { listen 8080; server_name s\($0).test; }" }.joined(separator: "\n"))
        let found = diagnostics(text)
        XCTAssertEqual(found.map(\.summary), ["3:17 warning server.implicit-default"])
        XCTAssertEqual(found.first?.notes.count, 3)
        XCTAssertTrue(found.first?.message.hasPrefix("6 servers listen on *:8080") ?? false, found.first?.message ?? "")
    }

    func testAProxyPassHostNameIsResolvedOnlyOnce() throws {
        let found = diagnostics(site("location /api/ { proxy_pass http://backend.test:8080/; }"), hostResolver: HostResolver { _ in true })
        XCTAssertEqual(found.map(\.summary), ["4:29 warning proxy.stale-dns"])
        let message = try XCTUnwrap(found.first).message
        XCTAssertTrue(message.contains("backend.test") && message.contains("reload"), message)
        // IP addresses and localhost do not change; a name that does not resolve is the error alone.
        XCTAssertEqual(findings(site("location / { proxy_pass http://127.0.0.1:9; }"), hostResolver: HostResolver { _ in true }), [])
        XCTAssertEqual(findings(site("location / { proxy_pass http://localhost:9; }"), hostResolver: HostResolver { _ in true }), [])
        XCTAssertEqual(findings(site("location / { proxy_pass http://gone.test:9; }"), hostResolver: HostResolver { _ in false }),
                       ["4:25 error proxy.host-not-found"])
    }
}
