import XCTest
@testable import webserv

/// h2spec's cases for RFC 9113 §5.1 (stream states, each illegal frame per
/// state), §5.1.1 (stream ids), §5.1.2 (concurrency), §5.3 (priority: ignored,
/// but checked), §5.4 (error handling) and §8 (the HTTP exchange: pseudo-header
/// fields, connection fields, malformed requests, trailers, push), ported to
/// the session as `HTTP2ConnectionConformanceTests` are.
final class HTTP2StreamConformanceTests: XCTestCase {
    typealias Peer = HTTP2TestPeer

    /// A peer that opened stream 1 with `fields`, its body to follow.
    private func opened(_ fields: [HPACKHeaderField] = HTTP2TestPeer.request) -> Peer {
        var peer = Peer()
        peer.sendHeaders(1, fields, endStream: false)
        return peer
    }

    /// A request whose head breaks a rule of §8 is reset with PROTOCOL_ERROR
    /// and never reaches the application; the connection goes on.
    private func assertMalformed(_ fields: [HPACKHeaderField], file: StaticString = #filePath, line: UInt = #line) {
        var peer = Peer()
        let events = peer.sendHeaders(1, fields)
        peer.takeFrames()
        XCTAssertEqual(events, [], file: file, line: line)
        peer.assertStreamError(1, .protocolError, file: file, line: line)
        peer.assertAlive(file: file, line: line)
    }

    // MARK: 5.1 Stream states

