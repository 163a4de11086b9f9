import ConfLang
import TLSInspection
import XCTest

/// The OpenSSL reader of certificate and key files, on files the `openssl`
/// command line makes for each test.
final class OpenSSLCertificateInspectorTests: XCTestCase {
    let inspector = OpenSSLCertificateInspector()

    func testAFullChainGivesItsCertificatesInOrderWithNamesDatesAndIssuers() throws {
        let files = try TestCertificates()
        let notAfter = Date(timeIntervalSince1970: 1_900_000_000)
        try files.leaf("site", names: ["example.test", "*.example.test"], notAfter: notAfter)
        let chain = try inspector.chain(at: files.path("site.full.pem")).get()
        XCTAssertEqual(chain.certificates.count, 2)
        let leaf = chain.certificates[0], intermediate = chain.certificates[1]
        XCTAssertEqual(leaf.dnsNames, ["example.test", "*.example.test"])
        XCTAssertEqual(leaf.commonName, "example.test")
        XCTAssertEqual(leaf.subject, "/CN=example.test")
        XCTAssertEqual(leaf.issuer, "/CN=Test Intermediate CA")
        XCTAssertEqual(leaf.notAfter, 1_900_000_000)
        XCTAssertFalse(leaf.isCA)
        XCTAssertTrue(intermediate.isCA)
        XCTAssertEqual(intermediate.subject, "/CN=Test Intermediate CA")
        XCTAssertEqual(chain.signedByNext, [true])
        // The other way round, neither issued the other.
        try files.write("reversed.pem", try files.read("intermediate.pem") + files.read("site.pem"))
        XCTAssertEqual(try inspector.chain(at: files.path("reversed.pem")).get().signedByNext, [false])
    }

    func testAKeyMatchesItsCertificateByItsPublicHalfAndKnowsWhoMayReadIt() throws {
        let files = try TestCertificates()
        try files.leaf("site", names: ["example.test"])
        try files.strayKey("stray")
        let leaf = try inspector.chain(at: files.path("site.pem")).get().certificates[0]
        let own = try inspector.privateKey(at: files.path("site.key")).get()
        let stray = try inspector.privateKey(at: files.path("stray.key")).get()
        XCTAssertFalse(leaf.publicKey.isEmpty)
        XCTAssertEqual(own.publicKey, leaf.publicKey)
        XCTAssertNotEqual(stray.publicKey, leaf.publicKey)
        XCTAssertFalse(own.readableByEveryone)
        chmod(files.path("site.key"), 0o644)
        XCTAssertTrue(try inspector.privateKey(at: files.path("site.key")).get().readableByEveryone)
    }

    func testFilesThatAreMissingNotPEMOrBrokenSayWhy() throws {
        let files = try TestCertificates()
        try files.leaf("site", names: ["example.test"])
        try files.der("site")
        XCTAssertEqual(inspector.chain(at: files.path("missing.pem")), .failure(.unreadable("No such file or directory")))
        XCTAssertEqual(inspector.chain(at: files.path("site.der")), .failure(.notPEM("it looks like DER (binary); convert it to PEM (OpenSSL: no start line)")))
        XCTAssertEqual(inspector.chain(at: files.path("site.key")), .failure(.notPEM("it holds no CERTIFICATE block, only PRIVATE KEY (OpenSSL: no start line)")))
        XCTAssertEqual(inspector.privateKey(at: files.path("site.pem")), .failure(.notPEM("it holds no PRIVATE KEY block, only CERTIFICATE")))
        let pem = try files.read("site.pem")
        try files.write("broken.pem", pem.replacingOccurrences(of: "\n", with: "\n!", options: [], range: pem.range(of: "\n")))
        guard case .failure(.invalid(let reason)) = inspector.chain(at: files.path("broken.pem")) else {
            return XCTFail("a PEM block that does not decode")
        }
        XCTAssertFalse(reason.isEmpty)
        // A key behind a passphrase is refused without asking for one.
        let encrypted = Process()
        encrypted.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        encrypted.arguments = ["pkey", "-in", files.path("site.key"), "-aes256", "-passout", "pass:secret", "-out", files.path("locked.key")]
        try encrypted.run()
        encrypted.waitUntilExit()
        XCTAssertEqual(inspector.privateKey(at: files.path("locked.key")),
                       .failure(.invalid("the key is protected by a passphrase, which webserv cannot ask for")))
        // A certificate and its key in one file serve as both.
        try files.write("both.pem", try files.read("site.key") + files.read("site.pem"))
        XCTAssertEqual(try inspector.chain(at: files.path("both.pem")).get().certificates.count, 1)
        XCTAssertNoThrow(try inspector.privateKey(at: files.path("both.pem")).get())
    }

    func testExpiredCertificatesAreMadeWithPastDates() throws {
        let files = try TestCertificates()
        let start = Date(timeIntervalSince1970: 1_577_836_800), end = Date(timeIntervalSince1970: 1_580_515_200)
        try files.leaf("old", names: ["example.test"], notBefore: start, notAfter: end)
        let leaf = try inspector.chain(at: files.path("old.pem")).get().certificates[0]
        XCTAssertEqual(leaf.notBefore, 1_577_836_800)
        XCTAssertEqual(leaf.notAfter, 1_580_515_200)
    }
}
