import XCTest
@testable import ConfLang

/// `allow`/`deny`: addresses read as inet_pton reads them, networks, the
/// first matching rule, IPv4-mapped clients, and the model's inheritance.
final class AccessRulesTests: XCTestCase {
    func testAddressesAreReadAsInetPtonReadsThem() {
        XCTAssertEqual(IPAddress("10.1.2.3")?.bytes, [10, 1, 2, 3])
        XCTAssertEqual(IPAddress("::1")?.bytes, Array(repeating: 0, count: 15) + [1])
        XCTAssertEqual(IPAddress("::")?.bytes, Array(repeating: 0, count: 16))
        XCTAssertEqual(IPAddress("2001:db8::ff00:42:8329")?.bytes,
                       [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0, 0x42, 0x83, 0x29])
        XCTAssertEqual(IPAddress("::ffff:192.0.2.1")?.mappedIPv4?.bytes, [192, 0, 2, 1])
        XCTAssertEqual(IPAddress("1:2:3:4:5:6:7:8")?.bytes.count, 16)
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                    "1::2::3", "12345::", "::g", "1.2.3.4::", "fe80::1%eth0", "all", " 1.2.3.4"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
        XCTAssertNil(IPAddress("::1")?.mappedIPv4)
    }

    func testNetworksKeepTheirPrefixAndClearLowBits() throws {
        let (network, lowBits) = try XCTUnwrap(IPNetwork.parse("10.1.2.3/8"))
        XCTAssertTrue(lowBits, "nginx warns: low address bits are meaningless")
        XCTAssertEqual(network.address.bytes, [10, 0, 0, 0])
        XCTAssertTrue(network.contains(try XCTUnwrap(IPAddress("10.255.0.1"))))
        XCTAssertFalse(network.contains(try XCTUnwrap(IPAddress("11.0.0.1"))))
        XCTAssertFalse(network.contains(try XCTUnwrap(IPAddress("::ffff:10.0.0.1"))), "families never mix")
        let v6 = try XCTUnwrap(IPNetwork.parse("2001:db8::/32")).network
        XCTAssertTrue(v6.contains(try XCTUnwrap(IPAddress("2001:db8:1::5"))))
        XCTAssertFalse(v6.contains(try XCTUnwrap(IPAddress("2001:db9::5"))))
        let odd = try XCTUnwrap(IPNetwork.parse("192.168.1.0/23")).network
        XCTAssertTrue(odd.contains(try XCTUnwrap(IPAddress("192.168.0.7"))))
        XCTAssertFalse(odd.contains(try XCTUnwrap(IPAddress("192.168.2.7"))))
        XCTAssertEqual(IPNetwork.parse("0.0.0.0/0")?.network.contains(try XCTUnwrap(IPAddress("8.8.8.8"))), true)
        XCTAssertEqual(IPNetwork.parse("1.2.3.4")?.hadHostBits, false)
        for bad in ["1.2.3.4/33", "::1/129", "1.2.3.4/", "1.2.3.4/x", "1.2.3.4/-1", "/8"] { XCTAssertNil(IPNetwork.parse(bad), bad) }
    }

