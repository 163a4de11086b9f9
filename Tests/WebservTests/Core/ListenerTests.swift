import XCTest
import Foundation
import ConfLang
@testable import webserv

/// A connection keeps its `Listener`: a reload reaches the connections open
/// then, and one that stops listening on an address ends what is open there.
final class ListenerTests: XCTestCase {
    private func config(port: String, root: String) -> String {
        """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server { listen 127.0.0.1:\(port); root DIR/\(root); }
        }
        """
    }

    private func harness() throws -> LoopHarness {
        try LoopHarness(config: config(port: "PORT", root: "old"),
                        files: ["old/page.html": Array("old\n".utf8), "new/page.html": Array("new\n".utf8)])
    }

    /// The harness's configuration with `root` and `port` changed, as a reload would read it.
    private func reloaded(_ loop: LoopHarness, port: Int, root: String) throws -> WebservConfig {
        let path = loop.directory + "/reloaded.conf"
        let text = config(port: String(port), root: root).replacingOccurrences(of: "DIR", with: loop.directory)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        guard case .success(let (model, _)) = ModelBuilder.build(path: path) else { throw XCTSkip("invalid configuration") }
        return model
    }

    func testAReloadReachesAKeepAliveConnectionOpenedBeforeIt() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /page.html HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(loop.text(client).hasSuffix("\r\n\r\nold\n"))
        XCTAssertNil(loop.loop.apply(try reloaded(loop, port: loop.address.port, root: "new")))
        loop.send(client, "GET /page.html HTTP/1.1\r\nHost: a\r\n\r\n")
        let text = loop.text(client)
        XCTAssertTrue(text.hasSuffix("\r\n\r\nnew\n"), text)
    }

    func testAReloadThatDropsTheAddressClosesItsIdleConnectionsAtOnce() throws {
        let loop = try harness()
        let (idle, _) = loop.connect()
        loop.send(idle, "GET /page.html HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(loop.text(idle).hasPrefix("HTTP/1.1 200"))
        let (fresh, _) = loop.connect()
        XCTAssertNil(loop.loop.apply(try reloaded(loop, port: loop.reservedPort(), root: "new")))
        XCTAssertTrue(loop.isClosed(idle), "a kept-alive connection on the dropped address")
        XCTAssertTrue(loop.isClosed(fresh), "a connection that has sent nothing yet")
    }

    func testAnAnswerUnderWayWhenItsAddressIsDroppedEndsTheConnection() throws {
        let loop = try LoopHarness(config: config(port: "PORT", root: "old"),
                                   files: ["old/large.bin": [UInt8](repeating: 120, count: 4 << 20)])
        let (client, connection) = loop.connect()
        loop.send(client, "GET /large.bin HTTP/1.1\r\nHost: a\r\n\r\n")
        let start = loop.receive(client, limit: 1 << 16)   // the answer has begun; the rest waits for the client
        guard case .writing = connection.state else { return XCTFail("state \(connection.state)") }
        XCTAssertNil(loop.loop.apply(try reloaded(loop, port: loop.reservedPort(), root: "old")))
        XCTAssertFalse(connection.isClosed, "the answer under way is finished")
        let text = String(decoding: start, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
        let rest = loop.receive(client)
        XCTAssertEqual(start.count + rest.count - (text.range(of: "\r\n\r\n")!.upperBound.utf16Offset(in: text)), 4 << 20)
        XCTAssertTrue(loop.isClosed(client), "then the connection ends instead of waiting for another request")
    }
}
