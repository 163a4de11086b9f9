import XCTest
import ConfLang
@testable import webserv

/// The reading side's transitions as pure steps: a connection told what has
/// arrived says what it means, with no socket and no loop.
final class ConnectionStepTests: XCTestCase {
    /// `body`, `discarding`: what the connection's request holds in the body states.
    private func connection(_ state: Connection.State = .idle(kept: false), input: String = "",
                            body: BodyReception? = nil, discarding: BodyFraming? = nil) -> Connection {
        let connection = Connection(fd: -1, identity: 0, listener: Listener(address: Values.ListenAddress(host: "*", port: 80), servers: nil),
                                    peerHost: "127.0.0.1", peerPort: 1, limits: RequestLimits())
        connection.state = state
        connection.request.body = body
        connection.request.bodyToDiscard = discarding
        connection.input = Array(input.utf8)
        return connection
    }

    private final class Sink: BodyConsumer {
        func consume(_ bytes: ArraySlice<UInt8>) -> Response? { nil }
        func finish() -> Response? { nil }
        func abort() {}
    }

    private func head(_ text: String) -> RequestHead {
        let parser = RequestParser(limits: RequestLimits())
        guard case .head = parser.parse(Array(text.utf8)), let head = parser.head else { fatalError("test head") }
        return head
    }

    func testAHeadBeginsIsParsedAndLeavesWhatFollows() {
        let idle = connection()
        guard case .wait = idle.nextStep() else { return XCTFail("nothing arrived") }
        let reading = connection(input: "GET /a HTTP/1.1\r\nHo")
        guard case .headBegins = reading.nextStep() else { return XCTFail("first byte") }
        reading.state = .readingHead
        guard case .wait = reading.nextStep() else { return XCTFail("incomplete head") }
        reading.input += Array("st: x\r\n\r\nGET /b".utf8)
        guard case .head(let head) = reading.nextStep() else { return XCTFail("complete head") }
        XCTAssertEqual(head.path, "/a")
        XCTAssertEqual(String(decoding: reading.input, as: UTF8.self), "GET /b", "the next request stays")
    }

