import XCTest
@testable import webserv

/// A field list written as name-value pairs.
func hpackFields(_ pairs: [(String, String)]) -> [HPACKHeaderField] {
    pairs.map { HPACKHeaderField($0.0, $0.1) }
}

/// The dynamic table's entries, newest first.
func hpackEntries(_ table: HPACKDynamicTable) -> [HPACKHeaderField] {
    (0..<table.count).map { table[$0] }
}

/// Every example of RFC 7541 Appendix C.2 to C.6: the decoded fields and the
/// dynamic table (entries newest first, and size) after each block; and the
/// encoder, making the RFC encoder's choices, writing the RFC's bytes.
final class HPACKAppendixCTests: XCTestCase {
    private struct Step {
        let block: String
        let fields: [(String, String)]
        let table: [(String, String)]
        let size: Int
    }

    private let date21 = "Mon, 21 Oct 2013 20:13:21 GMT"
    private let date22 = "Mon, 21 Oct 2013 20:13:22 GMT"
    private let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"

    /// Decodes the steps in order on one decoder, checking each.
    private func decode(_ steps: [Step], tableSize: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var decoder = HPACKDecoder(maxTableSize: tableSize, maxHeaderListSize: 16_384)
        for (number, step) in steps.enumerated() {
            let block = hpackBytes(step.block)
            XCTAssertEqual(try decoder.decode(block[...]), hpackFields(step.fields), "block \(number + 1)", file: file, line: line)
            XCTAssertEqual(hpackEntries(decoder.table), hpackFields(step.table), "table after block \(number + 1)", file: file, line: line)
            XCTAssertEqual(decoder.table.size, step.size, "table size after block \(number + 1)", file: file, line: line)
        }
    }

    /// Encodes the steps' fields in order on one encoder with the RFC's choices, checking the bytes and the table.
    private func encode(_ steps: [Step], tableSize: Int, huffman: Bool, firstBlockPrefix: [UInt8] = [],
                        file: StaticString = #filePath, line: UInt = #line) {
        var encoder = HPACKEncoder(maxTableSize: tableSize)
        encoder.choices = HPACKEncoder.Choices(indexesEveryField: true, usesHuffman: huffman)
        for (number, step) in steps.enumerated() {
            var out: [UInt8] = []
            encoder.encode(hpackFields(step.fields), into: &out)
            XCTAssertEqual(out, (number == 0 ? firstBlockPrefix : []) + hpackBytes(step.block), "block \(number + 1)", file: file, line: line)
            XCTAssertEqual(hpackEntries(encoder.table), hpackFields(step.table), "table after block \(number + 1)", file: file, line: line)
            XCTAssertEqual(encoder.table.size, step.size, "table size after block \(number + 1)", file: file, line: line)
        }
    }

    // C.2: one field of each representation, each on a fresh decoder.

    func testC2_1LiteralWithIndexing() throws {
        try decode([Step(block: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
                         fields: [("custom-key", "custom-header")], table: [("custom-key", "custom-header")], size: 55)],
                   tableSize: 4096)
    }

    func testC2_2LiteralWithoutIndexing() throws {
        try decode([Step(block: "040c 2f73 616d 706c 652f 7061 7468", fields: [(":path", "/sample/path")], table: [], size: 0)],
                   tableSize: 4096)
    }

    func testC2_3LiteralNeverIndexedKeepsItsFlag() throws {
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        let block = hpackBytes("1008 7061 7373 776f 7264 0673 6563 7265 74")
        XCTAssertEqual(try decoder.decode(block[...]), [HPACKHeaderField(name: Array("password".utf8), value: Array("secret".utf8), neverIndexed: true)])
        XCTAssertEqual(decoder.table.count, 0)
        // The encoder writes a field marked never indexed the same way.
        var encoder = HPACKEncoder()
        encoder.choices.usesHuffman = false
        var out: [UInt8] = []
        encoder.encode([HPACKHeaderField(name: Array("password".utf8), value: Array("secret".utf8), neverIndexed: true)], into: &out)
        XCTAssertEqual(out, block)
        XCTAssertEqual(encoder.table.count, 0)
    }

    func testC2_4IndexedField() throws {
        try decode([Step(block: "82", fields: [(":method", "GET")], table: [], size: 0)], tableSize: 4096)
    }

