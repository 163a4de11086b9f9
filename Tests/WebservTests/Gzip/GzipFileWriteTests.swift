import XCTest
import Glibc
import ConfLang
@testable import webserv

/// A file compressed on its way out (sendfile cannot compress): the
/// connection reads it a piece at a time as the socket takes the output,
/// never the whole file at once, and says so when the file shrank.
final class GzipFileWriteTests: SocketPairWriteFixture {

    /// Random bytes: they do not compress, so the socket fills while the file is still being read.
    private let content = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255) }

    func testAFileIsReadInPiecesAsTheSocketTakesThemAndDecompressesToItself() throws {
        let client = connection()
        let request = client.request
        request.file = (try file(content), 0, content.count)
        request.gzip = try XCTUnwrap(GzipStream(level: 1))
        request.chunkedOutput = true
        XCTAssertEqual(client.writeQueued(), .blocked(progressed: true))
        let left = try XCTUnwrap(request.file?.remaining)
        XCTAssertGreaterThan(left, 0, "the socket is full before the file is read: the rest waits on disk")
        XCTAssertLessThanOrEqual(request.output.count, 2 << 16, "one piece in memory at a time")
        var wire: [UInt8] = []
        while true {
            wire += drain()
            let step = client.writeQueued()
            XCTAssertTrue(step == .sent || step == .blocked(progressed: true) || step == .blocked(progressed: false), "\(step)")
            if step == .sent || step == .failed || step == .fileShrank { break }
        }
        wire += drain()
        var decoder = ChunkedDecoder()
        var body: [UInt8] = []
        let (events, _) = decoder.decode(wire[...])
        for case .data(let range) in events { body += wire[range] }
        XCTAssertTrue(decoder.isDone, "the last chunk ends it")
        XCTAssertNil(request.gzip, "zlib's state is let go once the last piece is compressed")
        XCTAssertEqual(Gunzip.decompress(body), content)
    }

    func testAFileThatShrankIsSaid() throws {
        let client = connection()
        let request = client.request
        request.file = (try file(content), 0, content.count)
        request.gzip = try XCTUnwrap(GzipStream(level: 1))
        request.chunkedOutput = true
        XCTAssertEqual(client.writeQueued(), .blocked(progressed: true))
        XCTAssertEqual(truncate(path, 1000), 0)
        var step = Connection.WriteStep.blocked(progressed: true)
        for _ in 0..<1_000 {
            _ = drain()
            step = client.writeQueued()
            if step != .blocked(progressed: true) && step != .blocked(progressed: false) { break }
        }
        XCTAssertEqual(step, .fileShrank)
    }
}