    /// A head that arrives whole is parsed without a parser the connection
    /// keeps; whatever else happens to one is what a kept parser makes of it.
    func testAHeadThatArrivesWholeGivesTheSameStepsAsOneInPieces() {
        let whole = connection(.readingHead, input: "GET /a?q HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n")
        guard case .head(let head) = whole.nextStep() else { return XCTFail("whole head") }
        XCTAssertEqual([head.path, head.query, head.headers["accept"]], ["/a", "q", "*/*"])
        XCTAssertTrue(whole.input.isEmpty)
        XCTAssertNil(whole.request.method, "no parser is left behind")

        let afterEmptyLines = connection(.readingHead, input: "\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .head(let second) = afterEmptyLines.nextStep() else { return XCTFail("empty lines first") }
        XCTAssertEqual(second.path, "/b")

        // An error's answer to HEAD has no body: the method is still known.
        let failed = connection(.readingHead, input: "HEAD /a HTTP/1.1\r\nHost: a/b\r\n\r\n")
        guard case .badHead(let status) = failed.nextStep() else { return XCTFail("bad Host") }
        XCTAssertEqual(status, 400)
        XCTAssertEqual(failed.request.method, "HEAD")

        let bare = connection(.readingHead, input: "GET /c HTTP/1.1\n\n")
        guard case .badHead(let missingHost) = bare.nextStep() else { return XCTFail("LF only, no Host") }
        XCTAssertEqual(missingHost, 400)
        XCTAssertEqual(bare.request.method, "GET")
    }

    func testAMalformedHeadIsA400() {
        let reading = connection(.readingHead, input: "GET /a HTTP/1.1\r\nBad Name: x\r\n\r\n")
        guard case .badHead(let status) = reading.nextStep() else { return XCTFail("malformed") }
        XCTAssertEqual(status, 400)
    }

    func testALengthBodyIsHandedOverAsItArrivesAndEndsOnItsLength() {
        let reception = BodyReception(head: head("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"),
                                      framing: .length(remaining: 5), consumer: Sink())
        let receiving = connection(.readingBody, input: "abc", body: reception)
        guard case .body(_, let ranges, let consumed, let end) = receiving.nextStep() else { return XCTFail("body") }
        XCTAssertEqual(ranges, [0..<3])
        XCTAssertEqual(consumed, 3)
        XCTAssertFalse(end)
        receiving.input = Array("deGET /".utf8)
        guard case .body(_, let rest, let restConsumed, let restEnd) = receiving.nextStep() else { return XCTFail("rest") }
        XCTAssertEqual(rest, [0..<2])
        XCTAssertEqual(restConsumed, 2)
        XCTAssertTrue(restEnd, "the body ends at its length; what follows is the next request")
    }

    func testABrokenChunkedBodyIsRefused() {
        let reception = BodyReception(head: head("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
                                      framing: .chunked(ChunkedDecoder()), consumer: Sink())
        let receiving = connection(.readingBody, input: "zz\r\n", body: reception)
        guard case .badBody(_, let status) = receiving.nextStep() else { return XCTFail("broken chunk") }
        XCTAssertEqual(status, 400)
    }

    func testASkippedBodySaysWhatIsLeftThenEnds() {
        let skipping = connection(.discardingBody, input: "abc", discarding: .length(remaining: 6))
        // What is left is a step: the loop records it and enters the state (`EventLoop.enter`), the connection does not.
        guard case .skipping(.length(let remaining)) = skipping.nextStep() else { return XCTFail("part of the body") }
        XCTAssertEqual(remaining, 3)
        XCTAssertTrue(skipping.input.isEmpty)
        guard case .length(6)? = skipping.request.bodyToDiscard else { return XCTFail("changed by a step: \(String(describing: skipping.request.bodyToDiscard))") }
        skipping.request.bodyToDiscard = .length(remaining: remaining)
        skipping.input = Array("defGET".utf8)
        guard case .skipped = skipping.nextStep() else { return XCTFail("the end of the body") }
        XCTAssertEqual(String(decoding: skipping.input, as: UTF8.self), "GET")
        let broken = connection(.discardingBody, input: "zz\r\n", discarding: .chunked(ChunkedDecoder()))
        guard case .badSkip = broken.nextStep() else { return XCTFail("malformed skipped body") }
    }

    func testEachStateNamesItsDeadline() {
        let expected: [(Connection.State, Connection.State.Deadline)] = [
            (.idle(kept: false), .header), (.idle(kept: true), .keepAlive), (.readingHead, .header),
            (.readingBody, .body), (.discardingBody, .keepAlive),
            (.awaitingUpstream, .upstream), (.writing, .send), (.lingering, .linger),
        ]
        for (state, deadline) in expected { XCTAssertEqual(state.deadline, deadline, "\(state)") }
        // Waiting on an upstream, or writing with nothing to receive, no bytes mean anything.
        for state in [Connection.State.awaitingUpstream, .writing, .lingering] {
            guard case .wait = connection(state, input: "GET / HTTP/1.1\r\n\r\n").nextStep() else { return XCTFail("\(state)") }
        }
    }

    /// A script that answered early still takes the rest of the body while
    /// its answer goes out: the body is the request's, whatever the phase.
    func testABodyIsReadWhileWritingWhenItsRequestStillReceivesOne() {
        let reception = BodyReception(head: head("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n"),
                                      framing: .length(remaining: 2), consumer: Sink())
        guard case .body(_, let ranges, _, let end) = connection(.writing, input: "ab", body: reception).nextStep() else {
            return XCTFail("the rest of the body while writing")
        }
        XCTAssertEqual(ranges, [0..<2])
        XCTAssertTrue(end)
    }
}
