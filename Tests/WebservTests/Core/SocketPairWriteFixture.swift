import XCTest
import Glibc
import ConfLang
@testable import webserv

/// The writing side's tests: one end of a non-blocking socketpair is a
/// connection's client socket, the test reads the other (`drain`); `file`
/// opens a temporary file for the connection to send.
class SocketPairWriteFixture: XCTestCase {
    var ends: [Int32] = []
    var path = ""

    override func setUp() {
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair), 0)
        ends = pair
        path = NSTemporaryDirectory() + "write-fixture-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin"
    }

    override func tearDown() {
        for fd in ends where fd >= 0 { Glibc.close(fd) }
        unlink(path)
    }

    func connection() -> Connection {
        Connection(fd: ends[0], identity: 0, listener: Listener(address: Values.ListenAddress(host: "*", port: 80), servers: nil),
                   peerHost: "127.0.0.1", peerPort: 1, limits: RequestLimits())
    }

    func file(_ bytes: [UInt8]) throws -> OpenFile {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        return OpenFile(fd: open(path, O_RDONLY), identity: FileIdentity(info))
    }

    func file(_ text: String) throws -> OpenFile { try file(Array(text.utf8)) }

    /// Everything the peer can read now.
    func drain() -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(ends[1], &buffer, buffer.count)
            guard count > 0 else { return bytes }
            bytes += buffer[0..<count]
        }
    }
}
