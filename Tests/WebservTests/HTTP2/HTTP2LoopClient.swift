import Glibc
import XCTest
@testable import webserv

/// An HTTP/2 client of an in-process loop (`LoopHarness`, on an address with
/// `http2`): frames written by hand as `HTTP2TestPeer` writes them, what the
/// server wrote read back into frames, header blocks decoded in the order
/// they came (one HPACK table per connection). Time is the harness's.
struct HTTP2LoopClient {
    struct Frame {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]
        /// A HEADERS frame's fields (its CONTINUATIONs joined), decoded.
        var fields: [(String, String)] = []

        var endsStream: Bool { flags & 0x1 != 0 }
        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
    }

    let loop: LoopHarness
    let client: Int32
    private var encoder = HPACKEncoder()
    private var decoder = HPACKDecoder(maxHeaderListSize: 1 << 20)
    private var parser = HTTP2FrameParser(maxFrameSize: HTTP2Protocol.largestMaxFrameSize, expectsPreface: false)
    /// Every frame read so far, in order.
    private(set) var frames: [Frame] = []

    /// Connects, sends the preface, an empty SETTINGS and the ACK of the server's.
    init(_ loop: LoopHarness, settings: [UInt8] = []) {
        self.loop = loop
        client = loop.connect().client
        loop.send(client, http2ClientPreface + HTTP2TestPeer.settings(settings) + HTTP2TestPeer.frame(0x4, 0x1, 0, []))
    }

    func close() { Glibc.close(client) }

    /// A request's HEADERS (END_STREAM unless a body follows).
    mutating func request(_ stream: UInt32, _ method: String = "GET", _ path: String, fields: [(String, String)] = [], endStream: Bool = true) {
        var block: [UInt8] = []
        let list = [HPACKHeaderField(":method", method), HPACKHeaderField(":scheme", "http"), HPACKHeaderField(":path", path),
                    HPACKHeaderField(":authority", "localhost")] + fields.map { HPACKHeaderField($0.0, $0.1) }
        encoder.encode(list, into: &block)
        loop.send(client, HTTP2TestPeer.frame(0x1, (endStream ? 0x1 : 0) | 0x4, stream, block))
    }

    func send(_ bytes: [UInt8]) { loop.send(client, bytes) }

    /// Reads what the server wrote (the loop turning meanwhile) into frames; returns the new ones.
    @discardableResult
    mutating func read(limit: Int = .max) -> [Frame] {
        parser.feed(loop.receive(client, limit: limit)[...])
        var taken: [Frame] = []
        var pending: Frame?
        parsing: while true {
            switch parser.next() {
            case .frame(let header, let payload):
                var frame = Frame(type: header.type.rawValue, flags: header.flags.rawValue, stream: header.streamID, payload: Array(payload))
                if frame.type == 0x1 || frame.type == 0x9 {
                    // A header block: gathered up to END_HEADERS, then decoded.
                    if frame.type == 0x9, var head = pending {
                        head.payload += frame.payload
                        head.flags |= frame.flags & 0x4
                        frame = head
                    }
                    guard frame.flags & 0x4 != 0 else { pending = frame; continue }
                    pending = nil
                    frame.fields = ((try? decoder.decode(frame.payload[...])) ?? []).map {
                        (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
                    }
                }
                taken.append(frame)
            case .needMore:
                break parsing
            case .failed(let code):
                XCTFail("the server wrote a frame the parser refuses: \(code)")
                break parsing
            }
        }
        frames += taken
        return taken
    }

    /// The frames read on a stream.
    func frames(on stream: UInt32) -> [Frame] { frames.filter { $0.stream == stream } }
}
