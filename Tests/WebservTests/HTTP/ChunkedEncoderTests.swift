import XCTest
@testable import webserv

final class ChunkedEncoderTests: XCTestCase {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testAChunkIsItsHexSizeThenItsBytes() {
        var buffer: [UInt8] = []
        ChunkedEncoder.appendChunk(Array("hello".utf8)[...], to: &buffer)
        ChunkedEncoder.appendChunk(ArraySlice(repeating: UInt8(ascii: "x"), count: 26), to: &buffer)
        XCTAssertEqual(text(buffer), "5\r\nhello\r\n1a\r\n" + String(repeating: "x", count: 26) + "\r\n")
    }

    func testNoBytesMakeNoChunkAndTheEndIsTheLastChunk() {
        XCTAssertEqual(text(ChunkedEncoder.encode([], last: false)), "")
        XCTAssertEqual(text(ChunkedEncoder.encode([], last: true)), "0\r\n\r\n")
        XCTAssertEqual(text(ChunkedEncoder.encode(Array("ab".utf8)[...], last: true)), "2\r\nab\r\n0\r\n\r\n")
    }

    func testSizesAcrossHexDigitsDecodeBack() {
        for size in [1, 15, 16, 255, 256, 4095, 4096, 65_536, 1_000_003] {
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var encoded = ChunkedEncoder.encode(body[...], last: false)
            ChunkedEncoder.appendEnd(to: &encoded)
            XCTAssertTrue(text(Array(encoded.prefix(8))).hasPrefix(String(size, radix: 16) + "\r\n"), "\(size)")
            var decoder = ChunkedDecoder()
            let (events, consumed) = decoder.decode(encoded[...])
            var decoded: [UInt8] = []
            var ended = false
            for event in events {
                switch event {
                case .data(let range): decoded += encoded[range]
                case .end: ended = true
                case .error(let status): XCTFail("\(size): error \(status)")
                }
            }
            XCTAssertEqual(decoded, body, "\(size)")
            XCTAssertTrue(ended, "\(size)")
            XCTAssertEqual(consumed, encoded.count, "\(size)")
        }
    }
}
