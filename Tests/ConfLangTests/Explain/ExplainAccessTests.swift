import XCTest
@testable import ConfLang

/// `--explain` through nginx's access phase: `--from` for allow/deny, the
/// Authorization field for auth_basic, satisfy, and the error page a 403 gets.
final class ExplainAccessTests: XCTestCase {
    private func explain(_ path: String, from client: String? = nil, headers: [(name: String, value: String)] = []) throws -> Explanation {
        let directory = NSTemporaryDirectory() + "explain-access-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/www/admin", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/www/admin/a.txt", contents: Data("a".utf8)))
        let text = """
        events { }
        http {
            server {
                listen 127.0.0.1:8080;
                root \(directory)/www;
                error_page 403 /denied.html;
                location /admin/ { allow 10.0.0.0/8; deny all; }
                location /staff/ { auth_basic "Staff"; auth_basic_user_file /etc/hostname; }
                location /either/ { satisfy any; allow 10.0.0.0/8; deny all; auth_basic "Staff"; auth_basic_user_file /etc/hostname; }
                location /gone/ { deny all; return 410; }
            }
        }
        """
        guard case .success(let (config, _)) = ModelBuilder.build(path: directory + "/webserv.conf", bytes: Array(text.utf8)) else {
            throw XCTSkip("configuration did not build")
        }
        return try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080" + path, headers: headers, clientAddress: client),
                                     config: config).get()
    }

    func testTheClientsAddressDecides() throws {
        let denied = try explain("/admin/a.txt", from: "192.0.2.1")
        XCTAssertEqual(denied.answer.status, 403)
        XCTAssertTrue(denied.answer.reason.contains("'deny all' is the first rule that holds 192.0.2.1"), denied.answer.reason)
        XCTAssertEqual(denied.answer.errorPage?.target, "/denied.html", "error_page applies to the 403")
        let allowed = try explain("/admin/a.txt", from: "10.9.8.7")
        XCTAssertEqual(allowed.answer.status, 200)
        XCTAssertTrue(allowed.notes.contains { $0.contains("'allow 10.0.0.0/8' is the first rule that holds 10.9.8.7") }, "\(allowed.notes)")
        let unknown = try explain("/admin/a.txt")
        XCTAssertEqual(unknown.answer.status, 200, "the file is what answers when the address allows")
        XCTAssertTrue(unknown.notes.contains { $0.contains("depends on the client's address (allow 10.0.0.0/8; deny all); give --from") },
                      "\(unknown.notes)")
        XCTAssertEqual(try explain("/gone/", from: "192.0.2.1").answer.status, 410, "return comes before the access phase")
        XCTAssertEqual(ExplainRequest(url: "/", clientAddress: "localhost").problem?.message, "--from 'localhost' is not an IPv4 or IPv6 address")
    }

    func testAPasswordIsAskedFor() throws {
        let challenge = try explain("/staff/x")
        XCTAssertEqual(challenge.answer.status, 401)
        XCTAssertEqual(challenge.answer.headers.first?.value, "Basic realm=\"Staff\"")
        let withPassword = try explain("/staff/x", headers: [("Authorization", "Basic YTpi")])
        XCTAssertEqual(withPassword.answer.status, 404, "past the password, the file lookup answers")
        XCTAssertTrue(withPassword.notes.contains { $0.contains("checked against /etc/hostname") }, "\(withPassword.notes)")
        XCTAssertEqual(try explain("/either/x", from: "10.0.0.1").answer.status, 404, "satisfy any: the address is enough")
        XCTAssertEqual(try explain("/either/x", from: "192.0.2.1").answer.status, 401, "satisfy any: 401 before 403")
    }
}
