import XCTest
@testable import ConfLang

final class SourceFileTests: XCTestCase {
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
