import XCTest
@testable import ConfLang

final class LexerTests: XCTestCase {
    func testPunctuationWordsAndWhitespace() {
        let result = tokens("a b;\tc{\r\n}")
        XCTAssertEqual(result.kinds, [.word, .word, .semicolon, .word, .openBrace, .closeBrace])
        XCTAssertEqual(result.texts, ["a", "b", ";", "c", "{", "}"])
    }

    func testCommentOnlyAtTokenStart() {
        XCTAssertEqual(tokens("a#b;").texts, ["a#b", ";"])
        XCTAssertEqual(tokens("a;#x y\nb;").kinds, [.word, .semicolon, .comment, .word, .semicolon])
        XCTAssertEqual(tokens("a;#x y\r\nb;").texts[2], "#x y", "CR is not part of the comment")
        XCTAssertEqual(tokens("\\#a;").texts, ["\\#a", ";"], "an escaped # starts a word")
    }

    /// Every CR right before the line break (or the end of the file) belongs
    /// to the line break; a CR inside the comment's text is kept.
    func testCarriageReturnsEndingACommentAreNotPartOfIt() {
        XCTAssertEqual(tokens("#\r\r").texts, ["#"])
        XCTAssertEqual(tokens("a;#x\r\r\r\nb;").texts, ["a", ";", "#x", "b", ";"])
        XCTAssertEqual(tokens("#a\rb \r\n").texts, ["#a\rb "])
    }

    func testCloseBraceInsideAWordBelongsToIt() {
        XCTAssertEqual(tokens("a}b;").texts, ["a}b", ";"])
        XCTAssertEqual(tokens("root /x};").texts, ["root", "/x}", ";"])
        XCTAssertEqual(tokens("}a").kinds, [.closeBrace, .word])
    }

    func testDollarBrace() {
        XCTAssertEqual(tokens("${uri}x;").texts, ["${uri}x", ";"])
        XCTAssertEqual(tokens("a${b}c;").texts, ["a${b}c", ";"])
        XCTAssertEqual(tokens("${a{b}").texts, ["${a", "{", "b}"], "only a { right after $ belongs to the word")
    }

    func testBackslashEscapesInWords() {
        XCTAssertEqual(tokens("a\\;b;").texts, ["a\\;b", ";"])
        XCTAssertEqual(tokens("a\\{b;").texts, ["a\\{b", ";"])
        XCTAssertEqual(tokens("a\\ b;").texts, ["a\\ b", ";"])
    }

    func testQuotedStrings() {
        let result = tokens("\"a b\" 'c;d' \"x\\\"y\" \"multi\nline\";")
        XCTAssertEqual(result.kinds, [.quoted, .quoted, .quoted, .quoted, .semicolon])
        XCTAssertEqual(result.texts[2], "\"x\\\"y\"")
        XCTAssertTrue(result.diagnostics.isEmpty)
        XCTAssertTrue(tokens("\"a\")").diagnostics.isEmpty, "a ) may follow a closing quote")
        XCTAssertEqual(tokens("\"a\"{").kinds, [.quoted, .openBrace])
    }

    func testTextAfterClosingQuoteIsAnError() {
        let result = tokens("x \"a\"b;")
        XCTAssertEqual(result.diagnostics.map(\.code), ["syntax.text-after-quote"])
        XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(line: 1, column: 6))
        XCTAssertEqual(tokens("'x'\"y\";").diagnostics.first?.location, SourceLocation(line: 1, column: 4))
        XCTAssertEqual(tokens("\"a\"}").diagnostics.map(\.code), ["syntax.text-after-quote"])
    }

    func testUnterminatedStringAtEndOfFile() {
        let result = tokens("a;\nb \"open\n;")
        XCTAssertEqual(result.diagnostics.map(\.code), ["syntax.unterminated-string"])
        XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(line: 2, column: 3))
    }

    func testTokenLengthLimit() {
        let long = String(repeating: "a", count: Lexer.maxTokenBytes + 1)
        XCTAssertEqual(tokens("x \(long);").diagnostics.map(\.code), ["syntax.token-too-long"])
        XCTAssertTrue(tokens("x \(String(repeating: "a", count: Lexer.maxTokenBytes));").diagnostics.isEmpty)
    }

    func testArgumentValues() {
        let (parsed, _) = parse("d \"a\\\"b\\\\c\\n\\d\" 'q\\'s\\\"' w\\;x;")
        guard case .directive(let directive)? = parsed.nodes.first else { return XCTFail("no directive") }
        XCTAssertEqual(directive.arguments.map(\.value), ["a\"b\\c\n\\d", "q's\"", "w\\;x"])
        XCTAssertEqual(directive.arguments.map(\.crossplaneValue), ["a\"b\\\\c\\n\\d", "q's\\\"", "w\\;x"])
        XCTAssertEqual(directive.arguments.map(\.raw), ["\"a\\\"b\\\\c\\n\\d\"", "'q\\'s\\\"'", "w\\;x"])
    }

    func testPositionsAfterUTF8AndTabs() {
        let (_, diagnostics) = parse("\tété \"x\"y;")
        XCTAssertEqual(diagnostics.first?.location, SourceLocation(line: 1, column: 9))
    }
}
