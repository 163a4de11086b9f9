import Foundation
import Glibc
import XCTest
@testable import webserv

/// The HTTP/2 driver in-process, frame by frame on the test's clock: how an
/// answer ends (END_STREAM on HEADERS when there is no body, nginx's
/// header_only), the Date it carries, trailers, and the `http2_*` limits,
/// `keepalive_requests` and `keepalive_timeout` of a connection.
final class HTTP2LoopTests: XCTestCase {
    private func harness(_ server: String = "", http: String = "", files: [String: [UInt8]] = [:]) throws -> LoopHarness {
        var files = files
        files["www/a.txt"] = files["www/a.txt"] ?? Array("hello\n".utf8)
        files["www/empty.txt"] = []
        return try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            \(http)
            server {
                listen 127.0.0.1:PORT http2;
                root DIR/www;
                location = /nc { return 204; }
                \(server)
            }
        }
        """, files: files)
    }

    private static let settingsType: UInt8 = 0x4, dataType: UInt8 = 0x0, headersType: UInt8 = 0x1
    private static let resetType: UInt8 = 0x3, goAwayType: UInt8 = 0x7

    private func code(_ frame: HTTP2LoopClient.Frame) -> UInt32 {
        let bytes = frame.type == HTTP2LoopTests.goAwayType ? frame.payload.dropFirst(4) : frame.payload[...]
        return bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A stream's body: its DATA frames' payloads joined.
    private func body(_ client: HTTP2LoopClient, _ stream: UInt32) -> [UInt8] {
        Array(client.frames(on: stream).filter { $0.type == HTTP2LoopTests.dataType }.map(\.payload).joined())
    }

    private func lastStream(_ frame: HTTP2LoopClient.Frame) -> UInt32 { frame.payload.prefix(4).reduce(0) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF }

    /// The server's own SETTINGS (not the ACK): id → value.
    private func serverSettings(_ client: HTTP2LoopClient) -> [UInt16: UInt32] {
        guard let frame = client.frames.first(where: { $0.type == HTTP2LoopTests.settingsType && $0.flags & 0x1 == 0 }) else { return [:] }
        var settings: [UInt16: UInt32] = [:]
        var index = 0
        while index + 6 <= frame.payload.count {
            let id = UInt16(frame.payload[index]) << 8 | UInt16(frame.payload[index + 1])
            settings[id] = frame.payload[(index + 2)..<(index + 6)].reduce(0) { $0 << 8 | UInt32($1) }
            index += 6
        }
        return settings
    }

    // MARK: How an answer ends

    func testHeadA304A204AndAnEmptyFileEndTheStreamOnTheirHeadersFrame() throws {
        let loop = try harness()
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        client.request(1, "GET", "/a.txt")
        client.read()
        let get = client.frames(on: 1)
        XCTAssertEqual(get.first?.field(":status"), "200")
        XCTAssertEqual(get.first?.endsStream, false, "a body follows its HEADERS")
        XCTAssertEqual(get.last?.type, HTTP2LoopTests.dataType)
        XCTAssertEqual(get.last?.endsStream, true)
        let modified = try XCTUnwrap(get.first?.field("last-modified"))
        client.request(3, "HEAD", "/a.txt")
        client.request(5, "GET", "/a.txt", fields: [("if-modified-since", modified)])
        client.request(7, "GET", "/nc")
        client.request(9, "GET", "/empty.txt")
        client.read()
        for (stream, status) in [(3, "200"), (5, "304"), (7, "204"), (9, "200")] as [(UInt32, String)] {
            let frames = client.frames(on: stream)
            XCTAssertEqual(frames.map(\.type), [HTTP2LoopTests.headersType], "stream \(stream): one HEADERS frame and nothing after it")
            XCTAssertEqual(frames.first?.field(":status"), status, "stream \(stream)")
            XCTAssertEqual(frames.first?.endsStream, true, "stream \(stream): END_STREAM on the HEADERS frame")
        }
        XCTAssertEqual(client.frames(on: 3).first?.field("content-length"), "6", "HEAD keeps GET's fields")
        // The connection goes on.
        client.request(11, "GET", "/a.txt")
        client.read()
        XCTAssertEqual(client.frames(on: 11).first?.field(":status"), "200")
        XCTAssertEqual(body(client, 11), Array("hello\n".utf8))
    }

    func testTheDateIsTheLoopsCachedOneAsHTTP11s() throws {
        let loop = try harness()
        let fake = "Sat, 01 Jan 2000 00:00:00 GMT"
        for attempt in 0..<3 {
            // The cache holds this second's value; a second that passes meanwhile makes it due again, and the test tries once more.
            let second = Clock.wallSeconds()
            loop.loop.connections.dateCache = (second, Array((fake + "\r\n").utf8))
            var client = HTTP2LoopClient(loop)
            defer { client.close() }
            client.request(1, "GET", "/a.txt")
            client.read()
            guard Clock.wallSeconds() == second else { continue }
            XCTAssertEqual(client.frames(on: 1).first?.field("date"), fake, "attempt \(attempt)")
            return
        }
        XCTFail("three seconds passed in three tries")
    }

    // MARK: Trailers (add_trailer)

    func testTrailersFollowTheBodyInAHeadersFrameThatEndsTheStream() throws {
        let loop = try harness("""
            add_trailer X-Trailer done;
            add_trailer X-Uri $uri always;
            location /quiet/ { add_trailer X-Empty $arg_none; }
            """, files: ["www/quiet/q.txt": Array("q".utf8)])
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        client.request(1, "GET", "/a.txt")
        client.request(3, "GET", "/empty.txt")
        client.request(5, "GET", "/missing")
        client.request(7, "HEAD", "/a.txt")
        client.request(9, "GET", "/quiet/q.txt")
        client.read()
        let file = client.frames(on: 1)
        XCTAssertEqual(file.map(\.type), [HTTP2LoopTests.headersType, HTTP2LoopTests.dataType, HTTP2LoopTests.headersType])
        XCTAssertEqual(file[0].field("content-length"), "6", "HTTP/2 keeps the length")
        XCTAssertFalse(file[1].endsStream)
        XCTAssertTrue(file[2].endsStream)
        XCTAssertEqual(file[2].fields.map(\.0), ["x-trailer", "x-uri"])
        XCTAssertEqual(file[2].field("x-uri"), "/a.txt")
        // No body: HEADERS, then the trailers end the stream (nginx: content_length_n == 0 && !expect_trailers).
        let empty = client.frames(on: 3)
        XCTAssertEqual(empty.map(\.type), [HTTP2LoopTests.headersType, HTTP2LoopTests.headersType])
        XCTAssertEqual(empty.map(\.endsStream), [false, true])
        // A 404: only the `always` one.
        let missing = client.frames(on: 5)
        XCTAssertEqual(missing.last?.fields.map(\.0), ["x-uri"])
        XCTAssertEqual(missing.last?.endsStream, true)
        // HEAD: header_only, no trailers.
        XCTAssertEqual(client.frames(on: 7).map(\.type), [HTTP2LoopTests.headersType])
        XCTAssertEqual(client.frames(on: 7).first?.endsStream, true)
        // Only an empty value there: no trailers frame, a DATA frame ends the stream.
        let quiet = client.frames(on: 9)
        XCTAssertEqual(quiet.filter { $0.type == HTTP2LoopTests.headersType }.count, 1)
        XCTAssertEqual(quiet.last?.type, HTTP2LoopTests.dataType)
        XCTAssertEqual(quiet.last?.endsStream, true)
        XCTAssertEqual(body(client, 9), Array("q".utf8))
    }

    // MARK: Limits

    func testMaxConcurrentStreamsIsAnnouncedAndAStreamPastItIsRefused() throws {
        let loop = try harness(http: "http2_max_concurrent_streams 2;")
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        // Three HEADERS in one write: the third finds two streams open.
        var block: [UInt8] = []
        var encoder = HPACKEncoder()
        var bytes: [UInt8] = []
        for stream in [1, 3, 5] as [UInt32] {
            block.removeAll()
            encoder.encode([HPACKHeaderField(":method", "GET"), HPACKHeaderField(":scheme", "http"), HPACKHeaderField(":path", "/a.txt"),
                            HPACKHeaderField(":authority", "localhost")], into: &block)
            bytes += HTTP2TestPeer.frame(0x1, 0x5, stream, block)
        }
        client.send(bytes)
        client.read()
        XCTAssertEqual(serverSettings(client)[0x3], 2, "SETTINGS_MAX_CONCURRENT_STREAMS")
        XCTAssertEqual(client.frames(on: 1).first?.field(":status"), "200")
        XCTAssertEqual(client.frames(on: 3).first?.field(":status"), "200")
        let refused = client.frames(on: 5)
        XCTAssertEqual(refused.map(\.type), [HTTP2LoopTests.resetType])
        XCTAssertEqual(refused.first.map(code), 0x7, "REFUSED_STREAM")
        XCTAssertFalse(client.frames.contains { $0.type == HTTP2LoopTests.goAwayType })
    }

    func testBodyPrereadSizeIsTheInitialWindowOfEveryStream() throws {
        let loop = try harness("http2_body_preread_size 16k;")
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        client.read()
        XCTAssertEqual(serverSettings(client)[0x4], 16_384, "SETTINGS_INITIAL_WINDOW_SIZE")
        let plain = try harness()
        var other = HTTP2LoopClient(plain)
        defer { other.close() }
        other.read()
        XCTAssertEqual(serverSettings(other)[0x4], 65_536, "nginx's 64k by default")
    }

    func testChunkSizeBoundsTheDataFramesOfAnAnswer() throws {
        let large = (0..<20_000).map { UInt8($0 % 251) }
        let loop = try harness("location /small/ { http2_chunk_size 1k; }", files: ["www/small/large.bin": large, "www/large.bin": large])
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        client.request(1, "GET", "/small/large.bin")
        client.request(3, "GET", "/large.bin")
        client.read()
        let small = client.frames(on: 1).filter { $0.type == HTTP2LoopTests.dataType }
        XCTAssertEqual(small.map(\.payload.count).max(), 1024)
        XCTAssertEqual(Array(small.map(\.payload).joined()), large)
        let plain = client.frames(on: 3).filter { $0.type == HTTP2LoopTests.dataType }
        XCTAssertEqual(plain.map(\.payload.count).max(), 8192, "nginx's 8k by default")
        XCTAssertEqual(Array(plain.map(\.payload).joined()), large)
    }

    func testKeepaliveRequestsSendsGoAwayWithTheLastStreamItTookAndThoseFinish() throws {
        let loop = try harness(http: "keepalive_requests 2;")
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        client.request(1, "GET", "/a.txt")
        client.request(3, "GET", "/a.txt")
        client.request(5, "GET", "/a.txt")
        client.read()
        XCTAssertEqual(body(client, 1), Array("hello\n".utf8))
        XCTAssertEqual(body(client, 3), Array("hello\n".utf8))
        let goAway = try XCTUnwrap(client.frames.first { $0.type == HTTP2LoopTests.goAwayType })
        XCTAssertEqual(lastStream(goAway), 3, "GOAWAY names the second request")
        XCTAssertEqual(code(goAway), 0, "NO_ERROR")
        XCTAssertEqual(client.frames(on: 5).map(\.type), [HTTP2LoopTests.resetType], "the third is refused")
        XCTAssertEqual(client.frames(on: 5).first.map(code), 0x7)
        XCTAssertTrue(loop.isClosed(client.client), "the connection closes once its streams are done")
    }

    func testKeepaliveTimeoutIsTheIdleLimitOfAConnection() throws {
        let loop = try harness(http: "keepalive_timeout 5s; client_header_timeout 60s;")
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        client.request(1, "GET", "/a.txt")
        client.read()
        XCTAssertEqual(client.frames(on: 1).last?.endsStream, true)
        loop.advance(milliseconds: 4_000)
        client.read()
        XCTAssertFalse(client.frames.contains { $0.type == HTTP2LoopTests.goAwayType }, "still within keepalive_timeout")
        loop.advance(milliseconds: 2_000)
        client.read()
        let goAway = try XCTUnwrap(client.frames.first { $0.type == HTTP2LoopTests.goAwayType }, "past keepalive_timeout")
        XCTAssertEqual(lastStream(goAway), 1)
        XCTAssertTrue(loop.isClosed(client.client))
    }

    func testAHeaderListOverLargeClientHeaderBuffersIsEnhanceYourCalmAsNginxs() throws {
        let loop = try harness(http: "large_client_header_buffers 4 2k;")
        let field = String(repeating: "b", count: 1_900)
        var client = HTTP2LoopClient(loop)
        defer { client.close() }
        // 4 × 2k = 8k of decoded list: three fields of 1,900 bytes pass, five do not.
        client.request(1, "GET", "/a.txt", fields: (0..<3).map { ("x-big-\($0)", field) })
        client.read()
        XCTAssertEqual(client.frames(on: 1).first?.field(":status"), "200")
        client.request(3, "GET", "/a.txt", fields: (0..<5).map { ("x-big-\($0)", field) })
        client.read()
        let goAway = try XCTUnwrap(client.frames.first { $0.type == HTTP2LoopTests.goAwayType })
        XCTAssertEqual(code(goAway), 0xB, "ENHANCE_YOUR_CALM, nginx's \"client sent too large header\"")
        XCTAssertTrue(loop.isClosed(client.client))
        // One value longer than a buffer (2k), though the list has room: nginx's "too large header field".
        var other = HTTP2LoopClient(loop)
        defer { other.close() }
        other.request(1, "GET", "/a.txt", fields: [("x-long", String(repeating: "c", count: 3_000))])
        other.read()
        XCTAssertEqual(other.frames.first { $0.type == HTTP2LoopTests.goAwayType }.map(code), 0xB)
    }
}
