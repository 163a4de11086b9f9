import XCTest
@testable import ConfLang

/// `--explain https://NAME/PATH`: the certificate SNI picks (the server whose
/// name matches on that TLS address, else the default server's), and what
/// a scheme that does not fit the address gets.
final class ExplainTLSTests: XCTestCase {
    /// Three servers on 443, TLS for all (the second's `ssl` makes the
    /// address TLS, as in nginx), the second default_server; one on 80.
    /// (The model is built from the parse: until the table has `ssl_*`, the
    /// checker refuses them, and explaining needs only the tree's facts.)
    private let site = """
        events { }
        http {
            ssl_certificate_key http.key;
            server {
                listen 443;
                server_name example.test *.example.test;
                ssl_certificate /certs/example.pem;
                ssl_certificate_key /certs/example.key;
            }
            server {
                listen 443 ssl default_server;
                server_name fallback.test;
                ssl_certificate fallback.pem;
            }
            server {
                listen 443;
                server_name bare.test;
            }
            server {
                listen 80;
                server_name example.test;
            }
        }

        """

    private func explain(_ url: String, host: String? = nil, inspector: (any CertificateInspector)? = nil) throws -> Explanation {
        let loaded = ConfigLoader().load(path: "/etc/webserv/site.conf", bytes: Array(site.utf8))
        let config = ModelBuilder.build(loaded, baseDirectory: "/etc/webserv", recordingOrigins: true)
        let request = ExplainRequest(url: url, headers: host.map { [("Host", $0)] } ?? [])
        return try Explainer.explain(request, config: config, tls: TLSServerMap(loaded), certificateInspector: inspector).get()
    }

    /// The example server's certificate names example.test and *.example.test.
    private struct Inspector: CertificateInspector {
        func chain(at path: String) -> Result<CertificateChain, CertificateFileProblem> {
            guard path == "/certs/example.pem" else { return .failure(.unreadable("No such file or directory")) }
            return .success(CertificateChain(certificates: [
                CertificateFacts(subject: "/CN=example.test", issuer: "/CN=CA", dnsNames: ["example.test", "*.example.test"],
                                 notBefore: 0, notAfter: 0, publicKey: [1]),
            ], signedByNext: []))
        }
        func privateKey(at path: String) -> Result<PrivateKeyFacts, CertificateFileProblem> { .failure(.unreadable("")) }
    }

    func testTheCertificatesNamesAreReadThroughAnInspectorAndSayWhetherTheyCoverTheName() throws {
        let covered = try explain("https://www.example.test/", inspector: Inspector())
        XCTAssertEqual(covered.tls?.certificateNames, ["example.test", "*.example.test"])
        XCTAssertEqual(covered.tls?.coversServerName, true)
        XCTAssertTrue(ExplanationRenderer.text(covered).contains("  names example.test, *.example.test: it covers www.example.test\n"))
        let deeper = try explain("https://a.b.example.test/", inspector: Inspector())
        XCTAssertEqual(deeper.tls?.coversServerName, false)
        XCTAssertTrue(ExplanationRenderer.text(deeper).contains("it does not cover a.b.example.test, clients refuse it"))
        XCTAssertNil(try explain("https://www.example.test/").tls?.certificateNames, "no inspector: not read")
    }

    func testSNIPicksTheServerByNameAndItsCertificate() throws {
        let exact = try explain("https://example.test/")
        XCTAssertEqual(exact.address?.listen.description, "*:443")
        XCTAssertEqual(exact.tls?.serverName, "example.test")
        XCTAssertEqual(exact.tls?.certificates, ["/certs/example.pem"])
        XCTAssertEqual(exact.tls?.keys, ["/certs/example.key"])
        XCTAssertEqual(exact.tls?.place, Explanation.Place(path: "/etc/webserv/site.conf", line: 7, column: 9))
        XCTAssertEqual(exact.tls?.server?.line, 4)
        XCTAssertEqual(exact.tls?.reason, "SNI 'example.test' is a server_name of this server")
        XCTAssertEqual(try explain("https://www.example.test:443/").tls?.reason, "SNI 'www.example.test' matches server_name '*.example.test'")
    }

    func testAnUnknownOrAbsentNameGetsTheDefaultServersCertificate() throws {
        let unknown = try explain("https://other.test/")
        XCTAssertEqual(unknown.tls?.certificates, ["/etc/webserv/fallback.pem"])
        XCTAssertEqual(unknown.tls?.keys, ["/etc/webserv/http.key"], "http's key, inherited")
        XCTAssertEqual(unknown.tls?.reason, "no server_name on *:443 matches SNI 'other.test'; its default_server's certificate")
        let address = try explain("https://127.0.0.1/")
        XCTAssertNil(address.tls?.serverName)
        XCTAssertEqual(address.tls?.certificates, ["/etc/webserv/fallback.pem"])
        // A server on the address without a certificate of its own leaves the default's in place.
        let bare = try explain("https://bare.test/")
        XCTAssertEqual(bare.tls?.certificates, ["/etc/webserv/fallback.pem"])
        XCTAssertTrue(bare.tls?.reason.hasSuffix("that server has no ssl_certificate, so the default server's stays") ?? false)
    }

    func testTheHostThatDiffersFromSNIChoosesTheServerAndIsSaidSo() throws {
        let explanation = try explain("https://example.test/", host: "fallback.test")
        XCTAssertEqual(explanation.tls?.certificates, ["/certs/example.pem"])
        XCTAssertEqual(explanation.server?.entries.first?.names, ["fallback.test"])
        XCTAssertTrue(explanation.notes.contains { $0.hasPrefix("the certificate was chosen by SNI ('example.test')") }, "\(explanation.notes)")
    }

    func testASchemeThatDoesNotFitTheAddress() throws {
        let plain = try explain("http://example.test:443/")
        XCTAssertEqual(plain.answer.status, 400)
        XCTAssertTrue(plain.answer.reason.contains("The plain HTTP request was sent to HTTPS port"))
        let handshake = try explain("https://example.test:80/")
        XCTAssertNil(handshake.answer.status)
        XCTAssertNil(handshake.tls)
        XCTAssertTrue(handshake.answer.reason.hasPrefix("*:80 does not listen with 'ssl'"))
        XCTAssertNil(try explain("http://example.test/").tls)
    }

    func testTheTextAndJSONNameTheCertificate() throws {
        let explanation = try explain("https://example.test/")
        XCTAssertTrue(ExplanationRenderer.text(explanation).contains("""

            tls SNI example.test
              certificate /certs/example.pem (/etc/webserv/site.conf:7:9)
              key /certs/example.key
              chosen: SNI 'example.test' is a server_name of this server (server at /etc/webserv/site.conf:4:5)

            """), ExplanationRenderer.text(explanation))
        let json = ExplanationRenderer.json(explanation).serialized()
        XCTAssertTrue(json.contains(#""tls": {"serverName": "example.test", "certificates": ["/certs/example.pem"], "keys": ["/certs/example.key"], "file": "/etc/webserv/site.conf", "line": 7, "column": 9"#), json)
        XCTAssertTrue(ExplanationRenderer.json(try explain("http://example.test/")).serialized().contains(#""tls": null"#))
    }
}
