import XCTest
@testable import ConfLang

/// A value's variables are found once, at build: literal and variable segments.
final class VariableTemplateTests: XCTestCase {
    private func known(_ name: String) -> Variable? { Variable.named(name) ?? (name == "mine" ? .defined("mine") : nil) }

    func testSegmentsOfBothForms() throws {
        let template = try VariableTemplate.compile("https://$host${request_uri}x", lookup: known).get()
        XCTAssertEqual(template.segments, [.literal("https://"), .variable(.host), .variable(.requestURI), .literal("x")])
        XCTAssertFalse(template.isLiteral)
        let values: [Variable: String] = [.host: "a.test", .requestURI: "/p?q"]
        XCTAssertEqual(template.evaluate { values[$0] ?? "?" }, "https://a.test/p?qx")
    }

    func testAValueWithoutVariablesIsItsText() throws {
        let template = try VariableTemplate.compile("plain text", lookup: known).get()
        XCTAssertEqual(template.segments, [.literal("plain text")])
        XCTAssertTrue(template.isLiteral)
        XCTAssertEqual(template.evaluate { _ in XCTFail("no variable"); return "" }, "plain text")
    }

    func testFamiliesAndCase() {
        XCTAssertEqual(Variable.named("http_user_agent"), .header("user-agent"))
        XCTAssertEqual(Variable.named("HTTP_X_Forwarded_For"), .header("x-forwarded-for"))
        XCTAssertEqual(Variable.named("cookie_session"), .cookie("session"))
        XCTAssertEqual(Variable.named("arg_page"), .argument("page"))
        XCTAssertEqual(Variable.named("query_string"), .args)
        XCTAssertNil(Variable.named("http_"), "a family's prefix alone names nothing")
        XCTAssertNil(Variable.named("hots"))
    }

    func testProblems() {
        XCTAssertEqual(VariableTemplate.compile("a $hots b", lookup: known), .failure(.unknown("hots")))
        XCTAssertEqual(VariableTemplate.compile("cost: 5$", lookup: known), .failure(.invalidName("$")))
        XCTAssertEqual(try VariableTemplate.compile("costs $5", lookup: known).get().segments, [.literal("costs $5")],
                       "nginx's regex captures: none here, the text stays")
        XCTAssertEqual(VariableTemplate.compile("${host", lookup: known), .failure(.unclosedBrace("${host")))
        XCTAssertEqual(try VariableTemplate.compile("$mine$host", lookup: known).get().segments, [.variable(.defined("mine")), .variable(.host)])
        // A name ends at the first character names are not made of.
        XCTAssertEqual(try VariableTemplate.compile("$host.example", lookup: known).get().segments, [.variable(.host), .literal(".example")])
    }

    func testFieldValuesNeverCarryLineBreaks() {
        XCTAssertEqual(VariableTemplate.fieldValue("/a\r\nSet-Cookie: x=1"), "/a  Set-Cookie: x=1")
        XCTAssertEqual(VariableTemplate.fieldValue("/plain"), "/plain")
    }

    func testLogFormatEscapes() {
        let format = LogFormat(name: "f", arguments: ["$uri ", "\"$http_user_agent\""])
        XCTAssertEqual(format.escape, .default)
        let line = format.line { $0 == .uri ? "/a\"b" : "" }
        XCTAssertEqual(line, "/a\\x22b \"-\"")
        let json = LogFormat(name: "j", arguments: ["escape=json", "{\"u\":\"$uri\",\"a\":\"$http_user_agent\"}"])
        XCTAssertEqual(json.line { $0 == .uri ? "/a\"\n" : "" }, "{\"u\":\"/a\\\"\\n\",\"a\":\"\"}")
        let none = LogFormat(name: "n", arguments: ["escape=none", "$uri"])
        XCTAssertEqual(none.line { _ in "\"x\"" }, "\"x\"")
    }
}
