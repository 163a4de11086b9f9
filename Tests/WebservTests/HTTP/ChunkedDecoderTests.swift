import XCTest
@testable import webserv

final class ChunkedDecoderTests: XCTestCase {
    /// Decodes in pieces of `step` bytes; returns the body, whether it ended, the error if any, and bytes consumed.
    private func decode(_ text: String, step: Int = Int.max, limit: Int = 0) -> (body: String, ended: Bool, error: Int?, consumed: Int) {
        let bytes = Array(text.utf8)
        var decoder = ChunkedDecoder(maxBodySize: limit)
        var body: [UInt8] = []
        var consumedTotal = 0
        var start = 0
        while start < bytes.count {
            let piece = bytes[start..<min(bytes.count, start + step)]
            let (events, consumed) = decoder.decode(piece)
            consumedTotal += consumed
            for event in events {
                switch event {
                case .data(let range): body += bytes[range]
                case .end: return (String(decoding: body, as: UTF8.self), true, nil, consumedTotal)
                case .error(let status): return (String(decoding: body, as: UTF8.self), false, status, consumedTotal)
                }
            }
            start += piece.count
        }
        return (String(decoding: body, as: UTF8.self), false, nil, consumedTotal)
    }

    func testValidBodyWholeAndByteByByte() {
        let text = "5\r\nhello\r\n6;ext=1\r\n world\r\nA\r\n0123456789\r\n0\r\n\r\n"
        for step in [Int.max, 1, 3] {
            let result = decode(text, step: step)
            XCTAssertEqual(result.body, "hello world0123456789", "step \(step)")
            XCTAssertTrue(result.ended)
            XCTAssertEqual(result.consumed, text.utf8.count)
        }
    }

    func testTrailersAreDropped() {
        let result = decode("3\r\nabc\r\n0\r\nX-Checksum: 1\r\nOther: 2\r\n\r\nGET /next", step: 1)
        XCTAssertEqual(result.body, "abc")
        XCTAssertTrue(result.ended)
        XCTAssertEqual(result.consumed, "3\r\nabc\r\n0\r\nX-Checksum: 1\r\nOther: 2\r\n\r\n".utf8.count, "the next request is left alone")
    }

    func testMalformed() {
        XCTAssertEqual(decode("g\r\n").error, 400)
        XCTAssertEqual(decode("-1\r\n").error, 400)
        XCTAssertEqual(decode(" 5\r\nhello\r\n").error, 400)
        XCTAssertEqual(decode("3\r\nabcX\r\n").error, 400, "missing CRLF after data")
        XCTAssertEqual(decode("ffffffffffffffffff\r\n").error, 400, "size overflow")
        XCTAssertEqual(decode("\r\n").error, 400, "empty size")
    }

    func testSizeLimitIs413AsSoonAsExceeded() {
        let result = decode("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", step: 1, limit: 6)
        XCTAssertEqual(result.error, 413)
        XCTAssertEqual(result.body, "abcdef")
    }

    func testChunkExtensionsFollowTheGrammar() {
        // chunk-ext = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
        for valid in ["5;a", "5;a=b", "5 ;a", "5; a = b", "5;a=\"x y;\\\"z\"", "5;a;b=c", "5;a ", "5\t;a"] {
            for step in [Int.max, 1] {
                let result = decode(valid + "\r\nhello\r\n0\r\n\r\n", step: step)
                XCTAssertTrue(result.ended, "'\(valid)' step \(step)")
                XCTAssertEqual(result.body, "hello", valid)
            }
        }
        for invalid in ["5;", "5 ", "5 x", "5;bad[=x", "5;a=", "5;a=\"open", "5;=b", "5;a\u{01}", "5;a=\"\u{7F}\"", "5; ;a", "5;a b"] {
            for step in [Int.max, 1] {
                XCTAssertEqual(decode(invalid + "\r\nhello\r\n0\r\n\r\n", step: step).error, 400, "'\(invalid)' step \(step)")
            }
        }
        XCTAssertEqual(decode("5;" + String(repeating: "a", count: 5000) + "\r\nhello\r\n0\r\n\r\n").error, 400, "bounded")
    }
}
