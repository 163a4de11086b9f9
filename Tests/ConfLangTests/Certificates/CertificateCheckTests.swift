import XCTest
@testable import ConfLang

/// The certificate checks' logic, with the files' facts from a fake
/// inspector (the OpenSSL one is tested in ConfcheckTests, with real files).
final class CertificateCheckTests: XCTestCase {
    static let now: Int64 = 1_800_000_000
    static let day: Int64 = 86_400

    func testUnreadableAndNotPEMFilesAreErrorsAtTheirArgument() {
        let fake = FakeInspector(chains: ["cert.pem": .failure(.unreadable("No such file or directory"))],
                                 keys: ["key.pem": .failure(.notPEM("it looks like DER (binary); convert it to PEM"))])
        let result = check(site("listen 443 ssl;\nssl_certificate cert.pem;\nssl_certificate_key key.pem;"), fake)
        XCTAssertEqual(result.map(\.summary), ["5:17 error certificate.unreadable", "6:21 error certificate.not-pem"])
        XCTAssertEqual(result.first?.message, "cannot read the ssl_certificate file 'cert.pem': No such file or directory")
        XCTAssertEqual(result.last?.message, "'key.pem' is not a PEM key file: it looks like DER (binary); convert it to PEM")
    }

    func testAKeyOfAnotherCertificateIsAMismatchAtTheKey() {
        let fake = FakeInspector(chains: ["cert.pem": .success(chain([leaf("example.com", key: 1)]))],
                                 keys: ["key.pem": .success(PrivateKeyFacts(publicKey: [2], readableByEveryone: false))])
        let result = check(site("listen 443 ssl;\nssl_certificate cert.pem;\nssl_certificate_key key.pem;"), fake)
        XCTAssertEqual(result.map(\.summary), ["6:21 error certificate.key-mismatch"])
        XCTAssertEqual(result.first?.notes.first?.message, "the certificate is set here")
        XCTAssertEqual(result.first?.notes.first?.range?.startLocation.line, 5)
        // Its own key: nothing to say.
        let good = FakeInspector(chains: ["cert.pem": .success(chain([leaf("example.com", key: 1)]))],
                                 keys: ["key.pem": .success(PrivateKeyFacts(publicKey: [1], readableByEveryone: false))])
        XCTAssertEqual(check(site("listen 443 ssl;\nserver_name example.com;\nssl_certificate cert.pem;\nssl_certificate_key key.pem;"), good).map(\.summary), [])
    }

    func testTheLeafAfterItsIntermediateIsTheChainsOrderNotAMismatch() {
        let intermediate = ca("R3", key: 9)
        let fake = FakeInspector(chains: ["full.pem": .success(chain([intermediate, leaf("example.com", key: 1)], signed: [false]))],
                                 keys: ["key.pem": .success(PrivateKeyFacts(publicKey: [1], readableByEveryone: false))])
        let result = check(site("listen 443 ssl;\nserver_name example.com;\nssl_certificate full.pem;\nssl_certificate_key key.pem;"), fake)
        XCTAssertEqual(result.map(\.summary), ["6:17 error certificate.chain-order"])
        XCTAssertTrue(result[0].message.contains("belongs to certificate 2 in it"), result[0].message)
        // Without a key to tell, a CA certificate before the leaf says the same.
        let alone = FakeInspector(chains: ["full.pem": .success(chain([intermediate, leaf("example.com", key: 1)], signed: [false]))])
        XCTAssertEqual(check(site("listen 443 ssl;\nssl_certificate full.pem;"), alone).map(\.summary), ["5:17 error certificate.chain-order"])
    }

