import XCTest
import Glibc
import ConfLang
@testable import webserv

/// The writing side as steps: a connection writes what is queued through its
/// transport and says what that came to; the loop acts on it. One end of a
/// non-blocking socketpair is the client's socket; the test reads the other.
final class ConnectionWriteTests: XCTestCase {
    private var ends: [Int32] = []
    private var path = ""

    override func setUp() {
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair), 0)
        ends = pair
        path = NSTemporaryDirectory() + "connection-write-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
    }

    override func tearDown() {
        for fd in ends where fd >= 0 { Glibc.close(fd) }
        unlink(path)
    }

    private func connection() -> Connection {
        Connection(fd: ends[0], identity: 0, listener: Listener(address: Values.ListenAddress(host: "*", port: 80), servers: nil),
                   peerHost: "127.0.0.1", peerPort: 1, limits: RequestLimits())
    }

    private func file(_ text: String) throws -> OpenFile {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        return OpenFile(fd: open(path, O_RDONLY), identity: FileIdentity(info))
    }

    /// Everything the peer can read now.
    private func drain() -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(ends[1], &buffer, buffer.count)
            guard count > 0 else { return bytes }
            bytes += buffer[0..<count]
        }
    }

    func testTheHeadAFileRangeAndTheNextPartGoOutInOrder() throws {
        let client = connection()
        let opened = try file("0123456789")
        client.request.output = Array("head;".utf8)
        client.request.file = (opened, 2, 5)
        client.request.pendingParts = [.bytes(Array(";tail".utf8))]
        XCTAssertEqual(client.writeQueued(), .sent)
        XCTAssertEqual(String(decoding: drain(), as: UTF8.self), "head;23456;tail")
        XCTAssertFalse(client.request.bodyFollows)
    }

    func testAFullSocketBlocksAfterProgressAndTheRestGoesLater() {
        let client = connection()
        let body = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0) }
        client.request.output = body
        XCTAssertEqual(client.writeQueued(), .blocked(progressed: true))
        XCTAssertEqual(client.writeQueued(), .blocked(progressed: false), "nothing read: nothing more taken")
        var received: [UInt8] = []
        while true {
            received += drain()
            let step = client.writeQueued()
            if step == .sent { break }
            XCTAssertNotEqual(step, .failed)
            if step == .failed { return }
        }
        received += drain()
        XCTAssertEqual(received, body)
    }

    func testAShrunkFileAndAGoneClientAreSaid() throws {
        let shrunk = connection()
        shrunk.request.file = (try file("0123"), 2, 10)
        XCTAssertEqual(shrunk.writeQueued(), .fileShrank)
        _ = drain()
        let gone = connection()
        Glibc.close(ends[1])
        ends[1] = -1
        gone.request.output = Array("answer".utf8)
        XCTAssertEqual(gone.writeQueued(), .failed)
    }
}
