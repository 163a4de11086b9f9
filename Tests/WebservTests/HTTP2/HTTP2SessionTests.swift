import XCTest
@testable import webserv

/// The session beyond h2spec's cases: feeding in any pieces, flow control in
/// both directions, answers framed as RFC 9113 §8.1 and §4.3 want them, GOAWAY.
final class HTTP2SessionTests: XCTestCase {
    typealias Peer = HTTP2TestPeer

    /// A whole exchange: preface, settings, a request cut into HEADERS and
    /// CONTINUATION, a padded DATA, another DATA that ends it, a PING, a
    /// second request reset by the client, a WINDOW_UPDATE.
    private func exchange() -> [UInt8] {
        var peer = Peer(handshake: false)
        let block = peer.block(Peer.post(contentLength: 11) + [HPACKHeaderField("user-agent", "test")])
        let cut = block.count / 2
        var bytes = http2ClientPreface + Peer.settings(Peer.setting(0x4, 1_000_000))
        bytes += Peer.frame(0x1, 0, 1, Array(block[..<cut])) + Peer.frame(0x9, 0x4, 1, Array(block[cut...]))
        bytes += Peer.frame(0x0, 0x8, 1, [3] + Array("hello ".utf8) + [0, 0, 0])
        bytes += Peer.data(1, Array("world".utf8), endStream: true)
        bytes += Peer.ping()
        bytes += peer.headers(3, endStream: true)
        bytes += Peer.rstStream(3)
        bytes += Peer.windowUpdate(0, 1000)
        return bytes
    }

    /// Data events merged per stream, as a reader of the body sees them.
    private func normalized(_ events: [HTTP2Session.Event]) -> [HTTP2Session.Event] {
        var merged: [HTTP2Session.Event] = []
        for event in events {
            if case .data(let stream, let bytes) = event, case .data(stream, let previous)? = merged.last {
                merged[merged.count - 1] = .data(stream: stream, Array(previous + bytes)[...])
            } else if case .data(let stream, let bytes) = event {
                merged.append(.data(stream: stream, Array(bytes)[...]))
            } else {
                merged.append(event)
            }
        }
        return merged
    }

