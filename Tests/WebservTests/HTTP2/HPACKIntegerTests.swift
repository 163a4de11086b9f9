import XCTest
@testable import webserv

/// Integers with an N-bit prefix (RFC 7541 §5.1, examples C.1).
final class HPACKIntegerTests: XCTestCase {
    private func encoded(_ value: Int, prefixBits: Int, flags: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        HPACKInteger.append(value, prefixBits: prefixBits, flags: flags, into: &out)
        return out
    }

    private func decoded(_ bytes: [UInt8], prefixBits: Int) throws -> (value: Int, consumed: Int) {
        // A slice not starting at 0, so offsets and indices cannot be mixed up.
        let padded = [0xAA] + bytes + [0xBB]
        let slice = padded[1..<padded.count - 1]
        var index = slice.startIndex
        let value = try HPACKInteger.read(slice, at: &index, prefixBits: prefixBits)
        return (value, index - slice.startIndex)
    }

    func testTheExamplesOfAppendixC1() throws {
        // C.1.1: 10 with a 5-bit prefix; C.1.2: 1337 with a 5-bit prefix; C.1.3: 42 at a byte boundary.
        XCTAssertEqual(encoded(10, prefixBits: 5), [0x0A])
        XCTAssertEqual(encoded(1337, prefixBits: 5), [0x1F, 0x9A, 0x0A])
        XCTAssertEqual(encoded(42, prefixBits: 8), [0x2A])
        XCTAssertEqual(try decoded([0x0A], prefixBits: 5).value, 10)
        XCTAssertEqual(try decoded([0x1F, 0x9A, 0x0A], prefixBits: 5).value, 1337)
        XCTAssertEqual(try decoded([0x2A], prefixBits: 8).value, 42)
    }

    func testTheBitsAboveThePrefixAreKeptOnWritingAndIgnoredOnReading() throws {
        XCTAssertEqual(encoded(1337, prefixBits: 5, flags: 0xE0), [0xFF, 0x9A, 0x0A])
        XCTAssertEqual(try decoded([0xEA], prefixBits: 5).value, 10)
        XCTAssertEqual(try decoded([0xFF, 0x9A, 0x0A, 0x55], prefixBits: 5).consumed, 3)
    }

    func testEveryPrefixRoundTripsAroundItsLimitAndFar() throws {
        for prefixBits in 1...8 {
            let limit = (1 << prefixBits) - 1
            for value in [0, 1, limit - 1, limit, limit + 1, limit + 127, limit + 128, 16_383, 1 << 20, HPACKInteger.maximum] {
                let bytes = encoded(value, prefixBits: prefixBits)
                let result = try decoded(bytes, prefixBits: prefixBits)
                XCTAssertEqual(result.value, value, "prefix \(prefixBits)")
                XCTAssertEqual(result.consumed, bytes.count, "prefix \(prefixBits)")
            }
        }
        // The prefix's own limit takes a zero continuation byte.
        XCTAssertEqual(encoded(31, prefixBits: 5), [0x1F, 0x00])
    }

    func testAnIntegerCutShortIsTruncated() {
        XCTAssertEqual(hpackError { _ = try self.decoded([], prefixBits: 5) }, .truncated)
        XCTAssertEqual(hpackError { _ = try self.decoded([0x1F], prefixBits: 5) }, .truncated)
        XCTAssertEqual(hpackError { _ = try self.decoded([0x1F, 0x9A], prefixBits: 5) }, .truncated)
    }

    func testAnIntegerAbove31BitsOrWithNeedlessContinuationBytesOverflows() {
        var justAbove: [UInt8] = []
        HPACKInteger.append(HPACKInteger.maximum + 1, prefixBits: 7, flags: 0, into: &justAbove)
        XCTAssertEqual(hpackError { _ = try self.decoded(justAbove, prefixBits: 7) }, .integerOverflow)
        XCTAssertEqual(hpackError { _ = try self.decoded([0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], prefixBits: 7) }, .integerOverflow)
        // Zero continuation bytes with the "more" bit, forever: refused after five, not looped over.
        let padded: [UInt8] = [0x1F] + [UInt8](repeating: 0x80, count: 1_000) + [0x00]
        XCTAssertEqual(hpackError { _ = try self.decoded(padded, prefixBits: 5) }, .integerOverflow)
    }
}
