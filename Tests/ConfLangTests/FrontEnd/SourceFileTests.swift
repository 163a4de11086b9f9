import XCTest
@testable import ConfLang

final class SourceFileTests: XCTestCase {
    func testLocationsAtLineStartsAndEnds() {
        let file = SourceFile(path: "a", text: "ab\ncd\n\nef")
        XCTAssertEqual(file.location(of: 0), SourceLocation(line: 1, column: 1))
        XCTAssertEqual(file.location(of: 2), SourceLocation(line: 1, column: 3))
        XCTAssertEqual(file.location(of: 3), SourceLocation(line: 2, column: 1))
        XCTAssertEqual(file.location(of: 7), SourceLocation(line: 4, column: 1))
        XCTAssertEqual(file.location(of: 9), SourceLocation(line: 4, column: 3))
        XCTAssertEqual(file.lineCount, 4)
    }

    func testColumnsCountScalarsAndTabsCountOne() {
        let file = SourceFile(path: "a", text: "\té€x")
        XCTAssertEqual(file.location(of: 1).column, 2)   // after the tab
        XCTAssertEqual(file.location(of: 3).column, 3)   // after é (2 bytes)
        XCTAssertEqual(file.location(of: 6).column, 4)   // after € (3 bytes)
    }

    func testCRLFLines() {
        let file = SourceFile(path: "a", text: "a;\r\nb;\r\n")
        XCTAssertEqual(file.location(of: 4), SourceLocation(line: 2, column: 1))
        XCTAssertEqual(file.lineText(1), "a;")
        XCTAssertEqual(file.lineText(2), "b;")
    }

    func testByteOrderMarkIsSkipped() {
        let file = SourceFile(path: "a", bytes: [0xEF, 0xBB, 0xBF] + Array("x;".utf8))
        XCTAssertEqual(file.contentStart, 3)
        XCTAssertEqual(file.location(of: 3), SourceLocation(line: 1, column: 1))
        let (parsed, diagnostics) = Parser.parse(file)
        XCTAssertTrue(diagnostics.isEmpty)
        XCTAssertEqual(shape(parsed.nodes), "x()")
    }

    func testInvalidUTF8IsFoundNotFatal() {
        let file = SourceFile(path: "a", bytes: Array("# M".utf8) + [0xF6] + Array("lln\nx;".utf8))
        XCTAssertEqual(file.firstInvalidUTF8Offset(), 3)
        XCTAssertNil(SourceFile(path: "a", text: "ok é €").firstInvalidUTF8Offset())
        XCTAssertEqual(SourceFile(path: "a", bytes: [0xC0, 0x80]).firstInvalidUTF8Offset(), 0, "overlong form")
        let config = ConfigLoader().load(path: "latin1.conf", bytes: file.bytes)
        XCTAssertEqual(config.diagnostics.map(\.code), ["encoding.invalid-utf8"])
        XCTAssertEqual(config.diagnostics.first?.severity, .warning)
        XCTAssertEqual(config.diagnostics.first?.location, SourceLocation(line: 1, column: 4))
    }

    /// Columns counted the slow, obvious way, to check the line table against.
    private func naiveLocation(_ bytes: [UInt8], _ offset: Int) -> SourceLocation {
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return SourceLocation(line: line, column: column)
    }

    func testColumnsCountScalarsOnLongMixedLines() {
        // Multi-byte scalars across the checkpoint boundaries, and a second line.
        var bytes: [UInt8] = []
        for index in 0..<700 { bytes += index % 7 == 0 ? Array("é€".utf8) : Array("a".utf8) }
        bytes += Array("\n\tx€y\n".utf8) + [0xF6, 0x41]
        let file = SourceFile(path: "mixed.conf", bytes: bytes)
        for offset in 0...bytes.count where offset == bytes.count || bytes[offset] & 0xC0 != 0x80 {
            XCTAssertEqual(file.location(of: offset), naiveLocation(bytes, offset), "offset \(offset)")
        }
    }

    func testASCIIColumnsAreByteDistances() {
        let text = String(repeating: "ab; ", count: 1000) + "\nz;"
        let file = SourceFile(path: "ascii.conf", text: text)
        XCTAssertEqual(file.location(of: 3999), SourceLocation(line: 1, column: 4000))
        XCTAssertEqual(file.location(of: 4001), SourceLocation(line: 2, column: 1))
        XCTAssertEqual(file.location(of: 4003), SourceLocation(line: 2, column: 3))
    }

    func testByteOrderMarkIsNotAColumn() {
        let file = SourceFile(path: "bom.conf", bytes: [0xEF, 0xBB, 0xBF] + Array("é a;".utf8))
        XCTAssertEqual(file.location(of: 3), SourceLocation(line: 1, column: 1))
        XCTAssertEqual(file.location(of: 6), SourceLocation(line: 1, column: 3))
    }
}
