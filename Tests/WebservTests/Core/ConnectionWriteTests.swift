import XCTest
import Glibc
import ConfLang
@testable import webserv

/// The writing side as steps: a connection writes what is queued through its
/// transport and says what that came to; the loop acts on it. One end of a
/// non-blocking socketpair is the client's socket; the test reads the other.
final class ConnectionWriteTests: SocketPairWriteFixture {

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