    func testAnIntermediateThatDidNotIssueTheOneBeforeIsAWarning() {
        let fake = FakeInspector(chains: ["full.pem": .success(chain([leaf("example.com", key: 1), ca("Other CA", key: 8), ca("R3", key: 9)],
                                                                     signed: [false, false]))])
        let result = check(site("listen 443 ssl;\nssl_certificate full.pem;"), fake)
        XCTAssertEqual(result.map(\.summary), ["5:17 warning certificate.chain-broken"], "reported once, at the first break")
        XCTAssertTrue(result[0].message.contains("certificate 2 (/CN=Other CA) did not issue certificate 1"), result[0].message)
        let right = FakeInspector(chains: ["full.pem": .success(chain([leaf("example.com", key: 1), ca("R3", key: 9)], signed: [true]))])
        XCTAssertEqual(check(site("listen 443 ssl;\nssl_certificate full.pem;"), right).map(\.summary), [])
    }

    func testExpiredIsAnErrorAndExpiringWithinFourteenDaysAWarningWithTheDate() {
        func dated(_ notAfter: Int64, intermediateAfter: Int64 = CertificateCheckTests.now + 900 * CertificateCheckTests.day) -> FakeInspector {
            var certificate = leaf("example.com", key: 1)
            certificate.notAfter = notAfter
            var intermediate = ca("R3", key: 9)
            intermediate.notAfter = intermediateAfter
            return FakeInspector(chains: ["cert.pem": .success(chain([certificate, intermediate], signed: [true]))])
        }
        let text = site("listen 443 ssl;\nssl_certificate cert.pem;")
        let expired = check(text, dated(Self.now - Self.day))
        XCTAssertEqual(expired.map(\.summary), ["5:17 error certificate.expired"])
        XCTAssertEqual(expired[0].message, "'/CN=example.com' in 'cert.pem' expired on 2027-01-14 08:00 UTC; clients refuse it: renew it")
        let expiring = check(text, dated(Self.now + 10 * Self.day))
        XCTAssertEqual(expiring.map(\.summary), ["5:17 warning certificate.expiring"])
        XCTAssertEqual(expiring[0].message, "'/CN=example.com' in 'cert.pem' expires on 2027-01-25 08:00 UTC, in 10 days: renew it")
        XCTAssertEqual(check(text, dated(Self.now + 15 * Self.day)).map(\.summary), [])
        // An intermediate that expires first decides.
        XCTAssertEqual(check(text, dated(Self.now + 300 * Self.day, intermediateAfter: Self.now - 1)).map(\.message),
                       ["'/CN=R3' in 'cert.pem' expired on 2027-01-15 07:59 UTC; clients refuse it: renew it"])
        var future = leaf("example.com", key: 1)
        future.notBefore = Self.now + Self.day
        XCTAssertEqual(check(text, FakeInspector(chains: ["cert.pem": .success(chain([future]))])).map(\.summary),
                       ["5:17 error certificate.expired"])
    }

    func testServerNamesTheCertificateDoesNotCoverAreWarningsListingWhatItCovers() {
        let fake = FakeInspector(chains: ["cert.pem": .success(chain([leaf("example.com", "*.example.com", key: 1)]))])
        let result = check(site("listen 443 ssl;\nserver_name example.com www.example.com a.b.example.com example.org;\nssl_certificate cert.pem;"), fake)
        XCTAssertEqual(result.map(\.summary), ["5:41 warning certificate.name-not-covered", "5:57 warning certificate.name-not-covered"])
        XCTAssertEqual(result[0].message,
                       "server_name 'a.b.example.com' is not covered by the certificate 'cert.pem' (it covers example.com, *.example.com); clients connecting by that name refuse it")
        XCTAssertEqual(result[0].notes.first?.range?.startLocation.line, 6)
        // nginx's `.example.com` is example.com and *.example.com; `*.example.org` needs that wildcard.
        XCTAssertEqual(check(site("listen 443 ssl;\nserver_name .example.com _ \"\" ~^w;\nssl_certificate cert.pem;"), fake).map(\.summary), [])
        XCTAssertEqual(check(site("listen 443 ssl;\nserver_name *.example.org .example.net;\nssl_certificate cert.pem;"), fake).map(\.message).map { $0.prefix(47) },
                       ["server_name '*.example.org' is not covered by t", "'example.net' and '*.example.net' of server_nam"])
        // A server reached only over plain HTTP presents no certificate.
        XCTAssertEqual(check(site("listen 80;\nserver_name example.org;\nssl_certificate cert.pem;"), fake).map(\.summary), [])
    }