    func test_5_1_c1_idleDataIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_5_1_c2_idleRstStreamIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.rstStream(1))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_5_1_c3_idleWindowUpdateIsAProtocolError() {
        var peer = Peer()
        peer.send(Peer.windowUpdate(1, 100))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_5_1_c4_idleContinuationIsAProtocolError() {
        var peer = Peer()
        let block = peer.block(Peer.request)
        peer.send(Peer.frame(0x9, 0x4, 1, block))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_5_1_c5_halfClosedRemoteDataIsStreamClosed() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true)
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertStreamError(1, .streamClosed)
    }

    func test_5_1_c6_halfClosedRemoteHeadersIsStreamClosed() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true)
        peer.sendHeaders(1, endStream: true)
        peer.takeFrames()
        peer.assertStreamError(1, .streamClosed)
    }

    func test_5_1_c7_halfClosedRemoteContinuationIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true)
        let block = peer.block([HPACKHeaderField("x-dummy", "dummy")])
        peer.send(Peer.frame(0x9, 0x4, 1, block))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_5_1_c8_closedByResetDataIsStreamClosed() {
        var peer = opened()
        peer.send(Peer.rstStream(1))
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertStreamError(1, .streamClosed)
    }

    func test_5_1_c9_closedByResetHeadersIsStreamClosed() {
        var peer = opened()
        peer.send(Peer.rstStream(1))
        peer.sendHeaders(1)
        peer.takeFrames()
        peer.assertConnectionError(.streamClosed)
    }

    func test_5_1_c10_closedByResetContinuationIsAProtocolError() {
        var peer = opened()
        peer.send(Peer.rstStream(1))
        let block = peer.block([HPACKHeaderField("x-dummy", "dummy")])
        peer.send(Peer.frame(0x9, 0x4, 1, block))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    /// Stream 1 opened, answered and so closed (h2spec waits for the answer's END_STREAM).
    private func answeredAndClosed() -> Peer {
        var peer = Peer()
        peer.sendHeaders(1, endStream: true)
        XCTAssertTrue(peer.session.sendHead(stream: 1, status: 200, fields: [], endStream: true))
        XCTAssertEqual(peer.session.activeStreams, 0)
        peer.takeFrames()
        return peer
    }

    func test_5_1_c11_closedDataIsStreamClosed() {
        var peer = answeredAndClosed()
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertStreamError(1, .streamClosed)
    }

    func test_5_1_c12_closedHeadersIsAStreamClosedConnectionError() {
        var peer = answeredAndClosed()
        peer.sendHeaders(1)
        peer.takeFrames()
        peer.assertConnectionError(.streamClosed)
    }

    func test_5_1_c13_closedContinuationIsAProtocolError() {
        var peer = answeredAndClosed()
        let block = peer.block([HPACKHeaderField("x-dummy", "dummy")])
        peer.send(Peer.frame(0x9, 0x4, 1, block))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 5.1.1 Stream identifiers

    func test_5_1_1_c1_evenStreamIdIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(2)
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    func test_5_1_1_c2_aSmallerStreamIdThanThePreviousIsAProtocolError() {
        var peer = Peer()
        peer.sendHeaders(5)
        peer.sendHeaders(3)
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: 5.1.2 Stream concurrency

    func test_5_1_2_c1_aStreamPastTheConcurrencyLimitIsRefused() {
        var peer = Peer()
        for index in 0..<128 { peer.sendHeaders(UInt32(2 * index + 1)) }
        XCTAssertEqual(peer.session.activeStreams, 128)
        let events = peer.sendHeaders(257)
        peer.takeFrames()
        XCTAssertEqual(events, [])
        peer.assertStreamError(257, .refusedStream)
        // Once one is answered, a new stream is taken.
        peer.session.sendHead(stream: 1, status: 204, fields: [], endStream: true)
        XCTAssertEqual(peer.sendHeaders(259).count, 1)
    }

    // MARK: 5.3.1 Stream dependencies

    func test_5_3_1_c1_headersDependingOnItselfIsAProtocolError() {
        var peer = Peer()
        let block = peer.block(Peer.request)
        peer.send(Peer.frame(0x1, 0x25, 1, Peer.uint32(1) + [15] + block))
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
        // The block was decoded all the same: the next request reads.
        XCTAssertEqual(peer.sendHeaders(3).count, 1)
    }

    func test_5_3_1_c2_priorityDependingOnItselfIsAProtocolError() {
        var peer = opened()
        peer.send(Peer.priority(1, dependsOn: 1))
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
    }

    func test_5_3_priorityOnAnyStreamIsIgnored() {
        var peer = Peer()
        peer.send(Peer.priority(9, dependsOn: 3))
        peer.sendHeaders(1)
        XCTAssertEqual(peer.events.count, 1)
        peer.assertAlive()
    }

    // MARK: 5.4.1 Connection error handling

    func test_5_4_1_c1_anInvalidPingClosesTheConnection() {
        var peer = Peer()
        peer.send(Peer.frame(0x6, 0, 3, [1, 2, 3, 4, 5, 6, 7, 8]))
        XCTAssertTrue(peer.session.finished)
        // Nothing more is read.
        XCTAssertEqual(peer.send(Peer.ping()).count, 0)
    }

    func test_5_4_1_c2_anInvalidPingSendsGoAwayWithTheLastStream() {
        var peer = Peer()
        peer.sendHeaders(1)
        peer.send(Peer.frame(0x6, 0, 3, [1, 2, 3, 4, 5, 6, 7, 8]))
        let goAway = peer.takeFrames().first { $0.type == 0x7 }
        XCTAssertEqual(goAway?.payload, Peer.uint32(1) + Peer.uint32(1))
    }

    // MARK: 8.1 HTTP request/response exchange

    func test_8_1_c1_aSecondHeadersWithoutEndStreamIsAProtocolError() {
        var peer = opened()
        peer.sendHeaders(1, [HPACKHeaderField("x-trailer", "1")], endStream: false)
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
        XCTAssertEqual(peer.events.last, .reset(stream: 1, .protocolError))
    }

    func test_8_1_trailersEndTheRequest() {
        var peer = opened(Peer.post())
        peer.send(Peer.data(1, Array("body".utf8)))
        let events = peer.sendHeaders(1, [HPACKHeaderField("x-checksum", "abc")], endStream: true)
        XCTAssertEqual(events, [.trailers(stream: 1, [HPACKHeaderField("x-checksum", "abc")]), .endStream(stream: 1)])
        peer.takeFrames()
        XCTAssertFalse(peer.frames.contains { $0.type == 0x3 || $0.type == 0x7 })
    }

    // MARK: 8.1.2 HTTP header fields

    func test_8_1_2_c1_anUpperCaseFieldNameIsAProtocolError() {
        assertMalformed(Peer.request + [HPACKHeaderField("X-TEST", "ok")])
    }

    // MARK: 8.1.2.1 Pseudo-header fields

    func test_8_1_2_1_c1_anUnknownPseudoHeaderIsAProtocolError() {
        assertMalformed(Peer.request + [HPACKHeaderField(":test", "ok")])
    }

    func test_8_1_2_1_c2_aResponsePseudoHeaderIsAProtocolError() {
        assertMalformed(Peer.request + [HPACKHeaderField(":status", "200")])
    }

    func test_8_1_2_1_c3_aPseudoHeaderInTrailersIsAProtocolError() {
        var peer = opened(Peer.post())
        peer.send(Peer.data(1, Array("test".utf8)))
        peer.sendHeaders(1, [HPACKHeaderField(":method", "POST")], endStream: true)
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
    }

    func test_8_1_2_1_c4_aPseudoHeaderAfterARegularFieldIsAProtocolError() {
        assertMalformed([HPACKHeaderField(":method", "GET"), HPACKHeaderField(":scheme", "https"), HPACKHeaderField("x-test", "ok"),
                         HPACKHeaderField(":path", "/"), HPACKHeaderField(":authority", "localhost")])
    }

    // MARK: 8.1.2.2 Connection-specific header fields

    func test_8_1_2_2_c1_aConnectionSpecificFieldIsAProtocolError() {
        assertMalformed(Peer.request + [HPACKHeaderField("connection", "keep-alive")])
        assertMalformed(Peer.request + [HPACKHeaderField("transfer-encoding", "chunked")])
        assertMalformed(Peer.request + [HPACKHeaderField("upgrade", "websocket")])
    }

    func test_8_1_2_2_c2_teOtherThanTrailersIsAProtocolError() {
        assertMalformed(Peer.request + [HPACKHeaderField("te", "gzip")])
        var peer = Peer()
        XCTAssertEqual(peer.sendHeaders(1, Peer.request + [HPACKHeaderField("te", "trailers")]).count, 1)
    }

    // MARK: 8.1.2.3 Request pseudo-header fields

    func test_8_1_2_3_c1_anEmptyPathIsAProtocolError() {
        assertMalformed([HPACKHeaderField(":method", "GET"), HPACKHeaderField(":scheme", "https"),
                         HPACKHeaderField(":path", ""), HPACKHeaderField(":authority", "localhost")])
    }

    func test_8_1_2_3_c2_noMethodIsAProtocolError() {
        assertMalformed(Peer.request.filter { $0.name != Array(":method".utf8) })
    }

    func test_8_1_2_3_c3_noSchemeIsAProtocolError() {
        assertMalformed(Peer.request.filter { $0.name != Array(":scheme".utf8) })
    }

    func test_8_1_2_3_c4_noPathIsAProtocolError() {
        assertMalformed(Peer.request.filter { $0.name != Array(":path".utf8) })
    }

    func test_8_1_2_3_c5_aDuplicatedMethodIsAProtocolError() {
        assertMalformed([HPACKHeaderField(":method", "GET")] + Peer.request)
    }

    func test_8_1_2_3_c6_aDuplicatedSchemeIsAProtocolError() {
        assertMalformed([HPACKHeaderField(":scheme", "https")] + Peer.request)
    }

    func test_8_1_2_3_c7_aDuplicatedPathIsAProtocolError() {
        assertMalformed([HPACKHeaderField(":path", "/")] + Peer.request)
    }

    // MARK: 8.1.2.6 Malformed requests and responses

    func test_8_1_2_6_c1_aContentLengthOtherThanTheDataIsAProtocolError() {
        var peer = opened(Peer.post(contentLength: 1))
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
    }

    func test_8_1_2_6_c2_aContentLengthOtherThanTheSumOfTheDataIsAProtocolError() {
        var peer = opened(Peer.post(contentLength: 10))
        peer.send(Peer.data(1, Array("test".utf8)))
        peer.send(Peer.data(1, Array("test".utf8), endStream: true))
        peer.takeFrames()
        peer.assertStreamError(1, .protocolError)
        XCTAssertEqual(peer.events.filter { if case .endStream = $0 { return true } else { return false } }, [])
    }

    // MARK: 8.2 Server push

    func test_8_2_c1_pushPromiseFromAClientIsAProtocolError() {
        var peer = opened()
        let block = peer.block(Peer.request)
        peer.send(Peer.frame(0x5, 0x4, 1, Peer.uint32(2) + block))
        peer.takeFrames()
        peer.assertConnectionError(.protocolError)
    }

    // MARK: The request head handed out

    func test_8_3_1_theRequestHeadCarriesThePseudoHeadersApart() {
        var peer = Peer()
        let events = peer.sendHeaders(1, Peer.post(contentLength: 4) + [HPACKHeaderField("user-agent", "test")], endStream: false)
        guard case .request(stream: 1, let head, endStream: false)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(head.method, Array("POST".utf8))
        XCTAssertEqual(head.scheme, Array("https".utf8))
        XCTAssertEqual(head.path, Array("/upload".utf8))
        XCTAssertEqual(head.authority, Array("localhost".utf8))
        XCTAssertEqual(head.contentLength, 4)
        XCTAssertEqual(head.fields, [HPACKHeaderField("content-length", "4"), HPACKHeaderField("user-agent", "test")])
    }
}
