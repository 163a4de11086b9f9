import XCTest

/// `webserv -t` (and so every start and reload, `ConfigurationCheck`) reads
/// the certificate files a configuration names, as confcheck does.
final class CertificateCheckStartupTests: XCTestCase {
    func testAMissingCertificateFileIsAnErrorOfTheCheck() throws {
        let directory = try WebservCommand.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/webserv.conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: config, contents: Data("""
            events {}
            http {
                server {
                    listen 127.0.0.1:\(ServerProcess.freePort()) ssl;
                    ssl_certificate missing.pem;
                }
            }

            """.utf8)))
        let check = try WebservCommand.run(["-t", config])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue((check.output + check.errors).contains(
            "webserv.conf:5:25: error: cannot read the ssl_certificate file 'missing.pem': No such file or directory [certificate.unreadable]"),
            check.output + check.errors)
    }
}
