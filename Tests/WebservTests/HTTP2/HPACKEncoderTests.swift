import XCTest
@testable import webserv

/// The encoder's choices (what it indexes, what it never indexes, Huffman
/// when shorter), its size updates, and its blocks decoding back to the fields.
final class HPACKEncoderTests: XCTestCase {
    private func block(_ encoder: inout HPACKEncoder, _ fields: [HPACKHeaderField]) -> [UInt8] {
        var out: [UInt8] = []
        encoder.encode(fields, into: &out)
        return out
    }

    private let response = hpackFields([
        (":status", "200"), ("server", "webserv"), ("date", "Mon, 07 Dec 2026 21:00:00 GMT"),
        ("content-type", "text/html"), ("content-length", "612"), ("last-modified", "Tue, 01 Dec 2026 10:00:00 GMT"),
        ("etag", "\"6753f0a0-264\""), ("accept-ranges", "bytes"),
    ])

    func testARepeatedAnswerNamesItsStableFieldsByIndexAndNotItsDatesOrLengths() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        let first = block(&encoder, response)
        XCTAssertEqual(first.first, 0x88, ":status 200 is static index 8")
        // server, content-type and accept-ranges are in the table; not date, content-length, last-modified or etag.
        XCTAssertEqual(Set(hpackEntries(encoder.table).map { String(decoding: $0.name, as: UTF8.self) }),
                       ["server", "content-type", "accept-ranges"])
        XCTAssertEqual(try decoder.decode(first[...]), response)
        let second = block(&encoder, response)
        XCTAssertEqual(try decoder.decode(second[...]), response)
        XCTAssertEqual(encoder.table.count, 3, "nothing indexed twice")
        // The three indexed fields take a byte each the second time.
        XCTAssertLessThanOrEqual(second.count, first.count - 15)
        XCTAssertEqual(hpackEntries(decoder.table), hpackEntries(encoder.table))
    }

    func testCookiesAndCredentialsAreNeverIndexedHereOrOnTheNextHop() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        let sensitive = hpackFields([("set-cookie", "id=1"), ("authorization", "Basic dTpw"), ("cookie", "a=b"), ("proxy-authorization", "x")])
        let first = block(&encoder, sensitive)
        let decoded = try decoder.decode(first[...])
        XCTAssertEqual(decoded.map(\.name), sensitive.map(\.name))
        XCTAssertEqual(decoded.map(\.value), sensitive.map(\.value))
        XCTAssertTrue(decoded.allSatisfy(\.neverIndexed))
        XCTAssertEqual(encoder.table.count, 0)
        // Any field marked so, and the same field twice is still a literal.
        var marked = HPACKHeaderField("x-token", "secret")
        marked.neverIndexed = true
        let again = block(&encoder, [marked, marked])
        XCTAssertEqual(try decoder.decode(again[...]), [marked, marked])
        XCTAssertEqual(encoder.table.count, 0)
    }

    func testAFieldLargerThanHalfTheTableIsNotIndexed() throws {
        var encoder = HPACKEncoder()
        let large = HPACKHeaderField(name: Array("x-large".utf8), value: [UInt8](repeating: 0x7A, count: 3_000))
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        XCTAssertEqual(try decoder.decode(block(&encoder, [large])[...]), [large])
        XCTAssertEqual(encoder.table.count, 0)
    }

    func testStringsAreHuffmanCodedUnlessThatIsLonger() {
        var encoder = HPACKEncoder()
        // "aaaa": 20 bits, 3 bytes coded against 4 raw: Huffman bit set, length 3.
        XCTAssertEqual(block(&encoder, [HPACKHeaderField("x-a", "aaaa")]).suffix(4), [0x83, 0x18, 0xC6, 0x3F])
        // As long either way ("307"): Huffman, as the RFC's examples.
        XCTAssertEqual(block(&encoder, [HPACKHeaderField("x-c", "307")]).suffix(4), [0x83, 0x64, 0x0E, 0xFF])
        // Bytes with long codes: raw.
        let binary = HPACKHeaderField(name: Array("x-b".utf8), value: [0x00, 0xFF, 0x80])
        XCTAssertEqual(block(&encoder, [binary]).suffix(4), [0x03, 0x00, 0xFF, 0x80])
    }

    func testAShrinkingTableIsSignalledAtTheNextBlocksStartOnce() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        _ = try decoder.decode(block(&encoder, hpackFields([("server", "webserv")]))[...])
        XCTAssertEqual(encoder.table.count, 1)
        encoder.setMaxTableSize(0)
        XCTAssertEqual(encoder.table.count, 0, "evicted at once")
        let shrunk = block(&encoder, hpackFields([("server", "webserv")]))
        XCTAssertEqual(shrunk.first, 0x20, "a size update to 0")
        XCTAssertEqual(try decoder.decode(shrunk[...]), hpackFields([("server", "webserv")]))
        XCTAssertEqual(decoder.table.count, 0)
        XCTAssertEqual(encoder.table.count, 0, "nothing fits in no table")
        let next = block(&encoder, hpackFields([("server", "webserv")]))
        XCTAssertNotEqual(next.first.map { $0 & 0xE0 }, 0x20, "no update the second time")
        XCTAssertEqual(try decoder.decode(next[...]), hpackFields([("server", "webserv")]))
    }

    func testAShrinkThenAGrowthSendTheSmallestThenTheFinalSize() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        _ = try decoder.decode(block(&encoder, hpackFields([("server", "webserv")]))[...])
        encoder.setMaxTableSize(100)
        encoder.setMaxTableSize(10)
        encoder.setMaxTableSize(4096)
        let bytes = block(&encoder, [])
        // 10 fits the prefix; 4096 is 31 + 4065 (0xe1 0x1f).
        XCTAssertEqual(bytes, [0x2A, 0x3F, 0xE1, 0x1F])
        _ = try decoder.decode(bytes[...])
        XCTAssertEqual(decoder.table.count, 0)
        XCTAssertEqual(decoder.table.maxSize, 4096)
    }

    func testThePeersLargerTableChangesNothingAboveOurOwnLimit() {
        var encoder = HPACKEncoder()
        encoder.setMaxTableSize(65_536)
        encoder.setMaxTableSize(4096)
        XCTAssertEqual(block(&encoder, hpackFields([(":status", "200")])), [0x88])
        XCTAssertEqual(encoder.table.maxSize, 4096)
    }

    func testRandomFieldListsRoundTripOverOneConnection() throws {
        // One mismatch desynchronises every later block: report the first.
        continueAfterFailure = false
        var random = HPACKTestRandom(seed: 9113)
        let names = [":status", "server", "content-type", "date", "set-cookie", "x-custom", "vary", "cache-control", "location", "etag"]
        for tableSize in [4096, 256, 0] {
            var encoder = HPACKEncoder(maxTableSize: tableSize)
            var decoder = HPACKDecoder(maxTableSize: 4096, maxHeaderListSize: 1 << 20)
            for round in 0..<300 {
                if round % 50 == 49 { encoder.setMaxTableSize(Int.random(in: 0...8192, using: &random)) }
                let fields: [HPACKHeaderField] = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                    let name: [UInt8] = Int.random(in: 0...12, using: &random) < names.count
                        ? Array(names[Int.random(in: 0..<names.count, using: &random)].utf8)
                        : (0..<Int.random(in: 1...20, using: &random)).map { _ in UInt8.random(in: 0x61...0x7A, using: &random) }
                    let value: [UInt8] = (0..<Int.random(in: 0...60, using: &random)).map { _ in
                        UInt8.random(in: 0...3, using: &random) == 0 ? UInt8.random(in: 0...255, using: &random) : UInt8.random(in: 0x30...0x34, using: &random)
                    }
                    return HPACKHeaderField(name: name, value: value, neverIndexed: Int.random(in: 0...20, using: &random) == 0)
                }
                let decoded = try decoder.decode(block(&encoder, fields)[...])
                XCTAssertEqual(decoded.map(\.name), fields.map(\.name), "table \(tableSize), round \(round)")
                XCTAssertEqual(decoded.map(\.value), fields.map(\.value), "table \(tableSize), round \(round)")
                XCTAssertTrue(zip(decoded, fields).allSatisfy { $0.neverIndexed || !$1.neverIndexed })
                XCTAssertEqual(hpackEntries(decoder.table), hpackEntries(encoder.table), "table \(tableSize), round \(round)")
            }
        }
    }
}
