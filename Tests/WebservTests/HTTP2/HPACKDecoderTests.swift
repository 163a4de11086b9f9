import XCTest
@testable import webserv

/// The decoder's refusals (each a connection error, COMPRESSION_ERROR), the
/// cap on the decoded size (HPACK bombs), and the size update rules (RFC 7541
/// §4.2, §6.3).
final class HPACKDecoderTests: XCTestCase {
    private func decoding(_ blocks: [[UInt8]], maxTableSize: Int = 4096, maxHeaderListSize: Int = 16_384) -> HPACKError? {
        var decoder = HPACKDecoder(maxTableSize: maxTableSize, maxHeaderListSize: maxHeaderListSize)
        return hpackError { for block in blocks { _ = try decoder.decode(block[...]) } }
    }

    private func sizeUpdate(_ size: Int) -> [UInt8] {
        var out: [UInt8] = []
        HPACKInteger.append(size, prefixBits: 5, flags: 0x20, into: &out)
        return out
    }

    /// A literal with incremental indexing and a new name, strings raw.
    private func indexedLiteral(_ name: String, _ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x40]
        HPACKInteger.append(name.utf8.count, prefixBits: 7, flags: 0, into: &out)
        out += Array(name.utf8)
        HPACKInteger.append(value.count, prefixBits: 7, flags: 0, into: &out)
        return out + value
    }

    func testAnIndexOfZeroOrPastTheTablesIsInvalid() {
        XCTAssertEqual(decoding([[0x80]]), .invalidIndex)
        // 62 with an empty dynamic table.
        XCTAssertEqual(decoding([[0xBE]]), .invalidIndex)
        // A literal's name at index 15 + 48 = 63.
        XCTAssertEqual(decoding([[0x0F, 0x30, 0x00]]), .invalidIndex)
        // 62 is valid once an entry is in, 63 not yet.
        XCTAssertNil(decoding([indexedLiteral("a", [0x62]), [0xBE]]))
        XCTAssertEqual(decoding([indexedLiteral("a", [0x62]), [0xBF]]), .invalidIndex)
    }

    func testAnIndexOrLengthAbove31BitsOverflows() {
        XCTAssertEqual(decoding([[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]]), .integerOverflow)
        XCTAssertEqual(decoding([[0x40, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]]), .integerOverflow)
    }

    func testABlockEndingInsideARepresentationIsTruncated() {
        XCTAssertEqual(decoding([[0xFF]]), .truncated)
        XCTAssertEqual(decoding([[0x40]]), .truncated)
        XCTAssertEqual(decoding([[0x41]]), .truncated)
        XCTAssertEqual(decoding([[0x41, 0x05, 0x61]]), .truncated)
        XCTAssertEqual(decoding([[0x40, 0x01, 0x61]]), .truncated)
        XCTAssertEqual(decoding([[0x3F]]), .truncated)
    }

    func testBadHuffmanInANameOrAValueIsRefused() {
        XCTAssertEqual(decoding([[0x41, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]]), .huffmanEOS)
        XCTAssertEqual(decoding([[0x40, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]]), .huffmanEOS)
        XCTAssertEqual(decoding([[0x41, 0x81, 0x18]]), .huffmanPadding)
        XCTAssertEqual(decoding([[0x41, 0x82, 0x1F, 0xFF]]), .huffmanPadding)
        XCTAssertNil(decoding([[0x41, 0x81, 0x1F]]))
    }

    func testAStringLongerThanTheListMayBeIsRefusedBeforeItIsRead() {
        // 100 bytes announced where the list may hold 64: refused though the block holds only 3.
        XCTAssertEqual(decoding([[0x41, 0x64, 0x61, 0x61, 0x61]], maxHeaderListSize: 64), .stringTooLong)
        XCTAssertEqual(decoding([[0x40, 0x7F, 0xE1, 0xFF, 0x03]], maxHeaderListSize: 16_384), .stringTooLong)
    }

    func testTheDecodedListIsCappedByNamePlusValuePlus32PerField() throws {
        // Two fields of 32 + 1 + 10 = 43 bytes: 86 passes at 86 and fails at 85.
        let block = indexedLiteral("a", Array(repeating: 0x62, count: 10)) + [0xBE]
        XCTAssertNil(decoding([block], maxHeaderListSize: 86))
        XCTAssertEqual(decoding([block], maxHeaderListSize: 85), .headerListTooLarge)
        // The cap is per block: the next one starts from zero.
        XCTAssertNil(decoding([block, [0xBE, 0xBE]], maxHeaderListSize: 86))
        // A name too large for what is left fails before its value is read.
        XCTAssertEqual(decoding([[0x40, 0x05] + Array("aaaaa".utf8) + [0x7F, 0xE1, 0x0F]], maxHeaderListSize: 36), .headerListTooLarge)
    }

    func testAnHPACKBombFailsAtTheFieldThatCrossesTheCap() throws {
        // One 4,000-byte entry, then 100,000 references to it (400 MB decoded),
        // then an invalid index: the cap stops the block at the fifth field,
        // long before the invalid index is reached.
        let entry = indexedLiteral("x", Array(repeating: 0x61, count: 4_000))
        let bomb = entry + [UInt8](repeating: 0xBE, count: 100_000) + [0x80]
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        XCTAssertEqual(hpackError { _ = try decoder.decode(bomb[...]) }, .headerListTooLarge)
        // The decoder is sound after it: the entry is there, and a block decodes.
        XCTAssertEqual(decoder.table.count, 1)
        XCTAssertEqual(try decoder.decode([0x82, 0xBE][...]).count, 2)
    }

    func testSizeUpdatesComeFirstAtMostTwoAndNotAboveTheAnnouncedSize() throws {
        // Two at the start: the smallest, then the final size.
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        _ = try decoder.decode(indexedLiteral("a", [0x62])[...])
        XCTAssertEqual(try decoder.decode((sizeUpdate(0) + sizeUpdate(4096) + [0x82])[...]), hpackFields([(":method", "GET")]))
        XCTAssertEqual(decoder.table.count, 0, "the update to 0 evicted the entry")
        XCTAssertEqual(decoder.table.maxSize, 4096)
        // A third, one after a field, one above what we announced.
        XCTAssertEqual(decoding([sizeUpdate(0) + sizeUpdate(10) + sizeUpdate(20)]), .tooManyTableSizeUpdates)
        XCTAssertEqual(decoding([[0x82] + sizeUpdate(0)]), .tableSizeUpdateNotAtStart)
        XCTAssertEqual(decoding([sizeUpdate(4097)]), .tableSizeUpdateTooLarge)
        XCTAssertEqual(decoding([sizeUpdate(257)], maxTableSize: 256), .tableSizeUpdateTooLarge)
        XCTAssertNil(decoding([sizeUpdate(256)], maxTableSize: 256))
        // Each block may start with its own.
        XCTAssertNil(decoding([sizeUpdate(100) + [0x82], sizeUpdate(200) + [0x82], sizeUpdate(0)]))
    }

    func testAShrinkingUpdateEvictsTheOldestEntriesFirst() throws {
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        _ = try decoder.decode((indexedLiteral("a", [0x31]) + indexedLiteral("b", [0x32]))[...])
        XCTAssertEqual(decoder.table.size, 68)
        _ = try decoder.decode(sizeUpdate(40)[...])
        XCTAssertEqual(hpackEntries(decoder.table), hpackFields([("b", "2")]))
        XCTAssertEqual(hpackError { _ = try decoder.decode([0xBF][...]) }, .invalidIndex)
    }

    func testAnEntryLargerThanTheTableEmptiesIt() throws {
        var decoder = HPACKDecoder(maxTableSize: 100, maxHeaderListSize: 16_384)
        _ = try decoder.decode(indexedLiteral("a", Array(repeating: 0x31, count: 30))[...])
        XCTAssertEqual(decoder.table.count, 1)
        _ = try decoder.decode(indexedLiteral("b", Array(repeating: 0x32, count: 70))[...])
        XCTAssertEqual(decoder.table.count, 0)
        XCTAssertEqual(decoder.table.size, 0)
    }

    func testTheRingKeepsItsEntriesInOrderAsItWrapsAndGrows() throws {
        // Entries of 35 bytes in a 4,096-byte table: 117 fit; 1,000 go through.
        var decoder = HPACKDecoder(maxHeaderListSize: 1 << 20)
        func value(_ number: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: number), UInt8(truncatingIfNeeded: number >> 8)] }
        for number in 0..<1_000 {
            _ = try decoder.decode(indexedLiteral("n", value(number))[...])
            XCTAssertEqual(try decoder.decode([0xBE][...]).first?.value, value(number))
        }
        XCTAssertEqual(decoder.table.count, 117)
        XCTAssertEqual(decoder.table.size, 117 * 35)
        var oldest: [UInt8] = []
        HPACKInteger.append(62 + 116, prefixBits: 7, flags: 0x80, into: &oldest)
        XCTAssertEqual(try decoder.decode(oldest[...]).first?.value, value(1_000 - 117))
        XCTAssertEqual(hpackEntries(decoder.table).map(\.value), (1_000 - 117..<1_000).reversed().map(value))
    }
}
