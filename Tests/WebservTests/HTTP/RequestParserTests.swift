import XCTest
@testable import webserv

final class RequestParserTests: XCTestCase {
    /// Feeds the whole request at once and also one byte at a time; both must agree.
    private func parse(_ text: String, limits: RequestLimits = RequestLimits(), file: StaticString = #filePath, line: UInt = #line)
        -> (result: RequestParser.Result, head: RequestHead?) {
        let bytes = Array(text.utf8)
        let whole = RequestParser(limits: limits)
        let wholeResult = whole.parse(bytes)
        let piecewise = RequestParser(limits: limits)
        var buffer: [UInt8] = []
        var pieceResult = RequestParser.Result.needMore
        for byte in bytes {
            buffer.append(byte)
            pieceResult = piecewise.parse(buffer)
            if pieceResult != .needMore { break }
        }
        XCTAssertEqual(wholeResult, pieceResult, "byte-at-a-time parsing differs", file: file, line: line)
        return (wholeResult, whole.head)
    }

    private func status(_ text: String, limits: RequestLimits = RequestLimits(), line: UInt = #line) -> Int? {
        if case .error(let status) = parse(text, limits: limits, line: line).result { return status }
        return nil
    }

    /// As nginx's default `underscores_in_headers off`: such a field is
    /// dropped (so `X_Foo` cannot pass for `X-Foo` where both become
    /// `HTTP_X_FOO`), noted for the error log, and the request goes on.
    func testFieldNamesWithUnderscoresAreDropped() throws {
        let (result, head) = parse("GET / HTTP/1.1\r\nHost: h\r\nX_Foo: spoofed\r\nX-Foo: real\r\nmy_host: a\r\n\r\n")
        guard case .head = result else { return XCTFail("\(result)") }
        let request = try XCTUnwrap(head)
        XCTAssertEqual(request.headers.fields.map(\.name), ["Host", "X-Foo"])
        XCTAssertEqual(request.headers.values("X_Foo"), [])
        XCTAssertEqual(request.ignoredFields, ["X_Foo: spoofed", "my_host: a"])
    }

    func testSimpleGet() throws {
        let (result, head) = parse("GET /a/b?x=1&y HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n")
        XCTAssertEqual(result, .head(consumed: 61))
        let request = try XCTUnwrap(head)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/a/b")
        XCTAssertEqual(request.query, "x=1&y")
        XCTAssertEqual(request.version, .http11)
        XCTAssertEqual(request.host, "example.com")
        XCTAssertEqual(request.headers["user-agent"], "t")
        XCTAssertTrue(request.wantsKeepAlive)
        XCTAssertFalse(request.hasBody)
    }

    /// Fields are kept as the bytes they came in (a string only when asked
    /// for), whether the head came alone or with more bytes after it.
    func testFieldsAreTheBytesTheyCameIn() throws {
        let head = "GET / HTTP/1.1\r\nHost: a\r\nX-Tag:  one \r\nAccept: */*\r\nx-tag: two\r\nEmpty:\r\nNote: cr\u{e8}me\r\n\r\n"
        for following in ["", "POST /next HTTP/1.1\r\n"] {
            let parser = RequestParser()
            guard case .head = parser.parse(Array((head + following).utf8)) else { return XCTFail("no head") }
            let request = try XCTUnwrap(parser.head)
            XCTAssertEqual(request.headers.count, 6)
            XCTAssertEqual(request.headers["x-TAG"], "one", "the first, trimmed")
            XCTAssertEqual(request.headers.values("X-Tag"), ["one", "two"])
            XCTAssertEqual(request.headers["Empty"], "")
            XCTAssertNil(request.headers["X-Ta"])
            XCTAssertNil(request.headers["Referer"])
            XCTAssertEqual(request.headers.fields.map { "\($0.name)=\($0.value)" },
                           ["Host=a", "X-Tag=one", "Accept=*/*", "x-tag=two", "Empty=", "Note=cr\u{e8}me"])
        }
    }

    func testPipelinedRequestLeavesTheRest() {
        let first = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let parser = RequestParser()
        XCTAssertEqual(parser.parse(Array((first + "GET /2 HTTP/1.1\r\n").utf8)), .head(consumed: first.utf8.count))
    }

    func testLeadingEmptyLinesAndBareLF() {
        XCTAssertEqual(parse("\r\n\r\nGET / HTTP/1.1\nHost: a\n\n").head?.path, "/")
    }

    func testAbsoluteFormTakesHostFromTarget() {
        let head = parse("GET http://other.test:8080/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n").head
        XCTAssertEqual(head?.host, "other.test:8080")
        XCTAssertEqual(head?.path, "/p")
        XCTAssertEqual(head?.query, "q")
    }

    func testHTTP10Rules() {
        let head = parse("GET / HTTP/1.0\r\n\r\n").head
        XCTAssertNotNil(head, "Host is optional in 1.0")
        XCTAssertEqual(head?.wantsKeepAlive, false)
        XCTAssertEqual(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").head?.wantsKeepAlive, true)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").head?.wantsKeepAlive, false)
    }

