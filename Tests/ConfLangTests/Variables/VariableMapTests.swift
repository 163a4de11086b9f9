import XCTest
@testable import ConfLang

/// `map`'s choice, as nginx's: exact keys (any case), wildcards with
/// `hostnames`, regular expressions in order, then `default`.
final class VariableMapTests: XCTestCase {
    private func map(_ entries: [(String, String)], hostnames: Bool = false) -> VariableMap {
        VariableMap(name: "m", source: "$host", entries: entries.map { VariableMap.Entry(key: $0.0, value: $0.1) }, hostnames: hostnames)
    }

    private func value(_ map: VariableMap, _ key: String) -> String { map.value(for: key).source }

    func testExactThenRegexThenDefault() {
        let chosen = map([("default", "d"), ("/exact", "e"), ("~^/api/", "api"), ("~*\\.PNG$", "image"), ("~^/api/v2", "never")])
        XCTAssertEqual(value(chosen, "/exact"), "e")
        XCTAssertEqual(value(chosen, "/EXACT"), "e", "exact keys without regard to case")
        XCTAssertEqual(value(chosen, "/api/v2/x"), "api", "the first regular expression that matches")
        XCTAssertEqual(value(chosen, "/a/B.png"), "image", "~* ignores case")
        XCTAssertEqual(value(chosen, "/API/x"), "d", "~ keeps case")
        XCTAssertEqual(value(chosen, "/other"), "d")
        XCTAssertEqual(value(map([("a", "1")]), "b"), "", "no default: empty")
    }

    func testHostnames() {
        let chosen = map([(".example.com", "dot"), ("*.api.example.com", "api"), ("www.example.*", "www"), ("default", "d")],
                         hostnames: true)
        XCTAssertEqual(value(chosen, "example.com"), "dot")
        XCTAssertEqual(value(chosen, "a.example.com"), "dot")
        XCTAssertEqual(value(chosen, "x.api.example.com"), "api", "the longest wildcard")
        XCTAssertEqual(value(chosen, "www.example.org"), "www")
        XCTAssertEqual(value(chosen, "example.org"), "d")
    }

    func testValuesHoldVariables() {
        let chosen = map([("default", "$scheme://$host")])
        XCTAssertEqual(chosen.value(for: "x").segments, [.variable(.scheme), .literal("://"), .variable(.host)])
        XCTAssertEqual(chosen.source.segments, [.variable(.host)])
    }
}
