import XCTest
@testable import webserv

/// h2spec's cases for RFC 9113 §3.5 (preface), §4 (frame format, size,
/// header compression), §5.5 (extensions), §6 (each frame type) and §7
/// (error codes), ported to the session: each test is one h2spec case,
/// named `test_<section>_c<case>_...` after h2spec's numbering, feeding the
/// frames h2spec sends and checking what h2spec expects (a connection error
/// is GOAWAY with the code; a stream error RST_STREAM, which h2spec also
/// accepts as a connection error where the RFC allows either).
final class HTTP2ConnectionConformanceTests: XCTestCase {
    typealias Peer = HTTP2TestPeer

    // MARK: 3.5 HTTP/2 connection preface

    func test_3_5_c1_clientPrefaceIsAnsweredWithSettings() {
        var peer = Peer(handshake: false)
        peer.send(http2ClientPreface + Peer.settings())
        let frames = peer.takeFrames()
        XCTAssertEqual(frames.first?.type, 0x4, "the server's preface is a SETTINGS frame")
        XCTAssertEqual(frames.first?.flags, 0)
        XCTAssertTrue(frames.contains { $0.type == 0x4 && $0.flags == 0x1 && $0.payload.isEmpty }, "the client's SETTINGS is acknowledged")
    }

    func test_3_5_c2_invalidPrefaceIsAProtocolError() {
        var peer = Peer(handshake: false)
        peer.send(Array("INVALID CONNECTION PREFACE\r\n\r\n".utf8))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 4.1 Frame format

    func test_4_1_c1_unknownFrameTypeIsIgnored() {
        var peer = Peer()
        peer.send(Peer.frame(0x16, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]))
        peer.assertAlive()
    }

