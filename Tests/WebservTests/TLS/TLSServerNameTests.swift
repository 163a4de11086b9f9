import XCTest
import ConfLang
@testable import webserv

/// The pure parts of a TLS port: the first byte, and the server a client's name chooses.
final class TLSServerNameTests: XCTestCase {
    func testAHandshakeBeginsWith0x16OrAnSSLv2HelloAndAnythingElseIsPlainHTTP() {
        XCTAssertEqual(TLSServerName.classify(firstByte: 0x16), .handshake)
        XCTAssertEqual(TLSServerName.classify(firstByte: 0x80), .handshake, "an SSLv2-style ClientHello")
        for byte in Array("GET POST\r\n".utf8) + [0, 0x15, 0x17] {
            XCTAssertEqual(TLSServerName.classify(firstByte: byte), .plain, "\(byte)")
        }
    }

    func testANameIsComparedAsAServerNameIsAndAnInvalidOneIsNone() {
        XCTAssertEqual(TLSServerName.normalized(Array("WWW.Example.COM.".utf8)), "www.example.com")
        for invalid in ["", ".", "a..b", ".a", "a..", "EXTCSETT.A..", "a b", "a/b", "a:443", "é.test", "a\u{0}b"] {
            XCTAssertNil(TLSServerName.normalized(Array(invalid.utf8)), invalid)
        }
    }

    func testTheNameChoosesTheServerAsHostDoesAndTheDefaultOtherwise() throws {
        let text = """
        http {
            server { listen 443 ssl; server_name first.test; ssl_certificate c; ssl_certificate_key k; }
            server { listen 443 ssl default_server; server_name *.example.com; ssl_certificate c; ssl_certificate_key k; }
            server { listen 443 ssl; server_name exact.example.com; ssl_certificate c; ssl_certificate_key k; }
        }
        """
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
        let servers = try XCTUnwrap(router.servers(on: Values.ListenAddress(host: "*", port: 443)))
        func chosen(_ name: String?) -> [String] {
            TLSServerName.server(named: name.map { Array($0.utf8) }, in: servers, router: router).config.names
        }
        XCTAssertEqual(chosen("exact.example.com"), ["exact.example.com"])
        XCTAssertEqual(chosen("Other.Example.com"), ["*.example.com"])
        XCTAssertEqual(chosen("first.test."), ["first.test"])
        XCTAssertEqual(chosen("unknown.test"), ["*.example.com"], "the default_server")
        XCTAssertEqual(chosen(nil), ["*.example.com"], "no SNI")
        XCTAssertEqual(chosen("bad name"), ["*.example.com"], "an invalid name chooses none")
    }
}
