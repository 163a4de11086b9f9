import XCTest
@testable import webserv

/// The HTTP/2 encoder of a filtered `Response`: its fields as HEADERS
/// carries them, and, through the session, `:status` first, names in lower
/// case, no HTTP/1.1 connection field, Content-Length only where HTTP/1.1 sends it.
final class HTTP2EncoderTests: XCTestCase {
    private func names(_ fields: [HPACKHeaderField]) -> [String] { fields.map { String(decoding: $0.name, as: UTF8.self) } }
    private func value(_ fields: [HPACKHeaderField], _ name: String) -> String? {
        fields.first { $0.name == Array(name.utf8) }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    func testABodyOfBytesHasItsLengthAndTheFieldsInLowerCase() {
        let response = Response(status: 200, headers: [("Content-Type", "text/plain"), ("X-Custom", "Yes")], body: .bytes(Array("hello".utf8)))
        let fields = HTTP2Encoder.fields(response, date: "Mon, 07 Dec 2026 22:00:00 GMT")
        XCTAssertEqual(names(fields), ["server", "date", "content-type", "x-custom", "content-length"])
        XCTAssertEqual(value(fields, "content-length"), "5")
        XCTAssertEqual(value(fields, "x-custom"), "Yes")
    }

    func testNoLengthFor304ForAStreamedBodyOrOneOfUnknownLength() {
        XCTAssertNil(value(HTTP2Encoder.fields(Response(status: 304), date: "d"), "content-length"))
        XCTAssertNil(value(HTTP2Encoder.fields(Response(status: 204), date: "d"), "content-length"))
        var streamed = Response(status: 200, headers: [("Content-Type", "text/plain")])
        streamed.streamed = true
        XCTAssertNil(value(HTTP2Encoder.fields(streamed, date: "d"), "content-length"))
        var compressed = Response(status: 200, body: .bytes([1, 2, 3]))
        compressed.lengthUnknown = true
        XCTAssertNil(value(HTTP2Encoder.fields(compressed, date: "d"), "content-length"))
    }

    func testACachedFilesEncodedLinesAreDecodedWithoutTheirOwnLength() {
        let lines = Array("Content-Type: text/html\r\nLast-Modified: x\r\nContent-Length: 5\r\n".utf8)
        let response = Response(status: 200, body: .bytes(Array("hello".utf8)), encodedHeaders: lines, encodedLength: true)
        let fields = HTTP2Encoder.fields(response, date: "d")
        XCTAssertEqual(names(fields), ["server", "date", "content-type", "last-modified", "content-length"])
        XCTAssertEqual(value(fields, "content-length"), "5")
    }

    func testTheSessionPutsStatusFirstAndDropsConnectionFields() throws {
        var session = HTTP2Session()
        var events: [HTTP2Session.Event] = []
        var client = HPACKEncoder()
        var block: [UInt8] = []
        client.encode([HPACKHeaderField(name: Array(":method".utf8), value: Array("GET".utf8)),
                       HPACKHeaderField(name: Array(":scheme".utf8), value: Array("http".utf8)),
                       HPACKHeaderField(name: Array(":path".utf8), value: Array("/".utf8))], into: &block)
        var input = HTTP2Connection.preface
        HTTP2FrameEncoder.appendSettings([], into: &input)
        HTTP2FrameEncoder.appendHeaderBlock(streamID: 1, block[...], endStream: true, maxFrameSize: 16_384, into: &input)
        session.receive(input[...], into: &events)
        session.written(session.output.count)
        let response = Response(status: 200, headers: [("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
                                                       ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"), ("ETag", "\"1\"")])
        XCTAssertTrue(session.sendHead(stream: 1, status: 404, fields: HTTP2Encoder.fields(response, date: "d"), endStream: true))
        // The HEADERS frame's block, decoded as a client would.
        let frame = session.output
        let length = Int(frame[0]) << 16 | Int(frame[1]) << 8 | Int(frame[2])
        var decoder = HPACKDecoder(maxHeaderListSize: 65_536)
        let decoded = try decoder.decode(frame[9..<(9 + length)])
        XCTAssertEqual(decoded.map { String(decoding: $0.name, as: UTF8.self) }, [":status", "server", "date", "etag", "content-length"])
        XCTAssertEqual(String(decoding: decoded[0].value, as: UTF8.self), "404")
    }
}
