import XCTest
import ConfLang
@testable import webserv

/// The gzip header filter's decision, as nginx's gzip filter and
/// ngx_http_gzip_ok make it, and the fields of the answers it compresses.
final class GzipFilterTests: XCTestCase {
    private func location(_ directives: String = "gzip on;") -> ResolvedLocation {
        let text = "events { }\nhttp { server { listen 80; root /srv/www; \(directives) } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined())
        return Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv")).servers[0].base
    }

    private func head(_ fields: String = "Accept-Encoding: gzip\r\n", method: String = "GET", version: String = "HTTP/1.1") -> RequestHead {
        let parser = RequestParser(limits: RequestLimits())
        guard case .head = parser.parse(Array("\(method) / \(version)\r\nHost: a\r\n\(fields)\r\n".utf8)), let head = parser.head else {
            fatalError("test head")
        }
        return head
    }

    private let page = Array(String(repeating: "<p>a page of text</p>\n", count: 40).utf8)

    private func answer(_ status: Int = 200, type: String = "text/html", extra: [(name: String, value: String)] = []) -> Response {
        Response(status: status, headers: [("Content-Type", type), ("ETag", "\"abc\""), ("Accept-Ranges", "bytes")] + extra,
                 body: .bytes(page))
    }

    private func filtered(_ response: Response, _ head: RequestHead?, _ location: ResolvedLocation) -> (Response, OutputDecision) {
        var response = response
        var decision = OutputDecision(keepAlive: true, listening: true)
        HeaderFilters.run(&response, head: head, location: location, transport: Transport(fd: -1), &decision)
        return (response, decision)
    }

    private func isCompressed(_ response: Response) -> Bool {
        response.headers.contains { $0.name == "Content-Encoding" && $0.value == "gzip" }
    }

    func testABodyInMemoryIsCompressedWholeWithItsFields() throws {
        let (response, decision) = filtered(answer(), head(), location())
        XCTAssertTrue(isCompressed(response))
        guard case .bytes(let body) = response.body else { return XCTFail("a body of bytes") }
        XCTAssertEqual(Gunzip.decompress(body), page)
        XCTAssertLessThan(body.count, page.count)
        XCTAssertNil(decision.gzip, "compressed already: nothing left for the body filter")
        XCTAssertFalse(decision.chunked, "its length is known: Content-Length")
        XCTAssertEqual(response.headers.first { $0.name == "ETag" }?.value, "W/\"abc\"", "a weak tag: the bytes differ")
        XCTAssertFalse(response.headers.contains { $0.name == "Accept-Ranges" }, "no ranges of compressed bytes")
        XCTAssertFalse(response.headers.contains { $0.name == "Vary" }, "gzip_vary is off")
    }

    func testWhatIsNotCompressed() {
        let gzip = location()
        let cases: [(String, Response, RequestHead?)] = [
            ("a 206", answer(206), head()),
            ("a 500", answer(500), head()),
            ("a 301", answer(301), head()),
            ("not a gzip type", answer(type: "text/css"), head()),
            ("no type", Response(status: 200, body: .bytes(page)), head()),
            ("already encoded", answer(extra: [("Content-Encoding", "br")]), head()),
            ("shorter than gzip_min_length", Response(status: 200, headers: [("Content-Type", "text/html")], body: .bytes(Array("short".utf8))), head()),
            ("no Accept-Encoding", answer(), head("")),
            ("gzip;q=0", answer(), head("Accept-Encoding: gzip;q=0, deflate\r\n")),
            ("HTTP/1.0 below gzip_http_version", answer(), head(version: "HTTP/1.0")),
            ("through a proxy, gzip_proxied off", answer(), head("Accept-Encoding: gzip\r\nVia: 1.1 cache\r\n")),
            ("refused before its head was whole", answer(400), nil),
        ]
        for (name, response, head) in cases {
            let (filtered, decision) = filtered(response, head, gzip)
            XCTAssertFalse(isCompressed(filtered), name)
            XCTAssertNil(decision.gzip, name)
        }
        XCTAssertFalse(isCompressed(filtered(answer(), head(), location("gzip off;")).0), "gzip off")
    }

    func testNginxsStatusesTypesAndVersions() {
        for status in [200, 403, 404] { XCTAssertTrue(isCompressed(filtered(answer(status), head(), location()).0), "\(status)") }
        let css = location("gzip on; gzip_types text/css application/json;")
        XCTAssertTrue(isCompressed(filtered(answer(type: "text/css; charset=utf-8"), head(), css).0))
        XCTAssertTrue(isCompressed(filtered(answer(type: "text/html"), head(), css).0), "text/html always")
        XCTAssertFalse(isCompressed(filtered(answer(type: "image/png"), head(), css).0))
        XCTAssertTrue(isCompressed(filtered(answer(type: "image/png"), head(), location("gzip on; gzip_types *;")).0))
        XCTAssertTrue(isCompressed(filtered(answer(), head(version: "HTTP/1.0"), location("gzip on; gzip_http_version 1.0;")).0))
        XCTAssertFalse(isCompressed(filtered(answer(), head(), location("gzip on; gzip_min_length 10k;")).0))
        let msie = head("Accept-Encoding: gzip\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)\r\n")
        XCTAssertFalse(isCompressed(filtered(answer(), msie, location("gzip on; gzip_disable msie6;")).0))
        XCTAssertTrue(isCompressed(filtered(answer(), msie, location()).0))
        XCTAssertTrue(GzipFilter.isMSIE6("Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)"))
        XCTAssertFalse(GzipFilter.isMSIE6("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"), "XP SP2's decompresses")
        XCTAssertFalse(GzipFilter.isMSIE6("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1)"))
    }