    func testAnAddressIsTLSForEveryServerOnItAndHTTPsCertificateIsInheritedAndCheckedOnce() {
        let fake = FakeInspector(chains: ["cert.pem": .success(chain([leaf("example.com", key: 1)]))],
                                 keys: ["key.pem": .success(PrivateKeyFacts(publicKey: [2], readableByEveryone: true))])
        let text = """
            events { }
            http {
            ssl_certificate cert.pem;
            ssl_certificate_key key.pem;
            server { listen 443 ssl default_server; server_name example.com; }
            server { listen 443; server_name other.example.com; }
            }
            """
        XCTAssertEqual(check(text, fake).map(\.summary),
                       ["4:21 error certificate.key-mismatch", "4:21 warning certificate.key-world-readable",
                        "6:34 warning certificate.name-not-covered"])
        XCTAssertTrue(check(text, fake)[1].message.hasSuffix("run 'chmod 600 \(checkDirectory)/key.pem'"))
    }

    func testFilesAreReadOnlyThroughAnInspectorAndNotWhenTheyNameVariables() {
        let text = site("listen 443 ssl;\nssl_certificate /nonexistent/cert.pem;")
        let result = Linter.lint(path: "/nonexistent/test.conf", bytes: Array(text.utf8))
        XCTAssertEqual(result.diagnostics.filter { $0.code.hasPrefix("certificate.") }.count, 0, "no inspector: not read")
        let fake = FakeInspector(chains: [:])
        XCTAssertEqual(check(site("listen 443 ssl;\nssl_certificate /certs/$ssl_server_name.pem;\nssl_certificate data:$pem;"), fake).map(\.summary), [])
        XCTAssertEqual(fake.asked.paths, [])
    }

    func testEachFileIsReadOnce() {
        let fake = FakeInspector(chains: ["cert.pem": .success(chain([leaf("example.com", key: 1)]))],
                                 keys: ["key.pem": .success(PrivateKeyFacts(publicKey: [1], readableByEveryone: false))])
        let body = "listen 443 ssl;\nserver_name example.com;\nssl_certificate cert.pem;\nssl_certificate_key key.pem;"
        XCTAssertEqual(check(site(body + "\n}\nserver {\n" + body), fake).map(\.summary), [])
        XCTAssertEqual(fake.asked.paths, ["\(checkDirectory)/cert.pem", "\(checkDirectory)/key.pem"])
    }

    func testCertificateNamesFollowRFC6125() {
        XCTAssertTrue(CertificateNames.covers("*.example.com", host: "www.example.com"))
        XCTAssertTrue(CertificateNames.covers("*.Example.com.", host: "WWW.example.com"))
        XCTAssertFalse(CertificateNames.covers("*.example.com", host: "example.com"), "one label, never none")
        XCTAssertFalse(CertificateNames.covers("*.example.com", host: "a.b.example.com"), "one label, never two")
        XCTAssertFalse(CertificateNames.covers("*.com", host: "example.com"), "not a whole top-level domain")
        XCTAssertFalse(CertificateNames.covers("w*.example.com", host: "www.example.com"), "only a whole left-most label")
        XCTAssertTrue(CertificateNames.covers("example.com", host: "example.com"))
        XCTAssertEqual(CertificateNames.hosts(forServerName: ".Example.com"), ["example.com", "*.example.com"])
        XCTAssertNil(CertificateNames.hosts(forServerName: "www.example.*"))
        // RFC 6125 §6.4.4: the CN counts only without DNS names.
        let withCN = CertificateFacts(subject: "/CN=a", issuer: "/CN=a", commonName: "a.example.com", notBefore: 0, notAfter: 1, publicKey: [])
        XCTAssertEqual(withCN.names, ["a.example.com"])
        var both = withCN
        both.dnsNames = ["b.example.com"]
        XCTAssertEqual(both.names, ["b.example.com"])
    }

