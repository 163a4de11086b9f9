import Foundation
import ConfLang
import XCTest

/// Whose order chooses the TLS 1.2 cipher: the server's by default (its
/// `ssl_ciphers` list, Mozilla's intermediate), the client's with
/// `ssl_prefer_server_ciphers off` (nginx's default). The client, `openssl
/// s_client`, offers two ciphers of the list in the reverse of its order.
final class TLSCipherOrderTests: XCTestCase {
    func testTheServersOrderWinsByDefaultAndTheClientsWithPreferServerCiphersOff() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"])
        let config = """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            ssl_certificate \(certificates.path("site.pem"));
            ssl_certificate_key \(certificates.path("site.key"));
            server { listen 127.0.0.1:PORT0 ssl; server_name site.test; }
            server { listen 127.0.0.1:PORT1 ssl; server_name site.test; ssl_prefer_server_ciphers off; }
        }
        """
        let server = try ServerProcess(config: config, portCount: 2)
        defer { server.stop() }
        // The test certificate's key is P-256: the ECDSA ciphers of the list, the first before the second there.
        let list = TLSSettings.intermediateCiphers.split(separator: ":").map(String.init)
        let first = "ECDHE-ECDSA-AES128-GCM-SHA256", second = "ECDHE-ECDSA-AES256-GCM-SHA384"
        let firstIndex = try XCTUnwrap(list.firstIndex(of: first)), secondIndex = try XCTUnwrap(list.firstIndex(of: second))
        XCTAssertLessThan(firstIndex, secondIndex)
        func negotiated(port: Int) throws -> String {
            let output = try runCommand("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "site.test",
                                                             "-tls1_2", "-cipher", "\(second):\(first)"]).output
            let line = try XCTUnwrap(output.split(separator: "\n").first { $0.contains(", Cipher is ") }, output)
            return String(line.split(separator: " ").last ?? "")
        }
        XCTAssertEqual(try negotiated(port: server.ports[0]), first, "the server's order, though the client prefers the other")
        XCTAssertEqual(try negotiated(port: server.ports[1]), second, "ssl_prefer_server_ciphers off: the client's order")
    }

    /// As nginx (ngx_http_ssl_servername copies the named server's context
    /// options to the connection): a server chosen by SNI has its own
    /// `ssl_prefer_server_ciphers`, though the handshake began with the default server's context.
    func testTheServerNamedBySNIHasItsOwnCipherOrder() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("a", names: ["a.test"])
        try certificates.leaf("b", names: ["b.test"])
        let config = """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0 ssl default_server; server_name a.test;
                ssl_certificate \(certificates.path("a.pem")); ssl_certificate_key \(certificates.path("a.key"));
            }
            server {
                listen 127.0.0.1:PORT0 ssl; server_name b.test; ssl_prefer_server_ciphers off;
                ssl_certificate \(certificates.path("b.pem")); ssl_certificate_key \(certificates.path("b.key"));
            }
            server {
                listen 127.0.0.1:PORT1 ssl default_server; server_name c.test; ssl_prefer_server_ciphers off;
                ssl_certificate \(certificates.path("a.pem")); ssl_certificate_key \(certificates.path("a.key"));
            }
            server {
                listen 127.0.0.1:PORT1 ssl; server_name d.test;
                ssl_certificate \(certificates.path("b.pem")); ssl_certificate_key \(certificates.path("b.key"));
            }
        }
        """
        let server = try ServerProcess(config: config, portCount: 2)
        defer { server.stop() }
        let first = "ECDHE-ECDSA-AES128-GCM-SHA256", second = "ECDHE-ECDSA-AES256-GCM-SHA384"
        func negotiated(port: Int, name: String) throws -> String {
            let output = try runCommand("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", name,
                                                             "-tls1_2", "-cipher", "\(second):\(first)"]).output
            XCTAssertTrue(output.contains("CN = \(name == "b.test" || name == "d.test" ? "b.test" : "a.test")"), output)
            let line = try XCTUnwrap(output.split(separator: "\n").first { $0.contains(", Cipher is ") }, output)
            return String(line.split(separator: " ").last ?? "")
        }
        XCTAssertEqual(try negotiated(port: server.ports[0], name: "a.test"), first)
        XCTAssertEqual(try negotiated(port: server.ports[0], name: "b.test"), second, "b's off, though the default server's is on")
        XCTAssertEqual(try negotiated(port: server.ports[1], name: "c.test"), second)
        XCTAssertEqual(try negotiated(port: server.ports[1], name: "d.test"), first, "d's on, though the default server's is off")
    }
}
