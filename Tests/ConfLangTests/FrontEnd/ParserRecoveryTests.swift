import XCTest
@testable import ConfLang

final class ParserRecoveryTests: XCTestCase {
    private func errors(_ text: String) -> [String] {
        parse(text).1.map { "\($0.location.line):\($0.location.column) \($0.code)" }
    }

    func testThreeIndependentErrors() {
        let text = "http {\n    server {\n        listen 80\n    }\n    ;\n}\n}\n"
        XCTAssertEqual(errors(text), ["3:18 syntax.missing-semicolon", "5:5 syntax.empty-directive", "7:1 syntax.unexpected-close-brace"])
    }

    func testMissingSemicolonAtEndOfFile() {
        XCTAssertEqual(errors("a 1;\nb 2"), ["2:4 syntax.missing-semicolon"])
    }

    func testMissingSemicolonKeepsTheRestOfTheTree() {
        let (parsed, diagnostics) = parse("http {\n server {\n  location /a {\n   proxy_pass x\n  }\n  location /b { root y; }\n }\n}\n")
        XCTAssertEqual(diagnostics.count, 1)
        XCTAssertEqual(shape(parsed.nodes), "http(){server(){location(/a){proxy_pass(x)} location(/b){root(y)}}}")
    }

    func testBlockWithoutName() {
        XCTAssertEqual(errors("{ a; }\nb;"), ["1:1 syntax.block-without-name"])
    }

    func testUnclosedBlocksGiveOneErrorWithNotes() {
        let (_, diagnostics) = parse("http {\n  server {\n    listen 80;\n")
        XCTAssertEqual(diagnostics.map(\.code), ["syntax.unclosed-block"])
        XCTAssertEqual(diagnostics[0].location, SourceLocation(line: 4, column: 1))
        XCTAssertEqual(diagnostics[0].notes.compactMap { $0.range?.startLocation },
                       [SourceLocation(line: 2, column: 10), SourceLocation(line: 1, column: 6)])
    }

    func testBraceGluedToWordIsExplained() {
        let (_, diagnostics) = parse("server {\n  root /x}\n")
        XCTAssertEqual(diagnostics.map(\.code), ["syntax.missing-semicolon", "syntax.unclosed-block"])
        XCTAssertTrue(diagnostics[1].notes.contains { $0.message.contains("part of the word '/x}'") })
    }

    func testQuoteErrorsDoNotCascade() {
        XCTAssertEqual(errors("a \"x\"y b;\nc d;\n"), ["1:6 syntax.text-after-quote"])
        XCTAssertEqual(errors("x {\na \"open;\nb c;\n"), ["2:3 syntax.unterminated-string"], "what the string swallowed is not reported again")
    }

    func testFixitsForMissingPieces() {
        let (_, diagnostics) = parse("a {\n b 1\n}\n")
        XCTAssertEqual(diagnostics.first?.fixIt?.replacement, ";")
        XCTAssertEqual(diagnostics.first?.fixIt?.range.startLocation, SourceLocation(line: 2, column: 5))
    }

    /// Hostile nesting cannot exhaust the stack of the parser or of anything
    /// that walks the tree (checker, formatter, dump, model; a webserv reload).
    func testNestingPastTheLimitIsReportedAndSkipped() {
        let depth = 200_000
        let text = String(repeating: "a {", count: depth) + String(repeating: "}", count: depth) + "\nb;\n"
        let (parsed, diagnostics) = parse(text)
        XCTAssertEqual(diagnostics.map(\.code), ["syntax.too-deep"])
        XCTAssertEqual(diagnostics.first?.location.column, 3 * Parser.maxBlockDepth + 3, "at the first '{' past the limit")
        XCTAssertEqual(parsed.nodes.count, 2, "what follows the skipped block is parsed")
        let lint = Linter.lint(path: "/tmp/deep.conf", bytes: Array(text.utf8))
        XCTAssertTrue(lint.diagnostics.contains { $0.code == "syntax.too-deep" })
        XCTAssertEqual(errors(String(repeating: "a {", count: Parser.maxBlockDepth) + String(repeating: "}", count: Parser.maxBlockDepth)), [],
                       "the limit itself is fine")
    }

    func testUnclosedBlockPastTheLimit() {
        let text = String(repeating: "a {", count: Parser.maxBlockDepth + 5)
        let codes = parse(text).1.map(\.code)
        XCTAssertEqual(codes.first, "syntax.too-deep")
        XCTAssertTrue(codes.contains("syntax.unclosed-block"))
    }
}
