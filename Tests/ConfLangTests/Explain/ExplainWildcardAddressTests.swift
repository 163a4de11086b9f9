import XCTest
@testable import ConfLang

/// `--explain` picks the address a connection reaches as webserv does: the
/// specific address the URL names, else its family's wildcard on that port.
final class ExplainWildcardAddressTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "explain-wildcard-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private let config = """
    events { }
    http {
        server { listen 8080; server_name api; return 200 wildcard; }
        server { listen 127.0.0.1:8080; server_name other; return 200 loopback; }
        server { listen [::]:8080; server_name api; return 200 wildcard6; }
        server { listen [::1]:8080; server_name other; return 200 loopback6; }
    }
    """

    private func explain(_ url: String, host: String = "api") throws -> Explanation {
        let path = directory + "/webserv.conf"
        let bytes = Array(config.utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        guard case .success(let (model, _)) = Explainer.model(path: path, bytes: bytes) else { throw XCTSkip("configuration refused") }
        return try Explainer.explain(ExplainRequest(url: url, method: "GET", headers: [("Host", host)]), config: model).get()
    }

    func testTheSpecificAddressChoosesAmongItsOwnServers() throws {
        let loopback = try explain("http://127.0.0.1:8080/")
        XCTAssertEqual(loopback.address?.listen.description, "127.0.0.1:8080")
        XCTAssertEqual(loopback.answer.status, 200)
        XCTAssertTrue(loopback.answer.reason.hasPrefix("the server's 'return 200'"), loopback.answer.reason)
        XCTAssertEqual(loopback.server?.entries.first?.names, ["other"], "only 127.0.0.1:8080's servers, whatever the Host")

        let other = try explain("http://127.0.0.2:8080/")
        XCTAssertEqual(other.address?.listen.description, "*:8080")
        XCTAssertEqual(other.server?.entries.first?.names, ["api"])

        // A name: the wildcard, with a note on what a resolution to the specific address would change.
        let named = try explain("http://localhost:8080/")
        XCTAssertEqual(named.address?.listen.description, "*:8080")
        XCTAssertTrue(named.notes.contains { $0.contains("if 'localhost' resolves to 127.0.0.1") }, "\(named.notes)")
    }

    func testIPv6UsesItsOwnWildcard() throws {
        let loopback = try explain("http://[::1]:8080/")
        XCTAssertEqual(loopback.address?.listen.description, "[::1]:8080")
        XCTAssertEqual(loopback.server?.entries.first?.names, ["other"])

        let other = try explain("http://[fd00::2]:8080/")
        XCTAssertEqual(other.address?.listen.description, "[::]:8080")
        XCTAssertEqual(other.server?.entries.first?.names, ["api"])
    }
}
