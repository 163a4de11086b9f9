import XCTest
@testable import ConfLang

/// `listen ... ssl` and the `ssl_*` directives: checked as nginx checks them
/// at start, and carried into each server's `TLSSettings` with http's inheritance.
final class TLSDirectiveTests: XCTestCase {
    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testAnSSLListenWithoutACertificateIsNginxsErrorAtTheSSLParameter() {
        let found = diagnostics(site("listen 443 ssl;"))
        XCTAssertEqual(found.map(\.summary), ["4:12 error tls.no-certificate"])
        XCTAssertTrue(found.first?.message.contains("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive") ?? false)
    }

    func testACertificateWithoutItsKeyIsAnError() {
        XCTAssertEqual(findings(site("listen 443 ssl;\nssl_certificate cert.pem;")), ["5:1 error tls.no-certificate"])
    }

    func testACertificateFromHTTPServesEveryServerThatDoesNotSetItsOwn() throws {
        let text = """
        http {
            ssl_certificate certs/default.pem;
            ssl_certificate_key certs/default.key;
            ssl_session_cache shared:SSL:10m;
            server { listen 443 ssl default_server; listen [::]:443 ssl; server_name a.test; }
            server {
                listen 443 ssl;
                server_name b.test;
                ssl_certificate /etc/b/fullchain.pem;
                ssl_certificate_key /etc/b/privkey.pem;
                ssl_protocols TLSv1.3;
                ssl_session_tickets off;
            }
            server { listen 8080; }
        }
        """
        XCTAssertEqual(findings(text), [])
        let config = try model(text)
        let (a, b, plain) = (config.servers[0], config.servers[1], config.servers[2])
        let tls443 = Values.ListenAddress(host: "*", port: 443), tls6 = Values.ListenAddress(host: "[::]", port: 443)
        XCTAssertEqual(a.tlsAddresses, [tls443, tls6])
        XCTAssertEqual(a.defaultFor, [tls443], "default_server after ssl")
        XCTAssertEqual(a.tls.certificates, ["/srv/conf/certs/default.pem"])
        XCTAssertEqual(a.tls.certificateKeys, ["/srv/conf/certs/default.key"])
        XCTAssertEqual(a.tls.protocols, ["TLSv1.2", "TLSv1.3"], "the default")
        XCTAssertEqual(a.tls.ciphers, TLSSettings.intermediateCiphers)
        XCTAssertEqual(a.tls.sessionCache, .cache(builtinSessions: nil, sharedBytes: 10 << 20))
        XCTAssertEqual(a.tls.sessionTimeoutSeconds, 300)
        XCTAssertTrue(a.tls.sessionTickets)
        XCTAssertEqual(b.tls.certificates, ["/etc/b/fullchain.pem"])
        XCTAssertEqual(b.tls.protocols, ["TLSv1.3"])
        XCTAssertFalse(b.tls.sessionTickets)
        XCTAssertEqual(b.tls.sessionCache, .cache(builtinSessions: nil, sharedBytes: 10 << 20), "inherited")
        XCTAssertEqual(plain.tlsAddresses, [])
        XCTAssertEqual(config.tlsAddresses, [tls443, tls6])
    }

    func testBadProtocolsAndSessionCachesAreNginxsErrors() {
        XCTAssertEqual(findings(site("ssl_protocols TLSv1.2 TLSv1.4;")), ["4:23 error value.ssl"])
        XCTAssertEqual(findings(site("ssl_session_cache shared:SSL;")), ["4:19 error value.ssl"])
        XCTAssertEqual(findings(site("ssl_session_cache builtin:1000 shared:SSL:1m;\nssl_session_timeout 1h;")), [])
        XCTAssertEqual(TLSSettings.SessionCache.parse(["builtin:1000", "shared:SSL:1m"]),
                       .cache(builtinSessions: 1000, sharedBytes: 1 << 20))
        XCTAssertEqual(TLSSettings.SessionCache.parse(["off"]), .off)
    }

    func testHTTP2OnAnSSLListenAndTheHTTP2DirectiveAreAccepted() throws {
        XCTAssertEqual(findings(site("listen 443 ssl http2;\nssl_certificate c.pem;\nssl_certificate_key k.pem;")), [])
        XCTAssertEqual(findings(site("listen 443 http2 ssl default_server;\nssl_certificate c.pem;\nssl_certificate_key k.pem;")), [])
        XCTAssertEqual(findings(site("listen 443 ssl;\nhttp2 on;\nssl_certificate c.pem;\nssl_certificate_key k.pem;")), [])
        XCTAssertEqual(findings(site("listen 443 ssl http2 http2;\nssl_certificate c.pem;\nssl_certificate_key k.pem;")),
                       ["4:22 error value.listen-parameter"])
        XCTAssertEqual(findings(site("http2 maybe;")), ["4:7 error value.on-off"])
    }

    func testTheSSLDirectivesAreNoLongerUnsupportedButTheRestOfNginxsAreStill() {
        XCTAssertEqual(findings(site("ssl_stapling on;")), ["4:1 error directive.unsupported"])
        for name in ["ssl_certificate", "ssl_certificate_key", "ssl_protocols", "ssl_ciphers", "ssl_prefer_server_ciphers",
                     "ssl_session_cache", "ssl_session_timeout", "ssl_session_tickets"] {
            XCTAssertNotNil(DirectiveTable.spec(named: name), name)
            XCTAssertNil(Suggestions.nginxOnly[name], name)
        }
    }
}
