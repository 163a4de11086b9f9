import XCTest
@testable import webserv

/// Each defence of `HTTP2Limits`, with the attack it stops, and the
/// ordinary use just short of it that must go on.
final class HTTP2DefenceTests: XCTestCase {
    typealias Peer = HTTP2TestPeer

    private func closingEvents(_ peer: Peer) -> [HTTP2Session.Event] {
        peer.events.filter { if case .closing = $0 { return true } else { return false } }
    }

    // MARK: Rapid Reset (CVE-2023-44487)

    func testRapidResetClosesTheConnectionWithEnhanceYourCalm() {
        var peer = Peer()
        var closedAt: Int?
        for index in 0..<1000 where closedAt == nil {
            let id = UInt32(2 * index + 1)
            peer.sendHeaders(id, endStream: true)
            peer.send(Peer.rstStream(id))
            if peer.session.finished { closedAt = index }
        }
        XCTAssertEqual(closedAt, 127, "the 128th stream reset at once")
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    func testACancelledStreamNowAndThenIsNoAttack() {
        // keepalive_requests would end the connection at its 1000th request: not what this is about.
        var limits = HTTP2Limits()
        limits.maxRequests = 10_000
        var peer = Peer(limits: limits)
        for index in 0..<1000 {
            let id = UInt32(2 * index + 1)
            peer.sendHeaders(id, endStream: true)
            if index % 3 == 0 {
                peer.send(Peer.rstStream(id))
            } else {
                peer.session.sendHead(stream: id, status: 200, fields: [], endStream: true)
            }
            peer.takeFrames()
        }
        XCTAssertEqual(closingEvents(peer), [])
        peer.assertAlive()
    }

    // MARK: CONTINUATION flood (2024)

    func testEndlessContinuationFramesAreCappedByNumber() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true, endHeaders: false)
        for _ in 0..<32 { peer.send(Peer.frame(0x9, 0, 1, [])) }
        XCTAssertFalse(peer.session.finished, "32 CONTINUATION frames are allowed")
        peer.send(Peer.frame(0x9, 0, 1, []))
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    func testAHeaderBlockIsCappedBySizeBeforeItEnds() {
        var peer = Peer()
        let filler = [UInt8](repeating: 0, count: 16_384)
        peer.send(Peer.frame(0x1, 0x1, 1, filler))
        for _ in 0..<3 { peer.send(Peer.frame(0x9, 0, 1, filler)) }
        XCTAssertFalse(peer.session.finished, "64 KiB gathered")
        peer.send(Peer.frame(0x9, 0, 1, [0]))
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    // MARK: HPACK bombs

    func testTheDecodedHeaderListIsCapped() {
        var limits = HTTP2Limits()
        limits.maxHeaderListSize = 4096
        var peer = Peer(limits: limits)
        XCTAssertEqual(peer.sendHeaders(1, Peer.request + [HPACKHeaderField("x-big", String(repeating: "b", count: 3000))]).count, 1)
        peer.sendHeaders(3, Peer.request + [HPACKHeaderField("x-big", String(repeating: "b", count: 5000))])
        peer.takeFrames()
        // nginx's answer to a header list over large_client_header_buffers.
        peer.assertConnectionError(.enhanceYourCalm)
    }

    func testASmallBlockThatDecodesLargeIsRefused() {
        var peer = Peer()
        // A 4,000-byte value put in the dynamic table (literal with incremental
        // indexing, new name "x"), then named by index 62 two hundred times:
        // about 4 KB on the wire, 800 KB decoded.
        var block: [UInt8] = [0x40, 0x01, UInt8(ascii: "x"), 0x7F]
        var rest = 4000 - 127
        while rest >= 128 { block.append(UInt8(rest & 0x7F) | 0x80); rest >>= 7 }
        block.append(UInt8(rest))
        block += [UInt8](repeating: UInt8(ascii: "a"), count: 4000)
        block += [UInt8](repeating: 0xBE, count: 200)
        peer.send(Peer.frame(0x1, 0x5, 1, block))
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    // MARK: SETTINGS and PING floods

    func testPingsWhoseAnswersAreNotReadCloseTheConnection() {
        var peer = Peer()
        let pings = (0..<10_000).flatMap { _ in Peer.ping() }
        peer.send(pings)
        XCTAssertFalse(peer.session.finished, "10,000 answers may wait")
        peer.send(Peer.ping())
        XCTAssertTrue(peer.session.finished)
        XCTAssertEqual(closingEvents(peer), [.closing(.enhanceYourCalm)])
    }

    func testSettingsWhoseAnswersAreNotReadCloseTheConnection() {
        var peer = Peer()
        peer.send((0..<10_001).flatMap { _ in Peer.settings() })
        XCTAssertEqual(closingEvents(peer), [.closing(.enhanceYourCalm)])
    }

    func testPingsWhoseAnswersAreReadAreNoFlood() {
        var peer = Peer()
        for _ in 0..<30 {
            peer.send((0..<1000).flatMap { _ in Peer.ping() })
            peer.session.written(peer.session.output.count)
        }
        XCTAssertEqual(closingEvents(peer), [])
        peer.assertAlive()
    }

    // MARK: Empty frames (CVE-2019-9518)

    func testEmptyDataFramesInARowCloseTheConnection() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(), endStream: false)
        for _ in 0..<64 { peer.send(Peer.data(1, [])) }
        XCTAssertFalse(peer.session.finished)
        peer.send(Peer.data(1, [1]))
        for _ in 0..<64 { peer.send(Peer.data(1, [])) }
        XCTAssertFalse(peer.session.finished, "a frame with a payload starts the count again")
        peer.send(Peer.data(1, []))
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    // MARK: Idle streams named by PRIORITY (CVE-2019-9513, -9516)

    func testPriorityFramesBeyondTheAllowanceCloseTheConnection() {
        var peer = Peer()
        for index in 0..<128 { peer.send(Peer.priority(UInt32(2 * index + 101), dependsOn: 1)) }
        XCTAssertFalse(peer.session.finished, "max(128, 100) PRIORITY frames")
        peer.send(Peer.priority(99, dependsOn: 1))
        peer.takeFrames()
        peer.assertConnectionError(.enhanceYourCalm)
    }

    func testRequestsEarnPriorityFrames() {
        var peer = Peer()
        for index in 0..<10 {
            let id = UInt32(2 * index + 1)
            peer.sendHeaders(id)
            peer.session.sendHead(stream: id, status: 204, fields: [], endStream: true)
            for _ in 0..<100 { peer.send(Peer.priority(id, dependsOn: 0)) }
        }
        XCTAssertFalse(peer.session.finished)
    }

    // MARK: http2_max_concurrent_streams

    func testTheConfiguredConcurrencyIsAdvertisedAndEnforced() {
        var limits = HTTP2Limits()
        limits.maxConcurrentStreams = 2
        var peer = Peer(limits: limits, handshake: false)
        peer.send(http2ClientPreface + Peer.settings())
        let settings = peer.takeFrames().first
        XCTAssertEqual(settings?.type, 0x4)
        XCTAssertEqual(settings.map { Array($0.payload.prefix(6)) }, Peer.setting(0x3, 2))
        peer.sendHeaders(1)
        peer.sendHeaders(3)
        XCTAssertEqual(peer.sendHeaders(5), [])
        peer.takeFrames()
        peer.assertStreamError(5, .refusedStream)
    }
}