    // C.3 and C.4: three requests sharing the table, without and with Huffman.

    private var requests: [(fields: [(String, String)], table: [(String, String)], size: Int)] {
        let first = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]
        return [
            (first, [(":authority", "www.example.com")], 57),
            (first + [("cache-control", "no-cache")], [("cache-control", "no-cache"), (":authority", "www.example.com")], 110),
            ([(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
             [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")], 164),
        ]
    }

    private var c3: [Step] {
        let blocks = [
            "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        ]
        return zip(blocks, requests).map { Step(block: $0, fields: $1.fields, table: $1.table, size: $1.size) }
    }

    private var c4: [Step] {
        let blocks = [
            "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
            "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ]
        return zip(blocks, requests).map { Step(block: $0, fields: $1.fields, table: $1.table, size: $1.size) }
    }

    func testC3RequestsWithoutHuffmanDecode() throws { try decode(c3, tableSize: 4096) }
    func testC3RequestsWithoutHuffmanEncodeToTheRFCsBytes() { encode(c3, tableSize: 4096, huffman: false) }
    func testC4RequestsWithHuffmanDecode() throws { try decode(c4, tableSize: 4096) }
    func testC4RequestsWithHuffmanEncodeToTheRFCsBytes() { encode(c4, tableSize: 4096, huffman: true) }

    // C.5 and C.6: three responses in a 256-byte table, entries evicted.

    private var responses: [(fields: [(String, String)], table: [(String, String)], size: Int)] {
        let location = ("location", "https://www.example.com")
        return [
            ([(":status", "302"), ("cache-control", "private"), ("date", date21), location],
             [location, ("date", date21), ("cache-control", "private"), (":status", "302")], 222),
            ([(":status", "307"), ("cache-control", "private"), ("date", date21), location],
             [(":status", "307"), location, ("date", date21), ("cache-control", "private")], 222),
            ([(":status", "200"), ("cache-control", "private"), ("date", date22), location, ("content-encoding", "gzip"), ("set-cookie", cookie)],
             [("set-cookie", cookie), ("content-encoding", "gzip"), ("date", date22)], 215),
        ]
    }

    private var c5: [Step] {
        let blocks = [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
        ]
        return zip(blocks, responses).map { Step(block: $0, fields: $1.fields, table: $1.table, size: $1.size) }
    }

    private var c6: [Step] {
        let blocks = [
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ]
        return zip(blocks, responses).map { Step(block: $0, fields: $1.fields, table: $1.table, size: $1.size) }
    }

    /// The RFC's responses assume both sides already agreed on 256 bytes; an
    /// encoder made for 256 says so first, as a size update (0x3f e1 01 is 256).
    private let sizeUpdateTo256: [UInt8] = [0x3F, 0xE1, 0x01]

    func testC5ResponsesWithoutHuffmanDecode() throws { try decode(c5, tableSize: 256) }
    func testC5ResponsesWithoutHuffmanEncodeToTheRFCsBytes() {
        encode(c5, tableSize: 256, huffman: false, firstBlockPrefix: sizeUpdateTo256)
    }
    func testC6ResponsesWithHuffmanDecode() throws { try decode(c6, tableSize: 256) }
    func testC6ResponsesWithHuffmanEncodeToTheRFCsBytes() {
        encode(c6, tableSize: 256, huffman: true, firstBlockPrefix: sizeUpdateTo256)
    }

    func testTheEncodersBlocksForTheResponsesDecodeOnADecoderOf4096Bytes() throws {
        // The size update at the first block's start brings the decoder down to 256.
        var encoder = HPACKEncoder(maxTableSize: 256)
        var decoder = HPACKDecoder(maxHeaderListSize: 16_384)
        for response in responses {
            var out: [UInt8] = []
            encoder.encode(hpackFields(response.fields), into: &out)
            XCTAssertEqual(try decoder.decode(out[...]).map { [$0.name, $0.value] }, hpackFields(response.fields).map { [$0.name, $0.value] })
            XCTAssertEqual(decoder.table.maxSize, 256)
            XCTAssertEqual(hpackEntries(decoder.table), hpackEntries(encoder.table))
        }
    }
}
