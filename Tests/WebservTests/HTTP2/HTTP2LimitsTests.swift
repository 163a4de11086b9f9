import XCTest
import ConfLang
@testable import webserv

/// The limits a connection takes from the configuration (`HTTP2Driver.limits`)
/// and what the session does with each: `keepalive_requests`,
/// `http2_body_preread_size` before the client acknowledged our SETTINGS,
/// `large_client_header_buffers`' field size, `http2_chunk_size`.
final class HTTP2LimitsTests: XCTestCase {
    typealias Peer = HTTP2TestPeer

    func testTheDriverReadsThemFromTheDefaultServer() throws {
        let text = """
        events { }
        http {
            http2_max_concurrent_streams 16;
            http2_body_preread_size 0;
            keepalive_requests 7;
            server { listen 8081; large_client_header_buffers 2 4k; }
        }
        """
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors)
        let config = ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
        let limits = HTTP2Driver.limits(VirtualServer(config.servers[0]), head: RequestLimits(maxLineBytes: 4096, maxHeadBytes: 8192))
        XCTAssertEqual(limits.maxConcurrentStreams, 16)
        XCTAssertEqual(limits.initialWindowSize, 1024, "at least 1k: a window opens again only as the body is read")
        XCTAssertEqual(limits.maxRequests, 7)
        XCTAssertEqual(limits.maxHeaderListSize, 8192)
        XCTAssertEqual(limits.maxFieldSize, 4096)
        let none = HTTP2Driver.limits(nil, head: RequestLimits())
        XCTAssertEqual(none.maxConcurrentStreams, 128)
        XCTAssertEqual(none.maxRequests, 1000)
    }

    func testTheLastRequestKeepaliveRequestsAllowsSendsGoAwayNamingItAndLaterOnesAreRefused() {
        var limits = HTTP2Limits()
        limits.maxRequests = 2
        var peer = Peer(limits: limits)
        XCTAssertEqual(peer.sendHeaders(1).count, 1)
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x7 }, [])
        XCTAssertEqual(peer.sendHeaders(3).count, 1, "the second is taken")
        let goAway = peer.takeFrames().filter { $0.type == 0x7 }
        XCTAssertEqual(goAway.map(\.payload), [Peer.uint32(3) + Peer.uint32(0)], "GOAWAY NO_ERROR naming stream 3")
        XCTAssertEqual(peer.sendHeaders(5), [])
        peer.takeFrames()
        XCTAssertTrue(peer.frames.contains { $0.type == 0x3 && $0.stream == 5 && $0.errorCode == HTTP2ErrorCode.refusedStream.rawValue })
        XCTAssertFalse(peer.session.finished, "streams 1 and 3 are still to be answered")
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: true)
        peer.session.sendHead(stream: 3, status: 200, fields: [], endStream: true)
        XCTAssertTrue(peer.session.finished)
    }

    func testASmallPrereadWindowRefusesABodyBeforeOurSettingsAreAcknowledged() {
        var limits = HTTP2Limits()
        limits.initialWindowSize = 16_384
        var peer = Peer(limits: limits, handshake: false)
        peer.send(http2ClientPreface + Peer.settings())
        XCTAssertEqual(peer.sendHeaders(1, endStream: true).count, 1, "no body: taken")
        XCTAssertEqual(peer.sendHeaders(3, Peer.post(), endStream: false), [], "a body the client may send 65,535 bytes of")
        peer.takeFrames()
        XCTAssertTrue(peer.frames.contains { $0.type == 0x3 && $0.stream == 3 && $0.errorCode == HTTP2ErrorCode.refusedStream.rawValue })
        peer.send(Peer.frame(0x4, 0x1, 0, []))   // our SETTINGS acknowledged: the window holds from now on
        XCTAssertEqual(peer.sendHeaders(5, Peer.post(), endStream: false).count, 1)
        // With nginx's 64k the client's 65,535 fits: nothing to wait for.
        var wide = Peer(handshake: false)
        wide.send(http2ClientPreface + Peer.settings())
        XCTAssertEqual(wide.sendHeaders(1, Peer.post(), endStream: false).count, 1)
    }

    func testANameOrValueLongerThanAHeaderBufferIsEnhanceYourCalm() {
        var limits = HTTP2Limits()
        limits.maxFieldSize = 1024
        var peer = Peer(limits: limits)
        XCTAssertEqual(peer.sendHeaders(1, Peer.request + [HPACKHeaderField("x-a", String(repeating: "a", count: 1024))]).count, 1)
        peer.sendHeaders(3, Peer.request + [HPACKHeaderField("x-a", String(repeating: "a", count: 1025))])
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    func testChunkSizeBoundsTheAnswersDataFrames() {
        var peer = Peer()
        peer.sendHeaders(1)
        peer.sendHeaders(3)
        peer.takeFrames()
        let body = (0..<10_000).map { UInt8($0 % 251) }
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false, chunkSize: 4096)
        peer.session.sendData(stream: 1, body[...], endStream: true)
        peer.session.sendHead(stream: 3, status: 200, fields: [], endStream: false)
        peer.session.sendData(stream: 3, body[...], endStream: true)
        let data = peer.takeFrames().filter { $0.type == 0x0 }
        XCTAssertEqual(data.filter { $0.stream == 1 }.map(\.payload.count), [4096, 4096, 1808])
        XCTAssertEqual(data.filter { $0.stream == 3 }.map(\.payload.count), [10_000], "0: the peer's frame size")
        XCTAssertEqual(Array(data.filter { $0.stream == 1 }.map(\.payload).joined()), body)
    }
}
