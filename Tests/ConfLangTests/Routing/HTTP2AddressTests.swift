import XCTest
@testable import ConfLang

/// Which addresses speak HTTP/2 (h2c with prior knowledge on a plain one):
/// nginx decides before any Host is known, by the address's default server's
/// `http2 on` (1.25.1), or by any server's older `listen ... http2`.
final class HTTP2AddressTests: XCTestCase {
    private func router(_ http: String) throws -> Router {
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array("events { }\nhttp {\n\(http)\n}\n".utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
    }

    private func speaks(_ router: Router, _ port: Int) -> Bool? {
        router.servers(on: Values.ListenAddress(host: "*", port: port))?.speaksHTTP2
    }

    func testTheDefaultServersHTTP2DirectiveDecidesAndHTTPsIsInherited() throws {
        let perServer = try router("""
            server { listen 8001; http2 on; server_name a; }
            server { listen 8001; server_name b; }
            server { listen 8002; server_name c; }
            server { listen 8002; http2 on; server_name d; }
            server { listen 8003; server_name e; }
            """)
        XCTAssertEqual(speaks(perServer, 8001), true)
        XCTAssertEqual(speaks(perServer, 8002), false, "only the default server's http2 counts before the Host is known")
        XCTAssertEqual(speaks(perServer, 8003), false, "off by default")
        let inherited = try router("http2 on;\nserver { listen 8004; }")
        XCTAssertEqual(speaks(inherited, 8004), true)
    }

    func testTheListenParameterTurnsItOnForTheWholeAddress() throws {
        let router = try router("""
            server { listen 8005; server_name a; }
            server { listen 8005 http2; server_name b; }
            server { listen 8006; listen 8007 http2; }
            """)
        XCTAssertEqual(speaks(router, 8005), true)
        XCTAssertEqual(speaks(router, 8006), false)
        XCTAssertEqual(speaks(router, 8007), true)
        XCTAssertEqual(router.config.servers[1].http2Addresses, [Values.ListenAddress(host: "*", port: 8005)])
    }
}