    func testVaryGoesOnEveryAnswerThatCouldBeCompressed() {
        let vary = location("gzip on; gzip_vary on;")
        for request in [head(), head("")] {
            let (response, _) = filtered(answer(), request, vary)
            XCTAssertEqual(response.headers.filter { $0.name == "Vary" }.map(\.value), ["Accept-Encoding"])
        }
        XCTAssertFalse(filtered(answer(type: "image/png"), head(), vary).0.headers.contains { $0.name == "Vary" }, "never compressed: no Vary")
    }

    func testGzipProxiedAsNginx() {
        func compressed(_ proxied: String, answerFields: [(name: String, value: String)] = [], auth: Bool = false) -> Bool {
            let request = head("Accept-Encoding: gzip\r\nVia: 1.1 proxy\r\n" + (auth ? "Authorization: Basic eDp5\r\n" : ""))
            return isCompressed(filtered(answer(extra: answerFields), request, location("gzip on; gzip_proxied \(proxied);")).0)
        }
        XCTAssertTrue(compressed("any"))
        XCTAssertFalse(compressed("off"))
        XCTAssertTrue(compressed("auth", auth: true))
        XCTAssertTrue(compressed("expired", answerFields: [("Expires", "Thu, 01 Jan 1970 00:00:01 GMT")]))
        XCTAssertFalse(compressed("expired", answerFields: [("Expires", "Thu, 31 Dec 2037 23:55:55 GMT")]))
        XCTAssertFalse(compressed("no-cache", answerFields: [("Expires", "Thu, 01 Jan 1970 00:00:01 GMT")]), "Expires decides alone")
        XCTAssertTrue(compressed("no-cache", answerFields: [("Cache-Control", "max-age=0, no-cache")]))
        XCTAssertTrue(compressed("private", answerFields: [("Cache-Control", "private")]))
        XCTAssertFalse(compressed("no-store", answerFields: [("Cache-Control", "private")]))
        XCTAssertFalse(compressed("no_etag"), "the answer has an ETag")
        XCTAssertTrue(compressed("no_last_modified"), "it has no Last-Modified")
        XCTAssertFalse(compressed("no_last_modified", answerFields: [("Last-Modified", "Thu, 01 Jan 1970 00:00:01 GMT")]))
        XCTAssertTrue(compressed("expired"), "neither Expires nor Cache-Control: nginx lets it through")
    }

    func testAStreamedOrFileBodyIsCompressedOnTheWayAndChunked() {
        var streamed = Response(status: 200, headers: [("Content-Type", "text/html"), ("Content-Length", "5000")])
        streamed.streamed = true
        let (response, decision) = filtered(streamed, head(), location())
        XCTAssertTrue(isCompressed(response))
        XCTAssertNotNil(decision.gzip)
        XCTAssertTrue(decision.chunked)
        XCTAssertFalse(response.headers.contains { $0.name == "Content-Length" }, "the upstream's length is not the compressed one")
        let (old, oldDecision) = filtered(streamed, head(version: "HTTP/1.0"), location("gzip on; gzip_http_version 1.0;"))
        XCTAssertTrue(isCompressed(old))
        XCTAssertFalse(oldDecision.chunked)
        XCTAssertFalse(oldDecision.keepAlive, "HTTP/1.0: the close ends it")
        var head11 = "", encoded: [UInt8] = []
        HTTP1Encoder.appendHead(old, chunked: false, keepAlive: false, date: Array("D\r\n".utf8), to: &encoded)
        head11 = String(decoding: encoded, as: UTF8.self)
        XCTAssertFalse(head11.contains("Content-Length"), head11)
        // HEAD: a GET's fields, no body to compress, nothing chunked.
        let (headAnswer, headDecision) = filtered(streamed, head(method: "HEAD"), location())
        XCTAssertTrue(isCompressed(headAnswer))
        XCTAssertNil(headDecision.gzip)
        XCTAssertFalse(headDecision.chunked)
    }

    func testBodyFiltersAreTheIdentityWithoutGzip() throws {
        let piece: ArraySlice<UInt8> = Array("abc".utf8)[...]
        XCTAssertEqual(BodyFilters.run(piece, last: false, gzip: nil), piece)
        let stream = try XCTUnwrap(GzipStream(level: 1))
        let compressed = BodyFilters.run(piece, last: false, gzip: stream) + BodyFilters.run([], last: true, gzip: stream)
        XCTAssertEqual(Gunzip.decompress(Array(compressed)), Array(piece))
    }
}