    private func rules(_ lines: String) throws -> AccessRules {
        let result = Linter.lint(path: "/srv/conf/test.conf",
                                 bytes: Array("events { }\nhttp { server { location / { \(lines) } } }\n".utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf").servers[0].locations[0].accessRules
    }

    func testTheFirstMatchingRuleDecides() throws {
        let list = try rules("deny 192.168.1.1; allow 192.168.1.0/24; allow 10.1.1.0/16; allow 2001:0db8::/32; deny all;")
        XCTAssertEqual(list.decide(client: "192.168.1.1").allowed, false)
        XCTAssertEqual(list.decide(client: "192.168.1.1").rule, 0)
        XCTAssertEqual(list.decide(client: "192.168.1.2").rule, 1)
        XCTAssertEqual(list.decide(client: "10.1.200.1").allowed, true)
        XCTAssertEqual(list.decide(client: "2001:db8::1").rule, 3)
        XCTAssertEqual(list.decide(client: "127.0.0.1").allowed, false)
        XCTAssertEqual(list.decide(client: "127.0.0.1").rule, 4, "all holds every client")
        XCTAssertEqual(list.decide(client: "::ffff:192.168.1.9").rule, 1, "an IPv4-mapped client is checked as IPv4")
    }

    func testNoRuleMatchingLetsTheClientIn() throws {
        XCTAssertEqual(try rules("deny 10.0.0.0/8;").decide(client: "127.0.0.1").allowed, true)
        XCTAssertEqual(try rules("deny 10.0.0.0/8;").decide(client: "127.0.0.1").rule, nil)
        XCTAssertEqual(AccessRules().decide(client: "127.0.0.1").allowed, true)
        XCTAssertEqual(try rules("deny ::1;").decide(client: "::1").allowed, false)
        XCTAssertEqual(try rules("deny 127.0.0.1;").decide(client: "::1").allowed, true, "IPv4 rules never hold an IPv6 client")
    }

    func testABlockWithRulesReplacesTheInheritedOnes() throws {
        let text = """
        events { }
        http {
            deny 10.0.0.0/8;
            server {
                location /inherits/ { }
                location /own/ { allow 10.1.0.0/16; }
                location /open/ { allow all; }
            }
            server { deny all; allow 127.0.0.1; location / { } }
        }
        """
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        let config = ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
        XCTAssertEqual(config.servers[0].locations.map { $0.accessRules.rules.map(\.text) },
                       [["10.0.0.0/8"], ["10.1.0.0/16"], ["all"]])
        XCTAssertEqual(config.servers[0].locations[1].accessRules.decide(client: "10.2.0.1").allowed, true,
                       "the http level's deny is gone where the location has rules")
        XCTAssertEqual(config.servers[1].locations[0].accessRules.rules.map(\.allows), [false, true], "both directives, in order")
    }

    func testBasicAuthAndSatisfyAreInheritedEachOnItsOwn() throws {
        let text = """
        events { }
        http {
            auth_basic "Team";
            server {
                auth_basic_user_file conf/htpasswd;
                satisfy any;
                location /a/ { }
                location /b/ { auth_basic off; satisfy all; }
                location /c/ { auth_basic "Other"; }
            }
            server { location / { } }
        }
        """
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let config = ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
        let locations = config.servers[0].locations
        XCTAssertEqual(locations.map(\.basicAuth), [BasicAuth(realm: "Team", userFile: "/srv/conf/conf/htpasswd"),
                                                    BasicAuth(realm: nil, userFile: "/srv/conf/conf/htpasswd"),
                                                    BasicAuth(realm: "Other", userFile: "/srv/conf/conf/htpasswd")])
        XCTAssertEqual(locations.map(\.basicAuth.isOn), [true, false, true])
        XCTAssertEqual(locations.map(\.satisfyAny), [true, false, true])
        XCTAssertEqual(config.servers[1].locations[0].basicAuth.isOn, false, "a realm without a user file asks for nothing, as nginx")
        XCTAssertEqual(config.servers[1].locations[0].satisfyAny, false)
    }

    func testValuesAreChecked() {
        XCTAssertEqual(findings(site("location / { allow 10.0.0.0/33; deny nobody; allow unix:; satisfy some; }")),
                       ["4:20 error value.access-address", "4:38 error value.access-address", "4:52 error value.access-address",
                        "4:67 error value.satisfy"])
        XCTAssertEqual(findings(site("allow 10.0.0.0/8; deny all; auth_basic \"x\"; auth_basic_user_file /dev/null; satisfy any;")
            .replacingOccurrences(of: "/dev/null", with: "/etc/hostname")).filter { $0.contains("error") }, [])
    }
}
