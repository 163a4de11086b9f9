import XCTest
@testable import ConfLang

/// Byte offsets to editor positions and back, in each encoding.
final class EditorPositionTests: XCTestCase {
    // "é" is 2 bytes, 1 UTF-16 unit; "😀" is 4 bytes, 2 UTF-16 units, 1 scalar.
    private let file = SourceFile(path: "p.conf", text: "events {}\n# é😀 x;\nroot /x;\n")

    func testASCIILinesAreByteColumnsInEveryEncoding() {
        let offset = file.bytes.count - 3 // the 'x' of "/x;" on line 2
        for encoding in PositionEncoding.allCases {
            XCTAssertEqual(file.position(of: offset, encoding: encoding), TextPosition(line: 2, character: 6))
            XCTAssertEqual(file.offset(of: TextPosition(line: 2, character: 6), encoding: encoding), offset)
        }
    }

    func testNonASCIIColumnsCountTheEncodingsUnits() {
        // The 'x' after "# é😀 " on line 1 starts at byte 10 + 2 + 2 + 4 + 1 = 19.
        let offset = 19
        XCTAssertEqual(file.text(offset..<(offset + 1)), "x")
        XCTAssertEqual(file.position(of: offset, encoding: .utf8), TextPosition(line: 1, character: 9))
        XCTAssertEqual(file.position(of: offset, encoding: .utf16), TextPosition(line: 1, character: 6))
        XCTAssertEqual(file.position(of: offset, encoding: .utf32), TextPosition(line: 1, character: 5))
        XCTAssertEqual(file.offset(of: TextPosition(line: 1, character: 6), encoding: .utf16), offset)
        XCTAssertEqual(file.offset(of: TextPosition(line: 1, character: 5), encoding: .utf32), offset)
        XCTAssertEqual(file.offset(of: TextPosition(line: 1, character: 9), encoding: .utf8), offset)
    }

    func testAColumnInsideASurrogatePairStaysBeforeTheCharacter() {
        // "# é" is 3 UTF-16 units; the emoji takes units 3 and 4.
        XCTAssertEqual(file.offset(of: TextPosition(line: 1, character: 4), encoding: .utf16), 10 + 2 + 2)
        XCTAssertEqual(file.offset(of: TextPosition(line: 1, character: 5), encoding: .utf16), 10 + 2 + 2 + 4)
    }

    func testPositionsPastTheEndAreClamped() {
        XCTAssertEqual(file.offset(of: TextPosition(line: 0, character: 99), encoding: .utf16), 9)
        XCTAssertEqual(file.offset(of: TextPosition(line: 99, character: 0), encoding: .utf16), file.bytes.count)
        XCTAssertEqual(file.position(of: file.bytes.count, encoding: .utf16), TextPosition(line: 3, character: 0))
    }

    func testCRLFLineEndsBeforeTheCarriageReturn() {
        let crlf = SourceFile(path: "c.conf", text: "root /x;\r\nindex a;\r\n")
        XCTAssertEqual(crlf.offset(of: TextPosition(line: 0, character: 50), encoding: .utf16), 8)
        XCTAssertEqual(crlf.position(of: 10, encoding: .utf16), TextPosition(line: 1, character: 0))
    }

    func testEveryOffsetRoundTrips() {
        for encoding in PositionEncoding.allCases {
            var index = 0
            while index <= file.bytes.count {
                // Only offsets at the start of a character are positions.
                if index == file.bytes.count || file.bytes[index] & 0xC0 != 0x80 {
                    let position = file.position(of: index, encoding: encoding)
                    XCTAssertEqual(file.offset(of: position, encoding: encoding), index, "\(encoding) \(index)")
                }
                index += 1
            }
        }
    }

    /// Files whose lines hold every kind of character: a byte order mark,
    /// CRLF, 2- and 4-byte characters across the converter's checkpoints,
    /// invalid bytes and a sequence cut short by the end of the file.
    private func trickyFiles() -> [SourceFile] {
        let long = String(repeating: "a😀é", count: 90) + "\tx😀" + String(repeating: "b", count: 70) + "é"
        return [
            file,
            SourceFile(path: "bom.conf", bytes: [0xEF, 0xBB, 0xBF] + Array("root /é;\r\n\(long)\r\n".utf8)),
            SourceFile(path: "long.conf", text: long + "\n" + long + "\n\n" + long),
            SourceFile(path: "bad.conf", bytes: Array("a ".utf8) + [0xF6, 0xFF, 0x80, 0xC3] + Array(" 😀;\n# ".utf8) + [0xF0, 0x9F, 0x98]),
        ]
    }

    func testTheConverterGivesTheSamePositions() {
        for file in trickyFiles() {
            for encoding in PositionEncoding.allCases {
                let converter = PositionConverter(file: file, encoding: encoding)
                // Backwards too: a line's table must not depend on the order of the offsets.
                for offset in Array(-1...(file.bytes.count + 1)) + Array((0...file.bytes.count).reversed()) {
                    XCTAssertEqual(converter.position(of: offset), file.position(of: offset, encoding: encoding),
                                   "\(file.path) \(encoding) \(offset)")
                }
            }
        }
    }

    /// An outline written on one line holds thousands of positions: each
    /// costs at most a checkpoint's distance once its line was decoded, not
    /// the line from its start (which made the work quadratic in the line).
    func testManyPositionsOnOneLineCostLinearWork() {
        var text = "events {} http { server { listen 8080; "
        for index in 0..<1000 { text += "location = /é\(index)😀 { root /srv/\(index); } " }
        text += "} }\n"
        let file = SourceFile(path: "one-line.conf", text: text)
        let offsets = Array(stride(from: 0, through: file.bytes.count, by: 13))
        for encoding in [PositionEncoding.utf16, .utf32] {
            let converter = PositionConverter(file: file, encoding: encoding)
            for offset in offsets { _ = converter.position(of: offset) }
            XCTAssertLessThanOrEqual(converter.bytesDecoded, 2 * file.bytes.count + 70 * offsets.count,
                                     "\(encoding): \(offsets.count) positions on a line of \(file.bytes.count) bytes")
            for offset in offsets.filter({ $0 % 97 == 0 }) {
                XCTAssertEqual(converter.position(of: offset), file.position(of: offset, encoding: encoding))
            }
        }
    }
}
