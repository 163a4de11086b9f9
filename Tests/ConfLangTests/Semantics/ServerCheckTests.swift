import XCTest
@testable import ConfLang

final class ServerCheckTests: XCTestCase {
    private func http(_ body: String) -> String { "events { }\nhttp {\n\(body)\n}\n" }

    func testTwoDefaultServersOnOneAddress() {
        let found = diagnostics(http("server { listen 80 default_server; }\nserver { listen *:80 default_server; }"))
        XCTAssertEqual(found.map(\.summary), ["4:22 error server.duplicate-default"])
        XCTAssertEqual(found[0].notes.first?.range?.startLocation, SourceLocation(line: 3, column: 20))
        XCTAssertEqual(findings(http("server { listen 80 default_server; }\nserver { listen 81 default_server; }")), [])
    }

    func testSameNameOnOneAddress() {
        let found = diagnostics(http("server { listen 80; server_name a.test; }\nserver { listen 0.0.0.0:80; server_name b.test A.TEST; }"))
            .filter { $0.id != .serverImplicitDefault } // (neither is default_server: GixyNextLintTests)
        XCTAssertEqual(found.map(\.summary), ["4:48 error server.duplicate-name"])
        XCTAssertEqual(found[0].notes.first?.range?.startLocation, SourceLocation(line: 3, column: 33))
    }

    func testSameNameOnDifferentAddressesIsFine() {
        XCTAssertEqual(findings(http("server { listen 80; server_name a.test; }\nserver { listen 127.0.0.1:80; server_name a.test; }")), [])
        XCTAssertEqual(findings(http("server { listen 80; server_name a.test; }\nserver { listen 81; server_name a.test; }")), [])
    }

    func testServersWithoutListenShareStarPort80() {
        XCTAssertEqual(findings(http("server { server_name a.test; }\nserver { listen 80; server_name a.test; }")),
                       ["3:1 warning server.implicit-default", "4:33 error server.duplicate-name"])
    }
}

extension ServerCheckTests {
    /// nginx: `*:80` and `127.0.0.1:80` are two addresses, each with its own
    /// default_server and names (the specific one gets no socket of its own).
    func testAWildcardAndASpecificAddressAreTwoAddresses() {
        XCTAssertEqual(findings(http("server { listen 80 default_server; server_name a.test; }\n"
                                     + "server { listen 127.0.0.1:80 default_server; server_name a.test; }")), [])
        XCTAssertEqual(findings(http("server { listen [::]:80 default_server; }\nserver { listen [::1]:80 default_server; }")), [])
    }
}