    func testMalformedRequestLines() {
        XCTAssertEqual(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505)
        XCTAssertEqual(parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n").head?.version, .http11, "a later 1.x is answered as 1.1")
        for bad in ["HTTP/1.10", "HTTP/01.01", "HTTP/1.01", "HTTP/10.0", "http/1.1", "HTTP/1,1"] {
            XCTAssertEqual(status("GET / \(bad)\r\nHost: a\r\n\r\n"), 400, "HTTP-version is HTTP/DIGIT.DIGIT: \(bad)")
        }
        XCTAssertEqual(status("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1234\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/one\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET /\r\n\r\n"), 400, "HTTP/0.9 is not spoken")
        XCTAssertEqual(parse("GET  /a   HTTP/1.1  \r\nHost: a\r\n\r\n").head?.path, "/a", "runs of spaces, as nginx")
        XCTAssertEqual(status(" GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1 x\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("get / HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "methods are upper case, as nginx")
        XCTAssertNil(parse("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n").head, "only OPTIONS may ask about *")
        XCTAssertNotNil(parse("M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n").head)
        XCTAssertEqual(status("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET x HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertNil(status("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
    }

    func testMalformedHeaders() {
        XCTAssertEqual(status("GET / HTTP/1.1\r\n\r\n"), 400, "Host is required in 1.1")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nNo-Colon\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{00}b\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"), 400)
        for control in ["\u{01}", "\u{7F}", "\u{1B}[31m", "\u{0B}"] {
            XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX: a\(control)b\r\n\r\n"), 400,
                           "control characters are invalid in a value (RFC 9110 §5.5)")
        }
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb \u{E9}\r\n\r\n").head?.headers["X"], "a\tb \u{E9}",
                       "HTAB and bytes above 0x7F (obs-text) are fine")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n"), 400)
    }

    func testBodyFraming() {
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n").head?.contentLength, 5)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"), 400, "duplicated, even alike")
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"), 400)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  05 \r\n\r\n").head?.contentLength, 5)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n"), 400)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").head?.isChunked, true)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"), 501)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"), 400,
                       "chunked twice")
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501)
        XCTAssertEqual(status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400)
        // chunked must be the final coding (RFC 9112 §6.3); an empty coding is malformed.
        for malformed in ["chunked, gzip", "", "chunked,", ",chunked", "gzip,,chunked"] {
            XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(malformed)\r\n\r\n"), 400, "'\(malformed)'")
        }
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"), 501)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked \r\n\r\n").head?.isChunked, true)
    }

    func testLimits() {
        let limits = RequestLimits(maxLineBytes: 64, maxHeadBytes: 256, maxHeaderCount: 5)
        XCTAssertEqual(status("GET /\(String(repeating: "a", count: 80)) HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits), 414)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 80))\r\n\r\n", limits: limits), 431)
        let many = (0..<6).map { "X\($0): y\r\n" }.joined()
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n", limits: limits), 431)
        // The limit holds for the line with its CRLF, as nginx's buffer does.
        func requestLine(_ length: Int) -> String { "GET /" + String(repeating: "a", count: length - 14) + " HTTP/1.1" }
        XCTAssertNotNil(parse(requestLine(62) + "\r\nHost: a\r\n\r\n", limits: limits).head)
        XCTAssertEqual(status(requestLine(63) + "\r\nHost: a\r\n\r\n", limits: limits), 414)
        let header62 = "X: " + String(repeating: "b", count: 59)
        XCTAssertNotNil(parse("GET / HTTP/1.1\r\nHost: a\r\n\(header62)\r\n\r\n", limits: limits).head)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\n\(header62)b\r\n\r\n", limits: limits), 431)
        // The defaults take what nginx takes: hundreds of short fields, 4 lines of 8000 bytes.
        let hundreds = (0..<900).map { "X-\($0): y\r\n" }.joined()
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\n\(hundreds)\r\n").head?.headers["X-899"], "y")
        let long = (0..<4).map { "L\($0): \(String(repeating: "v", count: 8000))\r\n" }.joined()
        XCTAssertNotNil(parse("GET / HTTP/1.1\r\nHost: a\r\n\(long)\r\n").head)
        // An unfinished over-long line is refused before it ends.
        let parser = RequestParser(limits: limits)
        XCTAssertEqual(parser.parse(Array("GET /\(String(repeating: "a", count: 100))".utf8)), .error(status: 414))
    }

    func testPathIsNormalisedOrRefused() {
        XCTAssertEqual(parse("GET /a/./b/../c HTTP/1.1\r\nHost: a\r\n\r\n").head?.path, "/a/c")
        XCTAssertEqual(status("GET /../x HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET /%2e%2e/x HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET /a/..%2f..%2fx HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
    }

    func testImpossibleRequestLineIsRefusedBeforeItEnds() {
        let parser = RequestParser()
        XCTAssertEqual(parser.parse([0x16, 0x03, 0x01, 0x02, 0x00]), .error(status: 400), "a TLS ClientHello")
        let lower = RequestParser()
        XCTAssertEqual(lower.parse(Array("GE".utf8)), .needMore)
        XCTAssertEqual(lower.parse(Array("GEt".utf8)), .error(status: 400))
        let pending = RequestParser()
        XCTAssertEqual(pending.parse(Array("\r\n\r\nGET /long-path-still-coming".utf8)), .needMore)
    }

    func testHostIsRequiredAndValid() {
        XCTAssertEqual(status("GET http://a/ HTTP/1.1\r\n\r\n"), 400, "absolute-form still needs Host (RFC 9112 §3.2)")
        XCTAssertNotNil(parse("GET http://a/ HTTP/1.0\r\n\r\n").head)
        for bad in ["", "a b", "a/b", "a..b", ".", ":80", "a\tb", "user@127.0.0.1", "u:p@a"] {
            XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: \(bad)\r\n\r\n"), 400, bad)
        }
        for good in ["a", "example.com.", "a:8080", "[::1]:80", "under_score", "xn--bcher-kva.example"] {
            XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: \(good)\r\n\r\n").head?.host, good)
        }
    }

    func testAbsoluteFormSchemesAndFragments() {
        let ftp = parse("GET ftp://other.test/p HTTP/1.1\r\nHost: a\r\n\r\n").head
        XCTAssertEqual(ftp?.host, "other.test")
        XCTAssertEqual(ftp?.path, "/p")
        XCTAssertEqual(parse("GET HTTP://b.test?q HTTP/1.1\r\nHost: a\r\n\r\n").head?.query, "q")
        XCTAssertEqual(status("GET 1http://b/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET http:/b/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        let fragment = parse("GET /a.html#top HTTP/1.1\r\nHost: a\r\n\r\n").head
        XCTAssertEqual(fragment?.path, "/a.html")
        XCTAssertNil(fragment?.query)
        XCTAssertEqual(parse("GET /a?x=1#top HTTP/1.1\r\nHost: a\r\n\r\n").head?.query, "x=1")
    }

    func testHostFieldIsCheckedEvenWhenTheTargetsAuthorityWins() {
        for bad in ["a/b", "a b", "a..b", ""] {
            XCTAssertEqual(status("GET http://other:1/index.html HTTP/1.1\r\nHost: \(bad)\r\n\r\n"), 400, "Host: \(bad)")
        }
        XCTAssertEqual(status("GET http://a..b/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "the authority is checked too")
        XCTAssertEqual(parse("GET http://other:1/index.html HTTP/1.1\r\nHost: a\r\n\r\n").head?.host, "other:1")
    }

    func testMethodIsKnownWhenTheRequestFails() {
        let missingHost = RequestParser()
        XCTAssertEqual(missingHost.parse(Array("HEAD / HTTP/1.1\r\n\r\n".utf8)), .error(status: 400))
        XCTAssertEqual(missingHost.method, "HEAD")
        let newVersion = RequestParser()
        XCTAssertEqual(newVersion.parse(Array("HEAD / HTTP/2.0\r\n".utf8)), .error(status: 505))
        XCTAssertEqual(newVersion.method, "HEAD")
        let limits = RequestLimits(maxLineBytes: 64, maxHeadBytes: 256)
        let longLine = RequestParser(limits: limits)
        XCTAssertEqual(longLine.parse(Array(("HEAD /" + String(repeating: "a", count: 100)).utf8)), .error(status: 414))
        XCTAssertEqual(longLine.method, "HEAD", "a request line too long still names its method")
        let longComplete = RequestParser(limits: limits)
        XCTAssertEqual(longComplete.parse(Array(("\r\nHEAD /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\n").utf8)), .error(status: 414))
        XCTAssertEqual(longComplete.method, "HEAD")
        let noMethod = RequestParser(limits: limits)
        XCTAssertEqual(noMethod.parse(Array(String(repeating: "A", count: 100).utf8)), .error(status: 414))
        XCTAssertEqual(noMethod.method, "", "a word with no space after it is not yet a method")
    }

    func testTargetIsASCIIWithoutControls() {
        XCTAssertEqual(status("GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "a raw byte above 0x7F")
        XCTAssertEqual(status("GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(status("GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertEqual(parse("GET /caf%C3%A9 HTTP/1.1\r\nHost: a\r\n\r\n").head?.path, "/café", "percent-encoded is fine")
    }

    func testTooLongAndImpossibleIsTheSameInAnyPieces() {
        // Found by fuzz/run-request_head.sh: whole it was 414, in pieces 400.
        let limits = RequestLimits(maxLineBytes: 32, maxHeadBytes: 64, maxHeaderCount: 5)
        XCTAssertEqual(status("*terardTGEo / HT!TP/1ampSubstringle.com\r\n\r\n", limits: limits), 400)
        XCTAssertEqual(status("GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\n\r\n", limits: limits), 414)
        // And the other way: a bad byte beyond what a line can hold does not count.
        let small = RequestLimits(maxLineBytes: 8, maxHeadBytes: 64, maxHeaderCount: 5)
        XCTAssertEqual(status("-\r\r\r\r\r\rH%", limits: small), 414)
        XCTAssertEqual(status("GET /abcdefgh%\u{01} HTTP/1.1\r\n\r\n", limits: small), 414)
    }
}
