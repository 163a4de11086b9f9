import XCTest
@testable import webserv

/// The deflate stream of the gzip body filter: whatever pieces it is given,
/// what it makes decompresses to the bytes it was given.
final class GzipStreamTests: XCTestCase {
    private func text(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let words = ["<p>", "nginx ", "webserv ", "gzip ", "</p>\n", "compress ", "the ", "answer "].map { Array($0.utf8) }
        var bytes: [UInt8] = []
        while bytes.count < count { bytes += words[Int(generator.next() % UInt64(words.count))] }
        return Array(bytes.prefix(count))
    }

    func testAWholeBodyDecompressesToItself() throws {
        for size in [0, 1, 20, 1000, 70_000] {
            let body = text(size)
            let compressed = try XCTUnwrap(GzipStream.compressed(body[...], level: 1))
            XCTAssertEqual(Array(compressed.prefix(3)), [0x1f, 0x8b, 8], "a gzip header (RFC 1952), deflate")
            XCTAssertEqual(Gunzip.decompress(compressed), body, "size \(size)")
        }
    }

    func testPiecesOfEverySizeAndEveryFlushDecompressToTheWhole() throws {
        let long = text(300_000), short = Array(long.prefix(20_000))
        for level in [1, 6, 9] {
            for pieceSize in [1, 7, 4096, 65_536] where level == 1 || pieceSize >= 4096 {
                for flush in [GzipStream.Flush.none, .sync] {
                    let body = pieceSize < 100 ? short : long
                    let stream = try XCTUnwrap(GzipStream(level: level))
                    var output: [UInt8] = []
                    var offset = 0
                    while offset < body.count {
                        let end = min(offset + pieceSize, body.count)
                        stream.compress(body[offset..<end], flush: flush, into: &output)
                        offset = end
                    }
                    stream.compress([], flush: .finish, into: &output)
                    XCTAssertEqual(Gunzip.decompress(output), body, "level \(level), pieces of \(pieceSize), \(flush)")
                    XCTAssertEqual(stream.totalIn, body.count)
                    XCTAssertEqual(stream.totalOut, output.count)
                    // Flushing after every few bytes costs more than it saves; otherwise text compresses.
                    if flush == .none || pieceSize >= 4096 { XCTAssertLessThan(output.count, body.count / 2, "text compresses") }
                }
            }
        }
    }

    func testASyncFlushGivesEverythingSoFar() throws {
        // A streamed answer: each piece the client gets decompresses to everything sent so far.
        let stream = try XCTUnwrap(GzipStream(level: 1))
        var output: [UInt8] = []
        stream.compress(Array("first piece ".utf8)[...], flush: .sync, into: &output)
        XCTAssertFalse(output.isEmpty)
        XCTAssertEqual(Gunzip.prefix(output), Array("first piece ".utf8))
        stream.compress(Array("second".utf8)[...], flush: .sync, into: &output)
        XCTAssertEqual(Gunzip.prefix(output), Array("first piece second".utf8))
        stream.compress([], flush: .finish, into: &output)
        XCTAssertEqual(Gunzip.decompress(output), Array("first piece second".utf8))
        var after = output
        stream.compress(Array("more".utf8)[...], flush: .finish, into: &after)
        XCTAssertEqual(after, output, "a finished stream adds nothing")
    }

    func testSmallBodiesUseASmallerWindowAsNginx() throws {
        // The same bytes either way; a window of 2^9 for 20 bytes is what nginx would use.
        let body = text(20)
        let small = try XCTUnwrap(GzipStream(level: 1, expectedLength: 20))
        var output: [UInt8] = []
        small.compress(body[...], flush: .finish, into: &output)
        XCTAssertEqual(Gunzip.decompress(output), body)
    }
}
