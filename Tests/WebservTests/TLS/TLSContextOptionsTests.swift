import COpenSSL
import ConfLang
import XCTest
@testable import webserv

/// The options of the contexts `apply` builds (`TLSAddress.build`), read
/// back from OpenSSL: what the configuration's defaults and settings ask of it.
final class TLSContextOptionsTests: XCTestCase {
    private var certificates: TestCertificates!

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        try certificates.leaf("site", names: ["site.test"])
    }

    override func tearDown() { certificates.remove() }

    /// The default server's context on the configuration's one TLS address.
    private func defaultContext(http: String = "") throws -> OpaquePointer {
        let text = """
        http {
            \(http)
            server {
                listen 127.0.0.1:8443 ssl;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
            }
        }
        """
        let result = Linter.lint(path: certificates.path("test.conf"), bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let router = Router(config: ModelBuilder.build(result.config, baseDirectory: certificates.directory))
        let addresses = try TLSAddress.build(router, ticketKeys: nil).get()
        let address = try XCTUnwrap(addresses.values.first)
        contexts.append(address)   // kept alive while the test reads its context
        return address.defaultContext.context
    }

    private var contexts: [TLSAddress] = []

    func testByDefaultTheServersCipherOrderWins() throws {
        let options = SSL_CTX_get_options(try defaultContext())
        XCTAssertNotEqual(options & webserv_ssl_op_cipher_server_preference(), 0, "ssl_prefer_server_ciphers defaults to on")
    }

    func testPreferServerCiphersOffLeavesTheOrderToTheClient() throws {
        let options = SSL_CTX_get_options(try defaultContext(http: "ssl_prefer_server_ciphers off;"))
        XCTAssertEqual(options & webserv_ssl_op_cipher_server_preference(), 0)
    }

    /// Kernel TLS is asked for where the kernel has it, and only there: where
    /// it has none, OpenSSL's attempt cost two failing setsockopt calls per handshake.
    func testContextsAskForKernelTLSExactlyWhereTheKernelHasIt() throws {
        let ktls = webserv_ssl_op_enable_ktls()
        XCTAssertNotEqual(ktls, 0, "this OpenSSL was built with kernel TLS (Debian's is)")
        let list = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_available_ulp", encoding: .utf8)) ?? ""
        XCTAssertEqual(KernelTLS.available, KernelTLS.offers(list))
        XCTAssertEqual(SSL_CTX_get_options(try defaultContext()) & ktls, KernelTLS.available ? ktls : 0)
    }

    func testTheKernelsListIsReadWordByWord() {
        XCTAssertTrue(KernelTLS.offers("mptcp tls\n"))
        XCTAssertFalse(KernelTLS.offers("mptcp\n"))
        XCTAssertFalse(KernelTLS.offers("tlsx mptcp"))
    }
}
