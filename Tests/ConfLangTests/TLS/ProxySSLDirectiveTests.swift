import XCTest
@testable import ConfLang

/// `proxy_pass https://` and the `proxy_ssl_*` directives: nginx's defaults
/// and inheritance in the model, and the checks nginx makes when it merges them.
final class ProxySSLDirectiveTests: XCTestCase {
    private let resolvesAll = HostResolver { _ in true }

    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8), options: Linter.Options(hostResolver: resolvesAll))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testAnHTTPSURLIsPort443AndSaysSo() {
        XCTAssertEqual(Values.proxyURL("https://api.test/v1/"), .success(.init(host: "api.test", port: 443, path: "/v1/", secure: true)))
        XCTAssertEqual(Values.proxyURL("https://api.test:8443"), .success(.init(host: "api.test", port: 8443, path: nil, secure: true)))
        let url = try? Values.proxyURL("https://api.test").get()
        XCTAssertEqual(url?.origin, "https://api.test", "443 left out")
        XCTAssertEqual((try? Values.proxyURL("http://api.test:443").get())?.origin, "http://api.test:443")
        XCTAssertEqual(findings(site("location / { proxy_pass https://127.0.0.1:8443/; }")), [])
    }

    func testDefaultsAreNginxsAndEachDirectiveInheritsOnItsOwn() throws {
        let config = try model("""
        events { }
        http {
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate ca.pem;
            server {
                proxy_ssl_server_name on;
                location /a/ { proxy_pass https://backend.test; proxy_ssl_name $host; proxy_ssl_verify_depth 2; }
                location /b/ { proxy_pass https://backend.test:8443; proxy_ssl_session_reuse off; proxy_ssl_protocols TLSv1.3; }
            }
        }
        """)
        let server = try XCTUnwrap(config.servers.first)
        let a = try XCTUnwrap(server.locations.first { $0.match == .prefix("/a/") }).proxySSL
        let b = try XCTUnwrap(server.locations.first { $0.match == .prefix("/b/") }).proxySSL
        XCTAssertTrue(a.verify && b.verify, "from http")
        XCTAssertEqual(a.trustedCertificate, "/srv/conf/ca.pem")
        XCTAssertTrue(a.serverName && b.serverName, "from the server")
        XCTAssertEqual(a.name?.source, "$host")
        XCTAssertEqual(b.name?.segments, [.variable(.proxyHost)], "nginx's default, $proxy_host")
        XCTAssertEqual(a.verifyDepth, 2)
        XCTAssertEqual(b.verifyDepth, 1)
        XCTAssertTrue(a.sessionReuse)
        XCTAssertFalse(b.sessionReuse)
        XCTAssertEqual(a.protocols, ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"])
        XCTAssertEqual(b.protocols, ["TLSv1.3"])
        XCTAssertEqual(a.ciphers, "DEFAULT")
        XCTAssertNotEqual(a.contextKey, b.contextKey)
        XCTAssertEqual(server.base.proxySSL.serverName, true)
        XCTAssertEqual(config.servers.first?.base.proxySSL.verify, true)
    }

    func testTheSSLNameLeavesThePortOut() {
        XCTAssertEqual(ProxySSLSettings.sslName("backend.test:8443"), "backend.test")
        XCTAssertEqual(ProxySSLSettings.sslName("backend.test"), "backend.test")
        XCTAssertEqual(ProxySSLSettings.sslName("[::1]:8443"), "[::1]")
        XCTAssertTrue(ProxySSLSettings.sendsAsServerName("backend.test"))
        XCTAssertFalse(ProxySSLSettings.sendsAsServerName("127.0.0.1"), "RFC 6066: no IP address as SNI")
        XCTAssertFalse(ProxySSLSettings.sendsAsServerName("[::1]"))
    }

    /// `--explain`: the https URL, the SSL name, SNI and verification (said http:// and nothing of TLS before).
    func testExplainShowsTheHTTPSUpstreamAndItsSSLName() throws {
        let directory = NSTemporaryDirectory() + "explain-https-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = """
        events { }
        http {
            upstream app { server 127.0.0.1:9001; }
            server {
                listen 127.0.0.1:8080;
                location /one/ { proxy_pass https://127.0.0.1:8443/v1/; }
                location /group/ { proxy_pass https://app; proxy_ssl_server_name on; proxy_ssl_name api.test;
                                   proxy_ssl_verify on; proxy_ssl_trusted_certificate /etc/ssl/ca.pem; }
            }
        }
        """
        let path = directory + "/webserv.conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        guard case .success(let (config, _)) = Explainer.model(path: path, bytes: Array(text.utf8)) else { return XCTFail("refused") }
        func explain(_ url: String) throws -> Explanation {
            try Explainer.explain(ExplainRequest(url: url, method: "GET", headers: []), config: config).get()
        }
        let one = try explain("http://127.0.0.1:8080/one/x")
        guard case .upstream(let url, _)? = one.target else { return XCTFail() }
        XCTAssertEqual(url, "https://127.0.0.1:8443/v1/x")
        XCTAssertTrue(one.answer.reason.contains("over TLS, SSL name '127.0.0.1' (no SNI), certificate not verified"), one.answer.reason)
        let group = try explain("http://127.0.0.1:8080/group/y")
        guard case .upstream(let groupURL, _)? = group.target else { return XCTFail() }
        XCTAssertEqual(groupURL, "https://app/group/y")
        XCTAssertTrue(group.answer.reason.contains("over TLS, SSL name 'api.test' (sent as SNI), certificate verified against /etc/ssl/ca.pem"),
                      group.answer.reason)
        XCTAssertTrue(group.answer.reason.contains("upstream group 'app'"), group.answer.reason)
    }
}
