import XCTest
import Glibc
import ConfLang
@testable import webserv

/// Sockets handed down in `NGINX="fd;..."`: found by the address they are
/// bound to, made to listen when taken.
final class InheritedSocketsTests: XCTestCase {
    func testASocketIsTakenForTheAddressItIsBoundTo() throws {
        let (fd, port) = ServerProcess.boundLoopbackSocket()
        var sockets = InheritedSockets()
        XCTAssertNil(sockets.add(fd))
        XCTAssertFalse(sockets.contains(.init(host: "127.0.0.1", port: port + 1 == 65536 ? 1 : port + 1)))
        XCTAssertFalse(sockets.contains(.init(host: "*", port: port)), "another address on the same port")
        XCTAssertThrowsError(try RawClient(port: port), "bound only: it refuses connections")
        let taken = try XCTUnwrap(sockets.take(.init(host: "127.0.0.1", port: port)))
        defer { Socket.close(taken) }
        XCTAssertEqual(taken, fd)
        XCTAssertNotNil(try? RawClient(port: port), "taken: it listens")
        XCTAssertNil(try sockets.take(.init(host: "127.0.0.1", port: port)), "given up by the table")
    }

    func testEveryAddressIsTheStarAddress() throws {
        let (fd, port) = ServerProcess.boundLoopbackSocket(anyAddress: true)
        defer { Socket.close(fd) }
        var sockets = InheritedSockets()
        XCTAssertNil(sockets.add(fd))
        XCTAssertTrue(sockets.contains(.init(host: "*", port: port)))
    }

    func testWhatIsNotABoundTCPSocketIsAProblem() {
        let datagram = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let unbound = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { Socket.close(datagram); Socket.close(unbound) }
        var sockets = InheritedSockets()
        XCTAssertNotNil(sockets.add(datagram))
        XCTAssertNotNil(sockets.add(unbound))
        XCTAssertNotNil(sockets.add(9999), "not open")
    }
}
