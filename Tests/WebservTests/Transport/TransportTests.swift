import XCTest
import Glibc
@testable import webserv

/// The transport over one end of a socketpair, the test reading the other.
final class TransportTests: XCTestCase {
    private var ends: [Int32] = []

    override func setUp() {
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        ends = pair
    }

    override func tearDown() {
        for fd in ends { Glibc.close(fd) }
    }

    /// What the peer has received, until `count` bytes or the end.
    private func received(_ count: Int) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < count {
            let got = Glibc.read(ends[1], &buffer, buffer.count)
            guard got > 0 else { break }
            bytes += buffer[0..<got]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func sent(_ result: IOResult<Int>) -> Int {
        guard case .value(let count) = result else { XCTFail("would block"); return 0 }
        return count
    }

    func testTwoPiecesGoInOneWriteInOrder() throws {
        let transport = Transport(fd: ends[0])
        let head = Array("HTTP/1.1 200 OK\r\n\r\n".utf8), body = Array("hello".utf8)
        let count = try head.withUnsafeBytes { head in try body.withUnsafeBytes { try transport.write(head, $0) } }
        XCTAssertEqual(sent(count), head.count + body.count)
        XCTAssertEqual(received(head.count + body.count), "HTTP/1.1 200 OK\r\n\r\nhello")
        // An empty second piece is one plain write.
        let alone = try head.withUnsafeBytes { head in try [UInt8]().withUnsafeBytes { try transport.write(head, $0) } }
        XCTAssertEqual(sent(alone), head.count)
        XCTAssertEqual(received(head.count), "HTTP/1.1 200 OK\r\n\r\n")
    }

    func testAFileRangeIsSentDirectlyOrThroughABuffer() throws {
        let path = NSTemporaryDirectory() + "transport-\(getpid()).txt"
        defer { unlink(path) }
        try "0123456789abcdefghij".write(toFile: path, atomically: true, encoding: .utf8)
        let file = open(path, O_RDONLY)
        defer { Glibc.close(file) }
        for direct in [true, false] {
            let transport = Transport(fd: ends[0], sendsFilesDirectly: direct)
            var offset = 3
            var remaining = 10
            while remaining > 0 {
                let count = sent(try transport.sendFile(file, offset: &offset, count: remaining))
                XCTAssertGreaterThan(count, 0, "direct: \(direct)")
                if count == 0 { break }
                remaining -= count
            }
            XCTAssertEqual(offset, 13, "direct: \(direct)")
            XCTAssertEqual(received(10), "3456789abc", "direct: \(direct)")
            // Past the file's end nothing is sent: the caller learns the file shrank.
            var end = 20
            XCTAssertEqual(sent(try transport.sendFile(file, offset: &end, count: 5)), 0, "direct: \(direct)")
        }
    }

    func testReadAndShutdownWrite() throws {
        let transport = Transport(fd: ends[0])
        XCTAssertEqual(Glibc.write(ends[1], "ping", 4), 4)
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try transport.read(into: $0) }
        XCTAssertEqual(String(decoding: buffer[0..<sent(count)], as: UTF8.self), "ping")
        transport.shutdownWrite()
        XCTAssertEqual(received(1), "", "the peer reads the end")
        // The read side stays open.
        XCTAssertEqual(Glibc.write(ends[1], "x", 1), 1)
        XCTAssertEqual(sent(try buffer.withUnsafeMutableBytes { try transport.read(into: $0) }), 1)
    }
}
