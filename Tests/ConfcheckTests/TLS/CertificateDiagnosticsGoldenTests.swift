import ConfLang
import XCTest
@testable import confcheck

/// `confcheck FILE` on a site whose certificates were made for the test:
/// each certificate check, rendered as a user sees it (file:line:column,
/// message, code, notes). Only the certificate findings are kept: what the
/// directive table says about `ssl_*` is not these checks' business.
final class CertificateDiagnosticsGoldenTests: XCTestCase {
    func testEachCertificateCheckAsRendered() throws {
        let files = try TestCertificates()
        try files.leaf("site", names: ["example.test", "*.example.test"])
        try files.leaf("old", names: ["old.test"], notBefore: Date(timeIntervalSince1970: 1_577_836_800),
                       notAfter: Date(timeIntervalSince1970: 1_580_515_200))
        let soon = Date(timeIntervalSinceNow: 5 * 86_400 + 3_600)
        try files.leaf("soon", names: ["soon.test"], notAfter: soon)
        chmod(files.path("soon.key"), 0o644)
        try files.strayKey("stray")
        try files.der("site")
        try files.write("reversed.pem", try files.read("intermediate.pem") + files.read("site.pem"))
        try files.write("site.conf", """
            events { }
            http {
                server {
                    listen 8443 ssl default_server;
                    server_name example.test www.example.test a.b.example.test;
                    ssl_certificate site.full.pem;
                    ssl_certificate_key site.key;
                }
                server {
                    listen 8443 ssl;
                    server_name old.test;
                    ssl_certificate old.pem;
                    ssl_certificate_key stray.key;
                }
                server {
                    listen 8443 ssl;
                    server_name soon.test;
                    ssl_certificate soon.pem;
                    ssl_certificate_key soon.key;
                }
                server {
                    listen 8443 ssl;
                    server_name reversed.example.test;
                    ssl_certificate reversed.pem;
                    ssl_certificate_key site.key;
                }
                server {
                    listen 8443 ssl;
                    server_name gone.example.test;
                    ssl_certificate missing.pem;
                    ssl_certificate_key site.der;
                }
                server {
                    listen 8443 ssl;
                    server_name der.example.test;
                    ssl_certificate site.der;
                    ssl_certificate_key site.key;
                }
            }

            """)
        let outcome = Confcheck(environment: .init()).run([files.path("site.conf")])
        XCTAssertEqual(outcome.status, 1)
        let soonDate = CertificateChecksDate.format(soon)
        XCTAssertEqual(certificateFindings(outcome.outputText, directory: files.directory), """
            DIR/site.conf:5:51: warning: server_name 'a.b.example.test' is not covered by the certificate 'site.full.pem' (it covers example.test, *.example.test); clients connecting by that name refuse it [certificate.name-not-covered]
            DIR/site.conf:6:25: note: the certificate is set here
            DIR/site.conf:12:25: error: '/CN=old.test' in 'old.pem' expired on 2020-02-01 00:00 UTC; clients refuse it: renew it [certificate.expired]
            DIR/site.conf:13:29: error: the key 'stray.key' does not belong to the certificate 'old.pem' ('/CN=old.test'); the TLS handshake could not be made [certificate.key-mismatch]
            DIR/site.conf:12:25: note: the certificate is set here
            DIR/site.conf:18:25: warning: '/CN=soon.test' in 'soon.pem' expires on \(soonDate), in 5 days: renew it [certificate.expiring]
            DIR/site.conf:19:29: warning: the private key 'soon.key' can be read by every local user; run 'chmod 600 DIR/soon.key' [certificate.key-world-readable]
            DIR/site.conf:24:25: error: 'reversed.pem' starts with '/CN=Test Intermediate CA', but the key 'site.key' belongs to certificate 2 in it, '/CN=example.test': the server's own certificate must come first [certificate.chain-order]
            DIR/site.conf:25:29: note: the key is set here
            DIR/site.conf:30:25: error: cannot read the ssl_certificate file 'missing.pem': No such file or directory [certificate.unreadable]
            DIR/site.conf:31:29: error: 'site.der' is not a PEM key file: it looks like DER (binary); convert it to PEM [certificate.not-pem]
            DIR/site.conf:36:25: error: 'site.der' is not a PEM certificate file: it looks like DER (binary); convert it to PEM (OpenSSL: no start line) [certificate.not-pem]

            """)
    }

    /// The lines of certificate findings and the notes under them, the test's directory as DIR.
    private func certificateFindings(_ output: String, directory: String) -> String {
        var kept: [Substring] = [], keeping = false
        for line in output.split(separator: "\n") {
            if line.contains(": note: ") { if keeping { kept.append(line) }; continue }
            keeping = line.contains("[certificate.")
            if keeping { kept.append(line) }
        }
        return kept.map { $0.replacingOccurrences(of: directory, with: "DIR") }.joined(separator: "\n") + "\n"
    }
}

/// The date as the checks print it (`2026-12-21 13:05 UTC`).
enum CertificateChecksDate {
    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