    // MARK: support

    private var checkDirectory = ""

    override func tearDown() {
        if !checkDirectory.isEmpty { try? FileManager.default.removeItem(atPath: checkDirectory) }
    }

    /// The certificate findings of `text` linted as `test.conf` in a fresh directory.
    /// webserv loads them when it applies the configuration: one that cannot be read is an error at its argument.
    func testProxySSLFilesAreCheckedAsTheServersAre() {
        let fake = FakeInspector(chains: ["ca.pem": .failure(.unreadable("No such file or directory")),
                                          "client.pem": .failure(.notPEM("nothing"))],
                                 keys: ["client.key": .failure(.unreadable("Permission denied"))])
        let result = check(site("location / { proxy_pass https://127.0.0.1; proxy_ssl_verify on; proxy_ssl_trusted_certificate ca.pem;\n"
                                + "proxy_ssl_certificate client.pem; proxy_ssl_certificate_key client.key; }"), fake)
        XCTAssertEqual(result.map(\.summary), ["4:95 error certificate.unreadable", "5:23 error certificate.not-pem", "5:61 error certificate.unreadable"])
        XCTAssertEqual(result.first?.message, "cannot read the proxy_ssl_trusted_certificate file 'ca.pem': No such file or directory")
    }

    private func check(_ text: String, _ inspector: FakeInspector) -> [Diagnostic] {
        if !checkDirectory.isEmpty { try? FileManager.default.removeItem(atPath: checkDirectory) }
        checkDirectory = NSTemporaryDirectory() + "conflang-certificates-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try? FileManager.default.createDirectory(atPath: checkDirectory, withIntermediateDirectories: true)
        inspector.directory = checkDirectory
        let options = Linter.Options(hostResolver: HostResolver { _ in true }, certificateInspector: inspector, now: Self.now)
        return Linter.lint(path: checkDirectory + "/test.conf", bytes: Array(text.utf8), options: options)
            .diagnostics.filter { $0.code.hasPrefix("certificate.") }
    }

    private func leaf(_ names: String..., key: UInt8) -> CertificateFacts {
        CertificateFacts(subject: "/CN=\(names[0])", issuer: "/CN=R3", dnsNames: names, commonName: names[0],
                         notBefore: Self.now - 30 * Self.day, notAfter: Self.now + 60 * Self.day, publicKey: [key])
    }

    private func ca(_ name: String, key: UInt8) -> CertificateFacts {
        CertificateFacts(subject: "/CN=\(name)", issuer: "/CN=Root", commonName: name,
                         notBefore: Self.now - 300 * Self.day, notAfter: Self.now + 600 * Self.day, isCA: true, publicKey: [key])
    }

    private func chain(_ certificates: [CertificateFacts], signed: [Bool]? = nil) -> CertificateChain {
        CertificateChain(certificates: certificates, signedByNext: signed ?? Array(repeating: true, count: max(0, certificates.count - 1)))
    }
}

/// Facts by file name, for files in the check's directory; records what it was asked.
private final class FakeInspector: CertificateInspector {
    final class Asked { var paths: [String] = [] }
    let chains: [String: Result<CertificateChain, CertificateFileProblem>]
    let keys: [String: Result<PrivateKeyFacts, CertificateFileProblem>]
    var directory = ""
    let asked = Asked()

    init(chains: [String: Result<CertificateChain, CertificateFileProblem>], keys: [String: Result<PrivateKeyFacts, CertificateFileProblem>] = [:]) {
        self.chains = chains
        self.keys = keys
    }

    func chain(at path: String) -> Result<CertificateChain, CertificateFileProblem> {
        asked.paths.append(path)
        return chains[name(path)] ?? .failure(.unreadable("No such file or directory"))
    }

    func privateKey(at path: String) -> Result<PrivateKeyFacts, CertificateFileProblem> {
        asked.paths.append(path)
        return keys[name(path)] ?? .failure(.unreadable("No such file or directory"))
    }

    private func name(_ path: String) -> String {
        path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
    }
}
