import XCTest
@testable import ConfLang

/// What nginx refuses when it merges a `proxy_pass https://` location's
/// `proxy_ssl_*`, and what it ignores: `proxy_ssl_*` beside a plain http:// proxy_pass.
final class ProxySSLCheckTests: XCTestCase {
    private let resolvesAll = HostResolver { _ in true }

    func testVerifyWithoutATrustedCertificateIsNginxsError() throws {
        let found = diagnostics(site("location / { proxy_pass https://127.0.0.1:8443; proxy_ssl_verify on; }"))
        XCTAssertEqual(found.map(\.summary), ["4:49 error proxy.ssl-incomplete"])
        XCTAssertTrue(try XCTUnwrap(found.first).message.hasPrefix("no proxy_ssl_trusted_certificate for proxy_ssl_verify"))
        // Inherited from http and given in the location: fine; given nowhere: reported once, where verify is written.
        let inherited = "proxy_ssl_verify on;\n"
        XCTAssertEqual(findings(site("location / { proxy_pass https://127.0.0.1; proxy_ssl_trusted_certificate ca.pem; }", http: inherited),
                                hostResolver: resolvesAll), [])
        XCTAssertEqual(findings(site("location /a/ { proxy_pass https://127.0.0.1; }\nlocation /b/ { proxy_pass https://127.0.0.1; }", http: inherited),
                                hostResolver: resolvesAll), ["3:1 error proxy.ssl-incomplete"])
        // An http:// location is not concerned (nginx sets no TLS up there).
        XCTAssertEqual(findings(site("location / { proxy_pass http://127.0.0.1; }", http: inherited), hostResolver: resolvesAll), [])
    }

    func testAClientCertificateWithoutItsKeyIsAnError() {
        XCTAssertEqual(findings(site("location / { proxy_pass https://127.0.0.1; proxy_ssl_certificate client.pem; }")),
                       ["4:44 error proxy.ssl-incomplete"])
    }

    func testProxySSLInAPlainHTTPLocationIsAWarning() throws {
        let found = diagnostics(site("location / { proxy_pass http://127.0.0.1:8080; proxy_ssl_server_name on; }"))
        XCTAssertEqual(found.map(\.summary), ["4:48 warning proxy.ssl-no-effect"])
        XCTAssertTrue(try XCTUnwrap(found.first).message.contains("has no effect here"))
    }

    func testAnUnknownProtocolIsRefused() {
        XCTAssertEqual(findings(site("location / { proxy_pass https://127.0.0.1; proxy_ssl_protocols TLSv1.2 TLSv9; }")),
                       ["4:72 error value.ssl"])
    }
}
