import XCTest
@testable import webserv

/// The FastCGI record codec: what webserv writes (BEGIN_REQUEST, PARAMS,
/// STDIN) and what it reads back (STDOUT, STDERR, END_REQUEST), whole, in
/// pieces and byte by byte.
final class FastCGICodecTests: XCTestCase {
    /// A record as the specification lays it out, written by hand.
    private func record(_ type: UInt8, id: UInt16 = 1, _ content: [UInt8], padding: Int = 0) -> [UInt8] {
        [1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    private func endRequest(app: UInt32 = 0, protocolStatus: UInt8 = 0, padding: Int = 0) -> [UInt8] {
        record(3, [UInt8(app >> 24), UInt8(app >> 16 & 0xFF), UInt8(app >> 8 & 0xFF), UInt8(app & 0xFF), protocolStatus, 0, 0, 0], padding: padding)
    }

    /// What the decoder gives for `bytes` cut into pieces of `size` (0: whole):
    /// stdout and stderr joined, the end, the first problem.
    private func decode(_ bytes: [UInt8], pieces size: Int = 0) -> (stdout: [UInt8], stderr: [UInt8], end: FastCGIDecoder.Event?, invalid: String?) {
        var decoder = FastCGIDecoder()
        var stdout: [UInt8] = [], stderr: [UInt8] = [], end: FastCGIDecoder.Event?, invalid: String?
        var start = 0
        while start < bytes.count {
            let piece = bytes[start..<(size == 0 ? bytes.count : min(bytes.count, start + size))]
            for event in decoder.decode(piece) {
                switch event {
                case .stdout(let range): stdout += piece[range]
                case .stderr(let range): stderr += piece[range]
                case .end: end = event
                case .invalid(let problem): invalid = invalid ?? problem
                }
            }
            start = piece.endIndex
        }
        return (stdout, stderr, end, invalid)
    }

    func testBeginRequestIsAResponderWithTheKeepConnFlag() {
        var kept: [UInt8] = [], closed: [UInt8] = []
        FastCGIEncoder.beginRequest(keepConnection: true, into: &kept)
        FastCGIEncoder.beginRequest(keepConnection: false, into: &closed)
        XCTAssertEqual(kept, [1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
        XCTAssertEqual(closed, [1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    }

    func testPairLengthsTakeOneByteBelow128AndFourFrom128() {
        var short: [UInt8] = []
        FastCGIEncoder.appendPair(name: Array("A".utf8), value: Array("bc".utf8), into: &short)
        XCTAssertEqual(short, [1, 2, 65, 98, 99])
        var long: [UInt8] = []
        let value = [UInt8](repeating: 120, count: 300)
        FastCGIEncoder.appendPair(name: [UInt8](repeating: 110, count: 127), value: value, into: &long)
        XCTAssertEqual(Array(long.prefix(5)), [127, 0x80, 0, 0x01, 0x2C])
        XCTAssertEqual(long.count, 5 + 127 + 300)
    }

    func testParamsAreSplitIntoRecordsOfAtMost65535BytesAndEndWithAnEmptyOne() {
        var output: [UInt8] = []
        let big = String(repeating: "v", count: 70_000)
        FastCGIEncoder.params([(name: "SMALL", value: "1"), (name: "BIG", value: big)], into: &output)
        // Walk the records: every one PARAMS, content ≤ 65535, padded to 8, the last empty.
        var index = 0, contents: [Int] = [], stream: [UInt8] = []
        while index < output.count {
            XCTAssertEqual(output[index], 1)
            XCTAssertEqual(output[index + 1], 4)
            let length = Int(output[index + 4]) << 8 | Int(output[index + 5]), padding = Int(output[index + 6])
            XCTAssertEqual((length + padding) % 8, 0)
            stream += output[index + 8..<index + 8 + length]
            contents.append(length)
            index += 8 + length + padding
        }
        XCTAssertEqual(index, output.count)
        XCTAssertEqual(contents, [65_535, stream.count - 65_535, 0])
        var expected: [UInt8] = []
        FastCGIEncoder.appendPair(name: Array("SMALL".utf8), value: [49], into: &expected)
        FastCGIEncoder.appendPair(name: Array("BIG".utf8), value: Array(big.utf8), into: &expected)
        XCTAssertEqual(stream, expected)
    }

    func testStdinStreamsTheBodyAndEndsWithAnEmptyRecord() {
        var output: [UInt8] = []
        FastCGIEncoder.stdin(Array("hello".utf8)[...], last: false, into: &output)
        XCTAssertEqual(output, record(5, Array("hello".utf8), padding: 3))
        output = []
        FastCGIEncoder.stdin([], last: true, into: &output)
        XCTAssertEqual(output, record(5, []))
    }

    func testAnAnswerDecodesTheSameWholeInPiecesAndByteByByte() {
        let answer = record(6, Array("Content-Type: text/html\r\n\r\n".utf8), padding: 5) + record(7, Array("PHP Notice: x".utf8), padding: 3)
            + record(0, id: 0, [1, 2, 3]) + record(6, Array("<p>hi</p>".utf8)) + record(6, []) + endRequest(app: 7, padding: 8)
        for size in [0, 1, 2, 3, 7, 8, 9, 13] {
            let result = decode(answer, pieces: size)
            XCTAssertEqual(String(decoding: result.stdout, as: UTF8.self), "Content-Type: text/html\r\n\r\n<p>hi</p>", "pieces of \(size)")
            XCTAssertEqual(String(decoding: result.stderr, as: UTF8.self), "PHP Notice: x", "pieces of \(size)")
            XCTAssertEqual(result.end, .end(appStatus: 7, protocolStatus: 0), "pieces of \(size)")
            XCTAssertNil(result.invalid, "pieces of \(size)")
        }
    }

    func testTheEndComesOnlyOnceItsPaddingIsRead() {
        var decoder = FastCGIDecoder()
        let end = endRequest(padding: 4)
        XCTAssertEqual(decoder.decode(end.dropLast()[...]), [])
        XCTAssertFalse(decoder.ended)
        XCTAssertEqual(decoder.decode(end.suffix(1)[...]), [.end(appStatus: 0, protocolStatus: 0)])
        XCTAssertTrue(decoder.ended)
    }

    func testRefusedRecords() {
        XCTAssertNotNil(decode([2] + record(6, []).dropFirst()).invalid, "version 2")
        XCTAssertNotNil(decode(record(6, id: 2, [65])).invalid, "another request's id")
        XCTAssertNotNil(decode(record(5, [65])).invalid, "STDIN from the application")
        XCTAssertNotNil(decode(record(3, [0, 0])).invalid, "a short END_REQUEST")
        let after = decode(endRequest() + record(6, [65]))
        XCTAssertEqual(after.end, .end(appStatus: 0, protocolStatus: 0))
        XCTAssertNotNil(after.invalid, "data after END_REQUEST")
        // Nothing is decoded after a refused record.
        XCTAssertEqual(decode(record(9, id: 1, []) + record(6, [65])).stdout, [])
    }

    func testEncodedStdoutRoundTrips() {
        // The encoder's framing read back by the decoder (STDOUT written as the application would).
        var output: [UInt8] = []
        let body = (0..<150_000).map { UInt8($0 % 251) }
        FastCGIEncoder.appendStream(.stdout, body[...], last: true, into: &output)
        output += endRequest()
        for size in [0, 1000, 65_536] {
            let result = decode(output, pieces: size)
            XCTAssertEqual(result.stdout, body)
            XCTAssertNotNil(result.end)
        }
    }
}
