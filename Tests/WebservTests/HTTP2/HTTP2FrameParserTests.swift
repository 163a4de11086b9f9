import XCTest
@testable import webserv

/// The frame parser alone: the preface, frames in any pieces, the size limit.
final class HTTP2FrameParserTests: XCTestCase {
    typealias Peer = HTTP2TestPeer

    /// Every frame of `bytes` fed in pieces of `size`, and how parsing stopped.
    private func parse(_ bytes: [UInt8], pieces size: Int, maxFrameSize: Int = 16_384) -> (frames: [Peer.Frame], failure: HTTP2ErrorCode?) {
        var parser = HTTP2FrameParser(maxFrameSize: maxFrameSize)
        var frames: [Peer.Frame] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            parser.feed(bytes[start..<end])
            start = end
            while true {
                switch parser.next() {
                case .frame(let header, let payload):
                    frames.append(Peer.Frame(type: header.type.rawValue, flags: header.flags.rawValue, stream: header.streamID, payload: Array(payload)))
                    continue
                case .needMore:
                    break
                case .failed(let code):
                    return (frames, code)
                }
                break
            }
        }
        XCTAssertLessThan(parser.bufferedCount, 9 + maxFrameSize)
        return (frames, nil)
    }

    func testFramesComeOutTheSameWhateverThePieces() {
        let bytes = http2ClientPreface + Peer.settings(Peer.setting(0x3, 100)) + Peer.data(1, Array(0..<200), endStream: true)
            + Peer.ping() + Peer.frame(0x1, 0x4, 3, []) + Peer.windowUpdate(0, 7)
        let whole = parse(bytes, pieces: bytes.count)
        XCTAssertEqual(whole.frames.map(\.type), [0x4, 0x0, 0x6, 0x1, 0x8])
        XCTAssertEqual(whole.frames[1].payload, Array(0..<200))
        XCTAssertNil(whole.failure)
        for size in [1, 2, 3, 8, 9, 10, 24, 25, 33, 100] {
            let split = parse(bytes, pieces: size)
            XCTAssertEqual(split.frames, whole.frames, "pieces of \(size)")
            XCTAssertNil(split.failure)
        }
    }

    func testAWrongPrefaceFailsAtItsFirstWrongByte() {
        let result = parse(Array("PRI * HTTP/1.1\r\n".utf8), pieces: 1)
        XCTAssertEqual(result.failure, .protocolError)
        XCTAssertEqual(parse(Array("GET / HTTP/1.1\r\n\r\n".utf8), pieces: 3).failure, .protocolError)
        XCTAssertNil(parse(Array(http2ClientPreface.prefix(20)), pieces: 1).failure, "a right beginning waits for the rest")
    }

    func testAFrameLongerThanTheMaxFrameSizeFailsOnItsHeader() {
        let header = Array(Peer.data(1, [UInt8](repeating: 0, count: 16_385)).prefix(9))
        XCTAssertEqual(parse(http2ClientPreface + header, pieces: 5).failure, .frameSizeError)
        XCTAssertNil(parse(http2ClientPreface + Peer.data(1, [UInt8](repeating: 0, count: 16_385)), pieces: 1000, maxFrameSize: 20_000).failure)
    }

    func testTheEncoderWritesWhatTheParserReads() {
        var out: [UInt8] = []
        HTTP2FrameEncoder.appendSettings([(0x4, 70_000)], into: &out)
        HTTP2FrameEncoder.appendGoAway(lastStreamID: 7, code: .enhanceYourCalm, into: &out)
        HTTP2FrameEncoder.appendRSTStream(streamID: 3, code: .cancel, into: &out)
        HTTP2FrameEncoder.appendHeaderBlock(streamID: 5, Array(repeating: 1, count: 40)[...], endStream: true, maxFrameSize: 16, into: &out)
        let frames = parse(http2ClientPreface + out, pieces: 7).frames
        XCTAssertEqual(frames, [
            Peer.Frame(type: 0x4, flags: 0, stream: 0, payload: Peer.setting(0x4, 70_000)),
            Peer.Frame(type: 0x7, flags: 0, stream: 0, payload: Peer.uint32(7) + Peer.uint32(0xB)),
            Peer.Frame(type: 0x3, flags: 0, stream: 3, payload: Peer.uint32(8)),
            Peer.Frame(type: 0x1, flags: 0x1, stream: 5, payload: Array(repeating: 1, count: 16)),
            Peer.Frame(type: 0x9, flags: 0, stream: 5, payload: Array(repeating: 1, count: 16)),
            Peer.Frame(type: 0x9, flags: 0x4, stream: 5, payload: Array(repeating: 1, count: 8)),
        ])
    }
}