    func test_4_1_c2_undefinedFlagIsIgnored() {
        var peer = Peer()
        peer.send(Peer.frame(0x6, 0x16, 0, [1, 2, 3, 4, 5, 6, 7, 8]))
        let frames = peer.takeFrames()
        XCTAssertEqual(frames, [Peer.Frame(type: 0x6, flags: 0x1, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])])
    }

    func test_4_1_c3_reservedBitIsIgnored() {
        var peer = Peer()
        peer.send(Peer.frame(0x6, 0, 0x8000_0000, [1, 2, 3, 4, 5, 6, 7, 8]))
        let frames = peer.takeFrames()
        XCTAssertEqual(frames, [Peer.Frame(type: 0x6, flags: 0x1, stream: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])])
    }

    // MARK: 4.2 Frame size

    func test_4_2_c1_dataOfTwoToTheFourteenOctetsIsAccepted() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(), endStream: false)
        let events = peer.send(Peer.data(1, [UInt8](repeating: 0x61, count: 16_384), endStream: true))
        XCTAssertEqual(events.count, 2)
        if case .data(stream: 1, let body)? = events.first { XCTAssertEqual(body.count, 16_384) } else { XCTFail("\(events)") }
        XCTAssertEqual(events.last, .endStream(stream: 1))
        XCTAssertTrue(peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: true))
        XCTAssertTrue(peer.takeFrames().contains { $0.type == 0x1 && $0.stream == 1 })
    }

    func test_4_2_c2_dataLargerThanTheMaxFrameSizeIsAFrameSizeError() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(), endStream: false)
        peer.send(Peer.data(1, [UInt8](repeating: 0x61, count: 16_385), endStream: true))
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    func test_4_2_c3_headersLargerThanTheMaxFrameSizeIsAFrameSizeError() {
        var peer = Peer()
        let big = Peer.request + (0..<8).map { HPACKHeaderField("x-dummy\($0)", String(repeating: "x", count: 4000)) }
        peer.sendHeaders(1, big)
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    // MARK: 4.3 Header compression and decompression

    func test_4_3_c1_invalidHeaderBlockIsACompressionError() {
        var peer = Peer()
        // An indexed field with index 0, which RFC 7541 §6.1 forbids.
        peer.send(Peer.frame(0x1, 0x5, 1, [0x80]))
        peer.takeFrames()
        peer.assertConnectionError(.compressionError)
    }

    func test_4_3_c2_priorityInsideAHeaderBlockIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true, endHeaders: false)
        peer.send(Peer.priority(1, dependsOn: 0))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_4_3_c3_headersOfAnotherStreamInsideAHeaderBlockIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true, endHeaders: false)
        peer.sendHeaders(3)
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 5.5 Extending HTTP/2

    func test_5_5_c1_unknownExtensionFrameIsIgnored() {
        var peer = Peer()
        peer.send(Peer.frame(0xFF, 0, 0, Array("dummy".utf8)))
        peer.assertAlive()
    }

    func test_5_5_c2_unknownExtensionFrameInsideAHeaderBlockIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true, endHeaders: false)
        peer.send(Peer.frame(0xFF, 0, 1, Array("dummy".utf8)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 6.1 DATA

    func test_6_1_c1_dataOnStreamZeroIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.data(0, Array("test".utf8)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_1_c2_dataOnAStreamNotOpenIsStreamClosed() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true)
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertStreamError(1, .streamClosed)
        XCTAssertEqual(peer.events.last, .reset(stream: 1, .streamClosed))
    }

    func test_6_1_c3_dataWithInvalidPadLengthIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, Peer.post(), endStream: false)
        // Pad length 6 in a 5-byte payload.
        peer.send(Peer.frame(0x0, 0x9, 1, [6] + Array("test".utf8)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 6.2 HEADERS

    func test_6_2_c1_headersWithoutEndHeadersThenPriorityIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false, endHeaders: false)
        peer.send(Peer.priority(1, dependsOn: 0))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_2_c2_headersOfAnotherStreamWhileSendingHeadersIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false, endHeaders: false)
        peer.sendHeaders(3)
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_2_c3_headersOnStreamZeroIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(0)
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_2_c4_headersWithInvalidPadLengthIsAProtocolError() {
        var peer = Peer()
        let block = peer.block(Peer.request)
        // The pad length is the whole payload.
        peer.send(Peer.frame(0x1, 0xD, 1, [UInt8(block.count + 1)] + block))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 6.3 PRIORITY

    func test_6_3_c1_priorityOnStreamZeroIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.priority(0, dependsOn: 1))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_3_c2_priorityOfAnotherLengthThanFiveIsAFrameSizeError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false)
        peer.send(Peer.frame(0x2, 0, 1, [0, 0, 0, 0, 16, 0]))
        peer.takeFrames()
        peer.assertStreamError(1, .frameSizeError)
    }

    // MARK: 6.4 RST_STREAM

    func test_6_4_c1_rstStreamOnStreamZeroIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.rstStream(0))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_4_c2_rstStreamOnAnIdleStreamIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.rstStream(1))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_4_c3_rstStreamOfAnotherLengthThanFourIsAFrameSizeError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false)
        peer.send(Peer.frame(0x3, 0, 1, [0, 0, 0, 8, 0]))
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    // MARK: 6.5 SETTINGS

    func test_6_5_c1_settingsAckWithPayloadIsAFrameSizeError() {
        var peer = Peer()
        peer.send(Peer.frame(0x4, 0x1, 0, Peer.setting(0x4, 1)))
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    func test_6_5_c2_settingsOnAStreamIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.frame(0x4, 0, 1, Peer.setting(0x4, 1)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_5_c3_settingsOfALengthNotAMultipleOfSixIsAFrameSizeError() {
        var peer = Peer()
        peer.send(Peer.frame(0x4, 0, 0, [0, 3, 0, 0]))
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    // MARK: 6.5.2 Defined SETTINGS parameters

    func test_6_5_2_c1_enablePushOtherThanZeroOrOneIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x2, 2)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_5_2_c2_initialWindowSizeAboveTheMaximumIsAFlowControlError() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 2_147_483_648)))
        peer.takeFrames()
        peer.assertConnectionError(.flowControlError)
    }

    func test_6_5_2_c3_maxFrameSizeBelowTheInitialValueIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x5, 16_383)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_5_2_c4_maxFrameSizeAboveTheMaximumIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x5, 16_777_216)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_5_2_c5_unknownSettingIsIgnored() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0xFF, 1)))
        XCTAssertTrue(peer.takeFrames().contains { $0.type == 0x4 && $0.flags == 0x1 })
        peer.assertAlive()
    }

    // MARK: 6.5.3 Settings synchronization

    func test_6_5_3_c1_theLastOfSeveralInitialWindowSizesApplies() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 100) + Peer.setting(0x4, 1)))
        XCTAssertTrue(peer.takeFrames().contains { $0.type == 0x4 && $0.flags == 0x1 })
        peer.sendHeaders(1)
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false)
        peer.session.sendData(stream: 1, Array("hello".utf8)[...], endStream: true)
        let data = peer.takeFrames().filter { $0.type == 0x0 }
        XCTAssertEqual(data.map(\.payload), [Array("h".utf8)])
    }

    func test_6_5_3_c2_settingsWithoutAckIsAcknowledged() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 65_535)))
        XCTAssertEqual(peer.takeFrames(), [Peer.Frame(type: 0x4, flags: 0x1, stream: 0, payload: [])])
    }

    // MARK: 6.7 PING

    func test_6_7_c1_pingIsAnsweredWithItsBytes() {
        var peer = Peer()
        peer.send(Peer.ping(Array("h2spec\0\0".utf8)))
        XCTAssertEqual(peer.takeFrames(), [Peer.Frame(type: 0x6, flags: 0x1, stream: 0, payload: Array("h2spec\0\0".utf8))])
    }

    func test_6_7_c2_pingAckIsNotAnswered() {
        var peer = Peer()
        peer.send(Peer.frame(0x6, 0x1, 0, Array("invalid!".utf8)))
        peer.send(Peer.ping(Array("h2spec\0\0".utf8)))
        XCTAssertEqual(peer.takeFrames(), [Peer.Frame(type: 0x6, flags: 0x1, stream: 0, payload: Array("h2spec\0\0".utf8))])
    }

    func test_6_7_c3_pingOnAStreamIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.frame(0x6, 0, 1, [1, 2, 3, 4, 5, 6, 7, 8]))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_7_c4_pingOfAnotherLengthThanEightIsAFrameSizeError() {
        var peer = Peer()
        peer.send(Peer.frame(0x6, 0, 0, [1, 2, 3, 4, 5, 6]))
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    // MARK: 6.8 GOAWAY

    func test_6_8_c1_goAwayOnAStreamIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.frame(0x7, 0, 1, Peer.uint32(0) + Peer.uint32(0)))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 6.9 WINDOW_UPDATE

    func test_6_9_c1_zeroIncrementOnTheConnectionIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.windowUpdate(0, 0))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_6_9_c2_zeroIncrementOnAStreamIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false)
        peer.send(Peer.windowUpdate(1, 0))
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
    }

    func test_6_9_c3_windowUpdateOfAnotherLengthThanFourIsAFrameSizeError() {
        var peer = Peer()
        peer.send(Peer.frame(0x8, 0, 0, [0, 0, 0, 1, 0]))
        peer.takeFrames()
        peer.assertConnectionError(.frameSizeError)
    }

    // MARK: 6.9.1 The flow-control window

    func test_6_9_1_c1_anInitialWindowOfOneSendsOneByteAtATime() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 1)))
        peer.sendHeaders(1)
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false)
        peer.session.sendData(stream: 1, Array("abc".utf8)[...], endStream: true)
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }.map(\.payload), [Array("a".utf8)])
        peer.send(Peer.windowUpdate(1, 1))
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }.map(\.payload), [Array("b".utf8)])
        peer.send(Peer.windowUpdate(1, 5))
        let last = peer.takeFrames().filter { $0.type == 0x0 }
        XCTAssertEqual(last.map(\.payload), [Array("c".utf8)])
        XCTAssertEqual(last.last?.flags, 0x1, "the last DATA ends the stream")
    }

    func test_6_9_1_c2_connectionWindowAboveTheMaximumIsAFlowControlError() {
        var peer = Peer()
        peer.send(Peer.windowUpdate(0, 2_147_483_647) + Peer.windowUpdate(0, 2_147_483_647))
        peer.takeFrames()
        peer.assertConnectionError(.flowControlError)
    }

    func test_6_9_1_c3_streamWindowAboveTheMaximumIsAFlowControlError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false)
        peer.send(Peer.windowUpdate(1, 2_147_483_647) + Peer.windowUpdate(1, 2_147_483_647))
        peer.takeFrames()
        peer.assertStreamError(1, .flowControlError)
    }

    // MARK: 6.9.2 Initial flow-control window size

    func test_6_9_2_c1_aNewInitialWindowSizeAppliesToOpenStreams() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 0)))
        peer.sendHeaders(1)
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false)
        peer.session.sendData(stream: 1, Array("abc".utf8)[...], endStream: true)
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }, [])
        peer.send(Peer.settings(Peer.setting(0x4, 1)))
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }.map(\.payload), [Array("a".utf8)])
    }

    func test_6_9_2_c2_aWindowMayGoNegative() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 3)))
        peer.sendHeaders(1)
        peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: false)
        peer.session.sendData(stream: 1, Array("abcdef".utf8)[...], endStream: true)
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }.map(\.payload), [Array("abc".utf8)])
        // 3 sent, the window now 2: it is -1, and an increment of 2 makes it 1.
        peer.send(Peer.settings(Peer.setting(0x4, 2)))
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }, [])
        peer.send(Peer.windowUpdate(1, 2))
        XCTAssertEqual(peer.takeFrames().filter { $0.type == 0x0 }.map(\.payload), [Array("d".utf8)])
    }

    func test_6_9_2_c3_initialWindowSizeAboveTheMaximumIsAFlowControlError() {
        var peer = Peer()
        peer.send(Peer.settings(Peer.setting(0x4, 2_147_483_648)))
        peer.takeFrames()
        peer.assertConnectionError(.flowControlError)
    }

    // MARK: 7 Error codes

    func test_7_c1_goAwayWithAnUnknownErrorCodeChangesNothing() {
        var peer = Peer()
        let events = peer.send(Peer.frame(0x7, 0, 0, Peer.uint32(0) + Peer.uint32(0xFF)))
        XCTAssertEqual(events, [.peerGoingAway(lastStreamID: 0, HTTP2ErrorCode(rawValue: 0xFF))])
        peer.assertAlive()
    }

    func test_7_c2_rstStreamWithAnUnknownErrorCodeChangesNothing() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: false)
        let events = peer.send(Peer.rstStream(1, 0xFF))
        XCTAssertEqual(events, [.reset(stream: 1, HTTP2ErrorCode(rawValue: 0xFF))])
        peer.assertAlive()
    }
}
