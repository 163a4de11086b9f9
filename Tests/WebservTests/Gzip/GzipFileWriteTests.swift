import XCTest
import Glibc
import ConfLang
@testable import webserv

/// A file compressed on its way out (sendfile cannot compress): the
/// connection reads it a piece at a time as the socket takes the output,
/// never the whole file at once, and says so when the file shrank.
final class GzipFileWriteTests: XCTestCase {
    private var ends: [Int32] = []
    private var path = ""

    override func setUp() {
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair), 0)
        ends = pair
        path = NSTemporaryDirectory() + "gzip-write-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin"
    }

    override func tearDown() {
        for fd in ends where fd >= 0 { Glibc.close(fd) }
        unlink(path)
    }

    private func connection() -> Connection {
        Connection(fd: ends[0], identity: 0, listener: Listener(address: Values.ListenAddress(host: "*", port: 80), servers: nil),
                   peerHost: "127.0.0.1", peerPort: 1, limits: RequestLimits())
    }

    private func file(_ bytes: [UInt8]) throws -> OpenFile {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        return OpenFile(fd: open(path, O_RDONLY), identity: FileIdentity(info))
    }

    private func drain() -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(ends[1], &buffer, buffer.count)
            guard count > 0 else { return bytes }
            bytes += buffer[0..<count]
        }
    }

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
