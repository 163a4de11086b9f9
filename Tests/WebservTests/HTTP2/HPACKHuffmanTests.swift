import XCTest
@testable import webserv

/// The Huffman code of string literals (RFC 7541 §5.2, Appendix B).
final class HPACKHuffmanTests: XCTestCase {
    /// Strings of Appendix C.4 and C.6 and their codes, as the RFC prints them.
    private let examples: [(String, String)] = [
        ("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"),
        ("no-cache", "a8eb 1064 9cbf"),
        ("custom-key", "25a8 49e9 5ba9 7d7f"),
        ("custom-value", "25a8 49e9 5bb8 e8b4 bf"),
        ("302", "6402"),
        ("307", "640e ff"),
        ("private", "aec3 771a 4b"),
        ("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"),
        ("Mon, 21 Oct 2013 20:13:22 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff"),
        ("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"),
        ("gzip", "9bd9 ab"),
        ("foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
         "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"),
    ]

    private func encoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        Huffman.encode(bytes, into: &out)
        return out
    }

    private func decoded(_ coded: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        try Huffman.decode(coded[...], into: &out)
        return out
    }

    func testTheStringsOfTheRFCsExamplesEncodeAndDecodeToItsBytes() throws {
        for (text, hex) in examples {
            let plain = Array(text.utf8), coded = hpackBytes(hex)
            XCTAssertEqual(encoded(plain), coded, text)
            XCTAssertEqual(Huffman.encodedCount(plain), coded.count, text)
            XCTAssertEqual(try decoded(coded), plain, text)
        }
    }

    func testEveryByteAloneRoundTrips() throws {
        for byte in 0...255 {
            let plain = [UInt8(byte), UInt8(byte)]
            let coded = encoded(plain)
            XCTAssertEqual(coded.count, Huffman.encodedCount(plain))
            XCTAssertEqual(try decoded(coded), plain, "byte \(byte)")
        }
        XCTAssertEqual(encoded([]), [])
        XCTAssertEqual(try decoded([]), [])
    }

    func testRandomByteStringsRoundTrip() throws {
        var random = HPACKTestRandom(seed: 7541)
        for round in 0..<2_000 {
            let length = Int.random(in: 0...200, using: &random)
            // Half the strings from all bytes (long codes), half from text (short ones).
            let plain: [UInt8] = (0..<length).map { _ in
                round % 2 == 0 ? UInt8.random(in: 0...255, using: &random) : UInt8.random(in: 0x20...0x7E, using: &random)
            }
            let coded = encoded(plain)
            XCTAssertEqual(coded.count, Huffman.encodedCount(plain))
            XCTAssertEqual(try decoded(coded), plain, "round \(round)")
        }
    }

    func testTheEOSSymbolInAStringIsRefused() {
        // 30 ones are EOS; the two after would be padding.
        XCTAssertEqual(hpackError { _ = try self.decoded([0xFF, 0xFF, 0xFF, 0xFF]) }, .huffmanEOS)
        // EOS after a symbol: "a" (00011), then 30 ones, then 5 bits of padding.
        XCTAssertEqual(hpackError { _ = try self.decoded([0x1F, 0xFF, 0xFF, 0xFF, 0xFF]) }, .huffmanEOS)
    }

    func testPaddingLongerThanSevenBitsOrNotAllOnesIsRefused() throws {
        // "a" is 00011: with 111 it is one byte, correctly padded.
        XCTAssertEqual(try decoded([0x1F]), Array("a".utf8))
        // A whole byte of ones more: 11 bits of padding.
        XCTAssertEqual(hpackError { _ = try self.decoded([0x1F, 0xFF]) }, .huffmanPadding)
        // Only ones: 8 bits of padding with no symbol.
        XCTAssertEqual(hpackError { _ = try self.decoded([0xFF]) }, .huffmanPadding)
        // Padding of zeros, and of ones then a zero.
        XCTAssertEqual(hpackError { _ = try self.decoded([0x18]) }, .huffmanPadding)
        XCTAssertEqual(hpackError { _ = try self.decoded([0x1E]) }, .huffmanPadding)
    }
}
