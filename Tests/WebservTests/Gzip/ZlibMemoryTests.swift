@testable import webserv
import XCTest

/// zlib's state for one answer is kept for the next instead of going back to
/// the C library, which trimmed it and made the next answer fault it in again.
final class ZlibMemoryTests: XCTestCase {
    func testAStreamsStateIsKeptWhenItEndsAndTakenAgainByTheNextStream() throws {
        let text = [UInt8](String(repeating: "a page of text compressed on its way out ", count: 3000).utf8)
        var output: [UInt8] = []
        do {
            let first = try XCTUnwrap(GzipStream(level: 1, expectedLength: text.count))
            first.compress(text[...], flush: .finish, into: &output)
        }
        let kept = ZlibMemory.keptCount
        XCTAssertGreaterThan(kept, 0, "the ended stream's blocks are kept")
        let second = try XCTUnwrap(GzipStream(level: 1, expectedLength: text.count))
        XCTAssertLessThan(ZlibMemory.keptCount, kept, "the next stream takes them")
        var again: [UInt8] = []
        second.compress(text[...], flush: .finish, into: &again)
        XCTAssertEqual(again, output, "a reused state compresses as a fresh one")
        XCTAssertLessThanOrEqual(ZlibMemory.keptCount, ZlibMemory.capacity)
    }
}