    func testFeedingByteByByteGivesWhatFeedingAtOnceGives() {
        let bytes = exchange()
        var whole = HTTP2Session()
        var wholeEvents: [HTTP2Session.Event] = []
        whole.receive(bytes[...], into: &wholeEvents)
        for size in [1, 2, 7, 9, 10, 100] {
            var split = HTTP2Session()
            var splitEvents: [HTTP2Session.Event] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + size)
                split.receive(bytes[start..<end], into: &splitEvents)
                start = end
            }
            XCTAssertEqual(normalized(splitEvents), normalized(wholeEvents), "pieces of \(size)")
            XCTAssertEqual(split.output, whole.output, "pieces of \(size)")
        }
        XCTAssertEqual(normalized(wholeEvents).count, 5, "\(wholeEvents)")
        XCTAssertEqual(normalized(wholeEvents)[1], .data(stream: 1, Array("hello world".utf8)[...]))
        XCTAssertEqual(normalized(wholeEvents)[2], .endStream(stream: 1))
        XCTAssertEqual(normalized(wholeEvents)[4], .reset(stream: 3, .cancel))
        XCTAssertFalse(whole.finished)
    }

    func testWindowUpdateIsSentOnlyAsTheBodyIsConsumed() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(), endStream: false)
        let chunk = [UInt8](repeating: 0x62, count: 16_384)
        peer.send(Peer.data(1, chunk) + Peer.data(1, chunk) + Peer.data(1, chunk))
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x8 }, [], "nothing given back before the application reads")
        peer.session.consumed(stream: 1, count: 16_384)
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x8 }, [], "less than half the window owed")
        peer.session.consumed(stream: 1, count: 32_768)
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x8 }, [Peer.Frame(type: 0x8, flags: 0, stream: 1, payload: Peer.uint32(49_152))])
    }

    func testDataBeyondTheStreamWindowIsAFlowControlError() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(), endStream: false)
        let chunk = [UInt8](repeating: 0x62, count: 16_384)
        peer.send(Peer.data(1, chunk) + Peer.data(1, chunk) + Peer.data(1, chunk) + Peer.data(1, chunk))
        XCTAssertEqual(peer.events.count, 5, "64 KiB is the window")
        peer.send(Peer.data(1, [0x62]))
        peer.takeFrames()
        peer.assertStreamError(1, .flowControlError)
    }

    func testAResetStreamGivesItsUnreadBodyBackToTheConnection() {
        var limits = HTTP2Limits()
        limits.connectionWindowSize = 65_535
        var peer = Peer(limits: limits)
        peer.sendHeaders(1, Peer.post(), endStream: false)
        let chunk = [UInt8](repeating: 0x62, count: 16_000)
        peer.send(Peer.data(1, chunk) + Peer.data(1, chunk) + Peer.data(1, chunk))
        XCTAssertEqual(peer.takeFrames(), [])
        peer.send(Peer.rstStream(1))
        XCTAssertEqual(peer.takeFrames(), [Peer.Frame(type: 0x8, flags: 0, stream: 0, payload: Peer.uint32(48_000))])
    }

    func testPaddingIsGivenBackAtOnceAndTheBodyOnlyWhenConsumed() {
        var limits = HTTP2Limits()
        limits.connectionWindowSize = 65_535
        var peer = Peer(limits: limits)
        peer.sendHeaders(1, Peer.post(), endStream: false)
        // Three frames of 1 body byte and 255 bytes of padding (plus the pad length): 771 bytes of window.
        let padded = Peer.frame(0x0, 0x8, 1, [255, 0x61] + [UInt8](repeating: 0, count: 255))
        for _ in 0..<130 { peer.send(padded) }
        let updates = peer.takeFrames().filter { $0.type == 0x8 }
        XCTAssertEqual(updates.map(\.stream), [1, 0], "half of each window was padding")
        XCTAssertEqual(updates.map(\.payload), [Peer.uint32(256 * 128), Peer.uint32(256 * 128)])
        XCTAssertEqual(peer.events.count, 131, "the body bytes, one event each")
    }

    func testDataOnAClosedStreamStillGivesTheConnectionWindowBack() {
        var limits = HTTP2Limits()
        limits.connectionWindowSize = 65_535
        var peer = Peer(limits: limits)
        peer.sendHeaders(1, Peer.post(), endStream: false)
        peer.send(Peer.rstStream(1))
        peer.send(Peer.data(1, [UInt8](repeating: 0x61, count: 16_000)) + Peer.data(1, [UInt8](repeating: 0x61, count: 16_000)))
        peer.send(Peer.data(1, [UInt8](repeating: 0x61, count: 16_000)))
        let frames = peer.takeFrames()
        XCTAssertEqual(frames.filter { $0.type == 0x3 }.count, 3, "each DATA on the closed stream is answered STREAM_CLOSED")
        XCTAssertEqual(frames.filter { $0.type == 0x8 }, [Peer.Frame(type: 0x8, flags: 0, stream: 0, payload: Peer.uint32(48_000))])
    }

    func testTheHeadLeavesOutConnectionFieldsAndHasLowerCaseNames() {
        var peer = Peer()
        peer.sendHeaders(1)
        XCTAssertTrue(peer.session.sendHead(stream: 1, status: 404, fields: [
            HPACKHeaderField("Content-Type", "text/html"), HPACKHeaderField("Connection", "keep-alive"),
            HPACKHeaderField("Keep-Alive", "timeout=75"), HPACKHeaderField("Transfer-Encoding", "chunked"),
            HPACKHeaderField("content-length", "0"),
        ], endStream: true))
        let frames = peer.takeFrames()
        XCTAssertEqual(frames.map(\.type), [0x1])
        XCTAssertEqual(frames.first?.flags, 0x5, "END_STREAM and END_HEADERS")
        XCTAssertEqual(peer.decodeHead(frames[0].payload), [HPACKHeaderField(":status", "404"), HPACKHeaderField("content-type", "text/html"),
                                                             HPACKHeaderField("content-length", "0")])
        XCTAssertEqual(peer.session.activeStreams, 0)
        XCTAssertFalse(peer.session.sendData(stream: 1, [1][...], endStream: true), "the stream is over")
    }

    func testALongHeadGoesOnInContinuationFrames() {
        var peer = Peer()
        peer.sendHeaders(1)
        let long = String(repeating: "v", count: 20_000)
        peer.session.sendHead(stream: 1, status: 200, fields: [HPACKHeaderField("x-long", long)], endStream: true)
        let frames = peer.takeFrames()
        XCTAssertEqual(frames.map(\.type), [0x1, 0x9])
        XCTAssertEqual(frames.map(\.flags), [0x1, 0x4])
        XCTAssertTrue(frames.allSatisfy { $0.payload.count <= 16_384 })
        XCTAssertEqual(peer.decodeHead(frames[0].payload + frames[1].payload), [HPACKHeaderField(":status", "200"), HPACKHeaderField("x-long", long)])
    }

    func testTheBodyIsCutByFrameSizeAndWaitsForBothWindows() {
        var peer = Peer()
        peer.sendHeaders(1)
        let body = (0..<100_000).map { UInt8($0 % 251) }
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false)
        XCTAssertTrue(peer.session.sendData(stream: 1, body[...], endStream: true))
        var data = peer.takeFrames().filter { $0.type == 0x0 }
        XCTAssertEqual(data.map(\.payload.count), [16_384, 16_384, 16_384, 16_383], "65,535: the connection's and the stream's window")
        XCTAssertEqual(peer.session.queuedCount(stream: 1), 100_000 - 65_535)
        peer.send(Peer.windowUpdate(0, 100_000))
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }, [], "the stream's window is still shut")
        peer.send(Peer.windowUpdate(1, 100_000))
        data += peer.takeFrames().filter { $0.type == 0x0 }
        XCTAssertEqual(data.flatMap(\.payload), body)
        XCTAssertEqual(data.map(\.flags), [0, 0, 0, 0, 0, 0, 0x1])
        XCTAssertEqual(peer.session.activeStreams, 0)
    }

    func testTrailersFollowTheBodyAndEndTheStream() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 2)))
        peer.sendHeaders(1)
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false)
        peer.session.sendData(stream: 1, Array("abcd".utf8)[...], endStream: false)
        peer.session.sendTrailers(stream: 1, [HPACKHeaderField("grpc-status", "0")])
        var frames = peer.takeFrames().filter { $0.type != 0x4 }
        XCTAssertEqual(frames.map(\.type), [0x1, 0x0], "the trailers wait behind the body")
        XCTAssertEqual(peer.decodeHead(frames[0].payload), [HPACKHeaderField(":status", "200")])
        peer.send(Peer.windowUpdate(1, 2))
        frames = peer.takeFrames()
        XCTAssertEqual(frames.map(\.type), [0x0, 0x1])
        XCTAssertEqual(frames.last?.flags, 0x5)
        XCTAssertEqual(peer.decodeHead(frames[1].payload), [HPACKHeaderField("grpc-status", "0")])
        XCTAssertEqual(peer.session.activeStreams, 0)
    }

    func testAnAnswerBeforeTheWholeBodyAsksTheClientToStopWithoutError() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(contentLength: 100_000), endStream: false)
        peer.send(Peer.data(1, [UInt8](repeating: 0x61, count: 10_000)))
        peer.session.sendHead(stream: 1, status: 413, fields: [], endStream: true)
        let frames = peer.takeFrames()
        XCTAssertEqual(frames.map(\.type), [0x1, 0x3])
        XCTAssertEqual(frames.last?.errorCode, 0)
        XCTAssertEqual(peer.session.activeStreams, 0)
    }

    func testGoAwayNamesTheLastStreamAndTheOthersFinish() {
        var peer = Peer()
        peer.sendHeaders(1)
        peer.sendHeaders(3)
        peer.session.goAway()
        peer.sendHeaders(5)
        let frames = peer.takeFrames()
        XCTAssertEqual(frames.first, Peer.Frame(type: 0x7, flags: 0, stream: 0, payload: Peer.uint32(3) + Peer.uint32(0)))
        XCTAssertEqual(frames.last?.stream, 5)
        XCTAssertEqual(frames.last?.errorCode, HTTP2ErrorCode.refusedStream.rawValue)
        XCTAssertFalse(peer.session.finished)
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: true)
        peer.session.sendHead(stream: 3, status: 200, fields: [], endStream: true)
        XCTAssertTrue(peer.session.finished)
    }
}
