import XCTest
import ConfLang
@testable import webserv

/// The output pipeline's pure parts: the header filters decide, the HTTP/1
/// encoder writes the head and frames the body.
final class OutputPipelineTests: XCTestCase {
    private func location(_ directives: String = "") -> ResolvedLocation {
        let text = "events { }\nhttp { server { listen 80; root /srv/www; \(directives) } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined())
        return Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv")).servers[0].base
    }

    private func head(_ text: String) -> RequestHead {
        let parser = RequestParser(limits: RequestLimits())
        guard case .head = parser.parse(Array(text.utf8)), let head = parser.head else { fatalError("test head") }
        return head
    }

    /// Runs the header filters; what they decided.
    private func filter(_ response: inout Response, _ head: RequestHead?, _ location: ResolvedLocation, listening: Bool = true,
                        transport: Transport = Transport(fd: -1)) -> OutputDecision {
        var decision = OutputDecision(keepAlive: true, listening: listening)
        HeaderFilters.run(&response, head: head, location: location, transport: transport, &decision)
        return decision
    }

    private func encode(_ response: Response, _ context: OutputDecision) -> String {
        var bytes: [UInt8] = []
        HTTP1Encoder.appendHead(response, chunked: context.chunked, keepAlive: context.keepAlive, date: Array("D\r\n".utf8), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private let get11 = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"

    func testAStreamedBodyOfUnknownLengthIsChunkedForHTTP11AndClosesForHTTP10() {
        let location = location()
        var response = Response(status: 200, headers: [("Content-Type", "text/plain")])
        response.streamed = true
        response.lengthUnknown = true
        var streamed = response
        let modern = filter(&streamed, head(get11), location)
        XCTAssertTrue(modern.chunked)
        XCTAssertTrue(modern.keepAlive)
        XCTAssertEqual(encode(streamed, modern), "HTTP/1.1 200 OK\r\nServer: webserv\r\nDate: D\r\nContent-Type: text/plain\r\n"
                       + "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
        streamed = response
        let old = filter(&streamed, head("GET / HTTP/1.0\r\n\r\n"), location)
        XCTAssertFalse(old.chunked)
        XCTAssertFalse(old.keepAlive, "HTTP/1.0: the end of the body is the end of the connection")
        // A streamed body whose length its fields give is neither chunked nor given a second length.
        var known = Response(status: 200, headers: [("Content-Length", "5")])
        known.streamed = true
        let plain = filter(&known, head(get11), location)
        XCTAssertFalse(plain.chunked)
        XCTAssertEqual(encode(known, plain), "HTTP/1.1 200 OK\r\nServer: webserv\r\nDate: D\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n")
    }

    func testTheBodyIsFramedByTheEncoderWithTheOneChunkedEncoder() {
        var chunked: [UInt8] = []
        HTTP1Encoder.appendBody(Array("hello".utf8)[...], chunked: true, to: &chunked)
        HTTP1Encoder.appendEnd(chunked: true, to: &chunked)
        XCTAssertEqual(String(decoding: chunked, as: UTF8.self), "5\r\nhello\r\n0\r\n\r\n")
        var plain: [UInt8] = []
        HTTP1Encoder.appendBody(Array("hello".utf8)[...], chunked: false, to: &plain)
        HTTP1Encoder.appendEnd(chunked: false, to: &plain)
        XCTAssertEqual(String(decoding: plain, as: UTF8.self), "hello")
    }

    func testKeepAliveIsTurnedOffByATimeoutOfZeroOrAnAddressNoLongerListenedOn() {
        var response = Response(status: 200)
        let off = filter(&response, head(get11), location("keepalive_timeout 0;"))
        XCTAssertFalse(off.keepAlive)
        let dropped = filter(&response, head(get11), location(), listening: false)
        XCTAssertFalse(dropped.keepAlive)
        let kept = filter(&response, head(get11), location())
        XCTAssertTrue(kept.keepAlive)
    }

    func testCharsetAndAbsoluteLocation() throws {
        var page = Response(status: 200, headers: [("Content-Type", "text/html")])
        _ = filter(&page, head(get11), location("charset utf-8;"))
        XCTAssertEqual(page.headers.first?.value, "text/html; charset=utf-8")
        // The port is the one the client reached: a bound socket's, read through the transport.
        let bound = try Socket.listen(on: Values.ListenAddress(host: "127.0.0.1", port: 0))
        defer { Socket.close(bound.fd) }
        var redirect = Response(status: 301, headers: [("Location", "/dir/")])
        _ = filter(&redirect, head(get11), location(), transport: Transport(fd: bound.fd))
        XCTAssertEqual(redirect.headers.first?.value, "http://example.com:\(bound.port)/dir/")
    }

    func testACharsetToAddMovesPreparedHeadLinesToTheGeneralPath() {
        // A cached file's prepared lines, Content-Length last, as StaticFileHandler makes them.
        let lines = Array("Content-Type: text/html\r\nETag: \"1\"\r\nContent-Length: 4\r\n".utf8)
        var prepared = Response(status: 200, body: .bytes(Array("body".utf8)), encodedHeaders: lines, encodedLength: true)
        var untouched = prepared
        _ = filter(&untouched, head(get11), location())
        XCTAssertEqual(untouched.encodedHeaders, lines, "no filter changes them: the fast path stays")
        let withCharset = filter(&prepared, head(get11), location("charset utf-8;"))
        XCTAssertTrue(prepared.encodedHeaders.isEmpty)
        XCTAssertEqual(encode(prepared, withCharset), "HTTP/1.1 200 OK\r\nServer: webserv\r\nDate: D\r\nContent-Type: text/html; charset=utf-8\r\n"
                       + "ETag: \"1\"\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\n")
    }
}
