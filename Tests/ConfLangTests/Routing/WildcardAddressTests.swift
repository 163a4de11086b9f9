import XCTest
@testable import ConfLang

/// A wildcard and specific addresses on one port, as nginx without `bind`:
/// only the wildcard gets a socket; each address keeps its own servers.
final class WildcardAddressTests: XCTestCase {
    private func config(_ http: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array("events { }\nhttp {\n\(http)\n}\n".utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv")
    }

    private let mixed = """
    server { listen 8080; server_name api; root /wildcard; }
    server { listen 127.0.0.1:8080; server_name api; root /loopback; }
    server { listen [::]:8080; listen [::1]:8080; root /six; }
    server { listen 127.0.0.1:9090; listen localhost:9091; root /alone; }
    """

    func testOnlyTheWildcardOfAFamilyAndPortIsBound() throws {
        let model = try config(mixed)
        XCTAssertEqual(model.socketAddresses.map(\.description), ["*:8080", "[::]:8080", "127.0.0.1:9090", "localhost:9091"])
        XCTAssertEqual(model.addresses(sharing: .init(host: "*", port: 8080)).map(\.description), ["127.0.0.1:8080"])
        XCTAssertEqual(model.addresses(sharing: .init(host: "[::]", port: 8080)).map(\.description), ["[::1]:8080"])
        XCTAssertEqual(model.addresses(sharing: .init(host: "127.0.0.1", port: 9090)), [])
    }

    /// `[0::0]` is `[::]` written out, as `0.0.0.0` is `*`: the IPv6 wildcard,
    /// one address with `[::]` (nginx compares the addresses, not their text).
    func testAnyWritingOfTheIPv6WildcardIsTheWildcard() throws {
        for text in ["[0::0]:8080", "[0:0:0:0:0:0:0:0]:8080", "[::0]:8080"] {
            guard case .success(let address) = Values.listenAddress(text) else { return XCTFail(text) }
            XCTAssertEqual(address, .init(host: "[::]", port: 8080), text)
            XCTAssertTrue(address.isWildcard, text)
        }
        guard case .success(let loopback) = Values.listenAddress("[0::1]:8080") else { return XCTFail("[0::1]") }
        XCTAssertFalse(loopback.isWildcard)
        let model = try config("server { listen [0::0]:8080; listen [::1]:8080; root /six; }")
        XCTAssertEqual(model.socketAddresses.map(\.description), ["[::]:8080"])
    }

    func testEachAddressKeepsItsOwnServers() throws {
        let router = Router(config: try config(mixed))
        XCTAssertEqual(router.server(for: .init(host: "127.0.0.1", port: 8080), host: "api")?.config.base.root, "/loopback")
        XCTAssertEqual(router.server(for: .init(host: "*", port: 8080), host: "api")?.config.base.root, "/wildcard")
        XCTAssertEqual(router.serverIndices(on: .init(host: "127.0.0.1", port: 8080)), [1])
    }
}
