import XCTest
@testable import webserv

/// A client's side of an HTTP/2 connection for the session's tests: frames
/// written by hand, byte by byte as RFC 9113 §4.1 lays them out, fed to an
/// `HTTP2Session`; what the session writes back read into frames again.
/// Header blocks are made by HPACK's encoder (so the tests hold for any
/// correct HPACK), except where a test needs a broken one.
struct HTTP2TestPeer {
    struct Frame: Equatable {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]

        var errorCode: UInt32? {
            switch type {
            case 0x3 where payload.count == 4: return UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3])
            case 0x7 where payload.count >= 8: return UInt32(payload[4]) << 24 | UInt32(payload[5]) << 16 | UInt32(payload[6]) << 8 | UInt32(payload[7])
            default: return nil
            }
        }
    }

    var session: HTTP2Session
    var events: [HTTP2Session.Event] = []
    /// Every frame the session wrote, in order.
    var frames: [Frame] = []
    private var encoder = HPACKEncoder()
    private var responseDecoder = HPACKDecoder(maxHeaderListSize: 1 << 20)

    /// A session that has read the client's preface and an empty SETTINGS (and
    /// acknowledged ours), as h2spec's handshake does; its own preface is read.
    init(limits: HTTP2Limits = HTTP2Limits(), handshake: Bool = true) {
        session = HTTP2Session(limits: limits)
        if handshake {
            send(http2ClientPreface + Self.frame(0x4, 0, 0, []) + Self.frame(0x4, 0x1, 0, []))
            takeFrames()
            events.removeAll()
        }
    }

    // MARK: Writing frames

    static func frame(_ type: UInt8, _ flags: UInt8, _ stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(payload.count >> 16 & 0xFF), UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF), type, flags,
         UInt8(stream >> 24 & 0xFF), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    static func uint32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func setting(_ id: UInt16, _ value: UInt32) -> [UInt8] {
        [UInt8(id >> 8), UInt8(id & 0xFF)] + uint32(value)
    }

    static let request = [HPACKHeaderField(":method", "GET"), HPACKHeaderField(":scheme", "https"),
                          HPACKHeaderField(":path", "/"), HPACKHeaderField(":authority", "localhost")]

    static func post(contentLength: Int? = nil) -> [HPACKHeaderField] {
        var fields = [HPACKHeaderField(":method", "POST"), HPACKHeaderField(":scheme", "https"),
                      HPACKHeaderField(":path", "/upload"), HPACKHeaderField(":authority", "localhost")]
        if let contentLength { fields.append(HPACKHeaderField("content-length", String(contentLength))) }
        return fields
    }

    /// A header block for `fields`, through the connection's HPACK encoder.
    mutating func block(_ fields: [HPACKHeaderField]) -> [UInt8] {
        var out: [UInt8] = []
        encoder.encode(fields, into: &out)
        return out
    }

    mutating func headers(_ stream: UInt32, _ fields: [HPACKHeaderField] = HTTP2TestPeer.request, endStream: Bool = true, endHeaders: Bool = true) -> [UInt8] {
        Self.frame(0x1, (endStream ? 0x1 : 0) | (endHeaders ? 0x4 : 0), stream, block(fields))
    }

    /// Feeds a HEADERS frame for `fields` (see `headers`).
    @discardableResult
    mutating func sendHeaders(_ stream: UInt32, _ fields: [HPACKHeaderField] = HTTP2TestPeer.request, endStream: Bool = true, endHeaders: Bool = true) -> [HTTP2Session.Event] {
        let bytes = headers(stream, fields, endStream: endStream, endHeaders: endHeaders)
        return send(bytes)
    }

    static func data(_ stream: UInt32, _ bytes: [UInt8], endStream: Bool = false) -> [UInt8] {
        frame(0x0, endStream ? 0x1 : 0, stream, bytes)
    }

    static func windowUpdate(_ stream: UInt32, _ increment: UInt32) -> [UInt8] { frame(0x8, 0, stream, uint32(increment)) }
    static func rstStream(_ stream: UInt32, _ code: UInt32 = 0x8) -> [UInt8] { frame(0x3, 0, stream, uint32(code)) }
    static func ping(_ opaque: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]) -> [UInt8] { frame(0x6, 0, 0, opaque) }
    static func settings(_ values: [UInt8] = []) -> [UInt8] { frame(0x4, 0, 0, values) }
    static func priority(_ stream: UInt32, dependsOn: UInt32) -> [UInt8] { frame(0x2, 0, stream, uint32(dependsOn) + [15]) }

    // MARK: Feeding and reading back

    /// Feeds the bytes at once; returns the events they gave.
    @discardableResult
    mutating func send(_ bytes: [UInt8]) -> [HTTP2Session.Event] {
        let before = events.count
        session.receive(bytes[...], into: &events)
        return Array(events[before...])
    }

    /// The frames written since the last call, parsed; the output is marked written.
    @discardableResult
    mutating func takeFrames() -> [Frame] {
        var parser = HTTP2FrameParser(maxFrameSize: HTTP2Protocol.largestMaxFrameSize, expectsPreface: false)
        parser.feed(session.output[...])
        var taken: [Frame] = []
        parsing: while true {
            switch parser.next() {
            case .frame(let header, let payload):
                taken.append(Frame(type: header.type.rawValue, flags: header.flags.rawValue, stream: header.streamID, payload: Array(payload)))
            case .needMore:
                break parsing
            case .failed(let code):
                XCTFail("the session wrote a frame its own parser refuses: \(code)")
                break parsing
            }
        }
        session.written(session.output.count)
        frames += taken
        return taken
    }

    /// The fields of a HEADERS frame the session wrote (CONTINUATIONs joined).
    mutating func decodeHead(_ payloads: [UInt8]) -> [HPACKHeaderField]? {
        try? responseDecoder.decode(payloads[...])
    }

    // MARK: What the session did

    /// It sent GOAWAY with the code and said it is closing.
    func assertConnectionError(_ code: HTTP2ErrorCode, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(frames.contains { $0.type == 0x7 && $0.errorCode == code.rawValue },
                      "expected GOAWAY \(code.rawValue), got frames \(frames.map { ($0.type, $0.stream, $0.errorCode as Any) })", file: file, line: line)
        XCTAssertTrue(events.contains(.closing(code)), "expected the closing event, got \(events)", file: file, line: line)
        XCTAssertTrue(session.finished, file: file, line: line)
    }

    /// It reset the stream with the code and kept the connection.
    func assertStreamError(_ stream: UInt32, _ code: HTTP2ErrorCode, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(frames.contains { $0.type == 0x3 && $0.stream == stream && $0.errorCode == code.rawValue },
                      "expected RST_STREAM \(code.rawValue) on \(stream), got frames \(frames.map { ($0.type, $0.stream, $0.errorCode as Any) })", file: file, line: line)
        XCTAssertFalse(frames.contains { $0.type == 0x7 }, "no GOAWAY expected", file: file, line: line)
        XCTAssertFalse(session.finished, file: file, line: line)
    }

    /// It is still there: a PING is answered with its bytes.
    mutating func assertAlive(file: StaticString = #filePath, line: UInt = #line) {
        let opaque: [UInt8] = [9, 8, 7, 6, 5, 4, 3, 2]
        send(Self.ping(opaque))
        let answer = takeFrames()
        XCTAssertTrue(answer.contains { $0.type == 0x6 && $0.flags == 0x1 && $0.payload == opaque },
                      "expected a PING ACK, got \(answer.map { ($0.type, $0.flags) })", file: file, line: line)
        XCTAssertFalse(frames.contains { $0.type == 0x7 }, "no GOAWAY expected", file: file, line: line)
    }
}
