import XCTest
@testable import ConfLang

/// Formatter output as line edits.
final class EditorFormattingTests: XCTestCase {
    private let messy = "events {}\nhttp {\nserver {\n  listen   80;\n}\n    root /x;\n    index   a;\n}\n"

    func testEditsTurnTheTextIntoTheFormattersOutput() throws {
        let source = SourceFile(path: "f.conf", text: messy)
        let edits = try XCTUnwrap(FormattingEdits.edits(for: source))
        let formatted = Formatter.format(Parser.parse(source).0)
        XCTAssertEqual(String(decoding: applying(edits, to: source.bytes), as: UTF8.self), String(decoding: formatted, as: UTF8.self))
        XCTAssertGreaterThan(edits.count, 1, "unchanged lines between changes are kept")
        XCTAssertEqual(FormattingEdits.edits(for: SourceFile(path: "f.conf", bytes: formatted)), [])
    }

    func testRangeFormattingKeepsToTheLinesAsked() throws {
        let source = SourceFile(path: "f.conf", text: messy)
        let edits = try XCTUnwrap(FormattingEdits.edits(for: source, lines: 3...3))
        XCTAssertEqual(edits.count, 1)
        let result = String(decoding: applying(edits, to: source.bytes), as: UTF8.self)
        XCTAssertTrue(result.contains("\n        listen 80;\n"))
        XCTAssertTrue(result.hasSuffix("    }\n    root /x;\n    index   a;\n}\n"), "lines outside the range stay as they were")
    }

    func testTextWithSyntaxErrorsIsNotFormatted() {
        XCTAssertNil(FormattingEdits.edits(for: SourceFile(path: "f.conf", text: "http {\n  root /x\n")))
    }

    func testAFileWithoutAFinalNewlineGetsOne() throws {
        let source = SourceFile(path: "f.conf", text: "events {}\nhttp {}")
        let edits = try XCTUnwrap(FormattingEdits.edits(for: source))
        XCTAssertEqual(String(decoding: applying(edits, to: source.bytes), as: UTF8.self), "events {}\nhttp {}\n")
    }
}
