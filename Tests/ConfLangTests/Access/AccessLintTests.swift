import XCTest
@testable import ConfLang

/// The lints of `allow`/`deny` and `auth_basic`, each at its token.
final class AccessLintTests: XCTestCase {
    func testARuleAfterAllIsNeverReached() {
        let found = diagnostics(site("location / { allow 10.0.0.0/8; deny all; allow 127.0.0.1; }"))
        XCTAssertEqual(found.map(\.summary), ["4:42 warning access.unreachable-rule"])
        XCTAssertEqual(found.first?.notes.first?.message, "'deny all' is here")
        XCTAssertEqual(found.first?.notes.first?.range?.startLocation, SourceLocation(line: 4, column: 32))
        XCTAssertEqual(findings(site("location / { allow 127.0.0.1; deny all; }")), [], "the usual order")
        XCTAssertEqual(findings(site("deny all; location / { allow 127.0.0.1; }")), [], "another block: its list replaces the server's")
    }

    func testLowAddressBitsAreClearedWithAFix() {
        let found = diagnostics(site("allow 10.1.2.3/8; deny 2001:db8::1/32; deny 192.168.1.0/24;"))
        XCTAssertEqual(found.map(\.summary), ["4:7 warning access.low-address-bits", "4:24 warning access.low-address-bits"])
        XCTAssertEqual(found.map { $0.fixIt?.replacement }, ["10.0.0.0/8", "2001:db8::/32"])
        XCTAssertEqual(IPAddress("2001:db8:0:0:1:0:0:1")?.description, "2001:db8::1:0:0:1")
        XCTAssertEqual(IPAddress("::")?.description, "::")
        XCTAssertEqual(IPAddress("1:0:2:0:3:0:4:0")?.description, "1:0:2:0:3:0:4:0")
    }

    func testAuthBasicWithoutAUserFileAsksNothing() {
        XCTAssertEqual(findings(site("location / { auth_basic \"Staff\"; }")), ["4:14 warning auth.no-user-file"])
        XCTAssertEqual(findings(site("location / { auth_basic off; }")), [])
        let files = ["htpasswd": "a:{SHA}x\n"]
        // The file above, beside or in a block inside: no warning (the file's own mode aside).
        for text in [site("location / { auth_basic \"S\"; }", http: "auth_basic_user_file htpasswd;\n"),
                     site("auth_basic \"S\"; location / { auth_basic_user_file htpasswd; }")] {
            XCTAssertEqual(lint(text, files: files).diagnostics.filter { $0.id == .authNoUserFile }.map(\.summary), [], text)
        }
    }

    func testTheUserFileIsCheckedOnDisk() throws {
        XCTAssertEqual(findings(site("location / { auth_basic \"S\"; auth_basic_user_file missing; }")), ["4:51 warning auth.user-file"])
        let result = lint(site("location / { auth_basic \"S\"; auth_basic_user_file htpasswd; }"), files: ["htpasswd": "a:{SHA}x\n"])
        let path = try XCTUnwrap(result.config.files.first?.source.path).replacingOccurrences(of: "test.conf", with: "htpasswd")
        chmod(path, 0o644)
        let open = lint(site("location / { auth_basic \"S\"; auth_basic_user_file \(path); }"))
        XCTAssertEqual(open.diagnostics.map(\.summary), ["4:51 warning auth.user-file-world-readable"])
        chmod(path, 0o640)
        XCTAssertEqual(lint(site("location / { auth_basic \"S\"; auth_basic_user_file \(path); }")).diagnostics.map(\.summary), [])
    }
}
