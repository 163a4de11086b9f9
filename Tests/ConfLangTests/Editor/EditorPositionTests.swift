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
}
