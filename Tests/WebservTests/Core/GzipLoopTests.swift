import XCTest
import Glibc
@testable import webserv

/// gzip on the wire, in-process: every compressed answer decompresses to the
/// bytes it stands for, the answer after it on the same keep-alive connection
/// is intact, and what nginx sends plain goes plain.
final class GzipLoopTests: XCTestCase {
    static let small = text(3_000)
    /// Over FileGzipCopies' bound: compressed on the way, in pieces.
    static let large = text(FileGzipCopies.maxFileSize + 100_000)

    static func text(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var line = 0
        while bytes.count < count {
            bytes += Array("<p>line \(line): the quick brown fox jumps over the lazy dog</p>\n".utf8)
            line += 1
        }
        return Array(bytes.prefix(count))
    }

    private func harness(extra: String = "", files: [String: [UInt8]] = [:]) throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            types { text/html html; text/css css; application/octet-stream bin; }
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                gzip on;
                gzip_vary on;
                location = /nothing { return 204; }
                location /off/ { gzip off; }
                \(extra)
            }
        }
        """, files: ["www/small.html": Self.small, "www/large.html": Self.large, "www/data.bin": Self.large,
                     "www/off/small.html": Self.small].merging(files) { $1 })
    }

    private let gzip = "Accept-Encoding: gzip, deflate\r\n"

    private func assertCompressed(_ answer: HTTPTestResponse?, _ original: [UInt8], _ what: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(answer?.status, 200, what, file: file, line: line)
        XCTAssertEqual(answer?.header("Content-Encoding"), "gzip", what, file: file, line: line)
        XCTAssertEqual(answer?.header("Vary"), "Accept-Encoding", what, file: file, line: line)
        XCTAssertNil(answer?.header("Accept-Ranges"), what, file: file, line: line)
        XCTAssertEqual(answer.flatMap { Gunzip.decompress($0.body) }, original, what, file: file, line: line)
    }

    func testFilesDecompressToTheirBytesAndTheNextAnswerIsIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        var requests = ""
        // The small file twice (stored, then found by its request), the large one from disk, then plain.
        for path in ["/small.html", "/small.html", "/large.html"] { requests += "GET \(path) HTTP/1.1\r\nHost: a\r\n\(gzip)\r\n" }
        requests += "GET /small.html HTTP/1.1\r\nHost: a\r\n\r\n"
        loop.send(client, requests)
        let answers = loop.answers(client)
        XCTAssertEqual(answers.count, 4)
        guard answers.count == 4 else { return }
        assertCompressed(answers[0], Self.small, "a small file")
        assertCompressed(answers[1], Self.small, "a small file from the cache's copy")
        XCTAssertEqual(answers[1].body, answers[0].body, "the copy made once")
        XCTAssertEqual(answers[0].header("Content-Length"), String(answers[0].body.count), "in memory: its compressed length")
        assertCompressed(answers[2], Self.large, "a large file, read and compressed in pieces")
        XCTAssertEqual(answers[2].header("Transfer-Encoding"), "chunked")
        XCTAssertLessThan(answers[2].body.count, Self.large.count / 3)
        XCTAssertNil(answers[3].header("Content-Encoding"), "no Accept-Encoding")
        XCTAssertEqual(answers[3].header("Vary"), "Accept-Encoding", "the answer varies all the same")
        XCTAssertEqual(answers[3].body, Self.small)
        Glibc.close(client)
    }

    func testCharsetAndTheGeneralPathKeepTheCachedCopy() throws {
        let loop = try harness(extra: "location /text/ { charset utf-8; }", files: ["www/text/a.html": Self.small])
        let first = loop.get("/text/a.html", headers: gzip)
        assertCompressed(first, Self.small, "with a charset added")
        XCTAssertEqual(first?.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertEqual(loop.get("/text/a.html", headers: gzip)?.body, first?.body)
    }

    func testHTTP10GetsTheLargeFileEndedByTheClose() throws {
        let loop = try harness(extra: "location /old/ { gzip_http_version 1.0; }", files: ["www/old/large.html": Self.large])
        let (client, _) = loop.connect()
        loop.send(client, "GET /old/large.html HTTP/1.0\r\n\(gzip)\r\n")
        let wire = loop.receive(client)
        let split = try XCTUnwrap(wire.firstRange(of: Array("\r\n\r\n".utf8)))
        let head = String(decoding: wire[..<split.lowerBound], as: UTF8.self)
        XCTAssertTrue(head.contains("Content-Encoding: gzip"), head)
        XCTAssertFalse(head.contains("Content-Length"), head)
        XCTAssertFalse(head.contains("chunked"), head)
        XCTAssertEqual(Gunzip.decompress(Array(wire[split.upperBound...])), Self.large)
        XCTAssertTrue(loop.isClosed(client))
        Glibc.close(client)
        // Below gzip_http_version (1.1, the default): plain.
        let plain = loop.request("GET /large.html HTTP/1.0\r\n\(gzip)\r\n")
        XCTAssertNil(plain?.header("Content-Encoding"))
        XCTAssertEqual(plain?.body.count, Self.large.count)
    }

    func testHeadGetsTheFieldsOfAGetAndNoBody() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "HEAD /small.html HTTP/1.1\r\nHost: a\r\n\(gzip)\r\nHEAD /large.html HTTP/1.1\r\nHost: a\r\n\(gzip)\r\n"
                  + "GET /small.html HTTP/1.1\r\nHost: a\r\n\(gzip)\r\n")
        let answers = loop.answers(client, heads: [0, 1])
        XCTAssertEqual(answers.count, 3)
        guard answers.count == 3 else { return }
        for answer in answers.prefix(2) {
            XCTAssertEqual(answer.header("Content-Encoding"), "gzip")
            XCTAssertNil(answer.header("Transfer-Encoding"), "nothing to frame")
            XCTAssertTrue(answer.body.isEmpty)
        }
        XCTAssertEqual(answers[0].header("Content-Length"), answers[2].header("Content-Length"), "the length a GET gets")
        XCTAssertNil(answers[1].header("Content-Length"), "a GET's is chunked")
        assertCompressed(answers[2], Self.small, "after two HEADs")
        Glibc.close(client)
    }

    func testWhatGoesPlain() throws {
        let loop = try harness()
        let etag = try XCTUnwrap(loop.get("/small.html", headers: gzip)?.header("ETag"))
        XCTAssertTrue(etag.hasPrefix("W/\""), etag)
        let notModified = loop.get("/small.html", headers: gzip + "If-None-Match: \(etag)\r\n")
        XCTAssertEqual(notModified?.status, 304)
        XCTAssertNil(notModified?.header("Content-Encoding"))
        // nginx compresses a range request's whole answer; webserv sends the range plain.
        for path in ["/small.html", "/large.html"] {
            let range = loop.get(path, headers: gzip + "Range: bytes=0-9\r\n")
            XCTAssertEqual(range?.status, 206, path)
            XCTAssertNil(range?.header("Content-Encoding"), path)
            XCTAssertEqual(range?.body, Array(Self.small.prefix(10)), path)
        }
        XCTAssertEqual(loop.get("/nothing", headers: gzip)?.status, 204)
        XCTAssertNil(loop.get("/nothing", headers: gzip)?.header("Content-Encoding"))
        for refusal in ["Accept-Encoding: gzip;q=0\r\n", "Accept-Encoding: br, deflate\r\n", ""] {
            let plain = loop.get("/large.html", headers: refusal)
            XCTAssertNil(plain?.header("Content-Encoding"), refusal)
            XCTAssertEqual(plain?.body, Self.large, refusal)
        }
        let binary = loop.get("/data.bin", headers: gzip)
        XCTAssertNil(binary?.header("Content-Encoding"), "not a gzip type")
        XCTAssertNil(binary?.header("Vary"), "never compressed: no Vary")
        let off = loop.get("/off/small.html", headers: gzip)
        XCTAssertNil(off?.header("Content-Encoding"))
        XCTAssertEqual(off?.body, Self.small)
    }

    func testErrorPagesAreCompressedAsNginxs() throws {
        let loop = try harness()
        let missing = loop.get("/missing.html", headers: gzip)
        XCTAssertEqual(missing?.status, 404)
        XCTAssertEqual(missing?.header("Content-Encoding"), "gzip")
        XCTAssertEqual(missing.flatMap { Gunzip.decompress($0.body) }, StatusCode.defaultPage(404))
    }

    func testProxiedAnswersChunkedOrWithALengthAndAlreadyEncoded() throws {
        let body = String(decoding: Self.text(50_000), as: UTF8.self)
        let chunked = stride(from: 0, to: body.utf8.count, by: 7_000).map { start -> String in
            let piece = String(body.utf8.dropFirst(start).prefix(7_000))!
            return String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n"
        }.joined() + "0\r\n\r\n"
        let encoded = try XCTUnwrap(GzipStream.compressed(Array("already".utf8)[...], level: 9))
        let upstream = ScriptedUpstream(answers: [
            "/length": [.init("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)],
            "/chunked": [.init("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"),
                         .init(chunked, pauseMilliseconds: 20)],
            "/encoded": [ScriptedUpstream.Piece(bytes: Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: \(encoded.count)\r\n\r\n".utf8) + encoded)],
        ])
        defer { upstream.stop() }
        let loop = try harness(extra: "location /up/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }")
        let (client, _) = loop.connect()
        loop.send(client, ["/up/length", "/up/chunked", "/up/encoded"].map { "GET \($0) HTTP/1.1\r\nHost: a\r\n\(gzip)\r\n" }.joined()
                  + "GET /small.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        var wire: [UInt8] = [], answers: [HTTPTestResponse] = []
        for _ in 0..<1_000 where answers.count < 4 {
            wire += loop.receive(client)
            var cut = WireAnswers(wire)
            answers = []
            while let answer = cut.next() { answers.append(answer) }
            usleep(5_000)
        }
        XCTAssertEqual(answers.count, 4)
        guard answers.count == 4 else { return }
        assertCompressed(answers[0], Array(body.utf8), "an upstream answer with a length")
        XCTAssertNil(answers[0].header("Content-Length"))
        assertCompressed(answers[1], Array(body.utf8), "a chunked upstream answer")
        XCTAssertEqual(answers[2].header("Content-Encoding"), "gzip")
        XCTAssertEqual(answers[2].body, encoded, "already encoded: passed as it is")
        XCTAssertEqual(answers[3].body, Self.small, "the next answer on the connection")
        Glibc.close(client)
    }

    func testGzipStaticServesTheFileBesideWhenNotOlder() throws {
        let precompressed = try XCTUnwrap(GzipStream.compressed(Self.small[...], level: 9))
        let loop = try harness(extra: "location /st/ { gzip_static on; } location /al/ { alias DIR/www/st/; gzip_static always; gzip off; }",
                               files: ["www/st/a.html": Self.small, "www/st/a.html.gz": precompressed,
                                       "www/st/old.html": Self.small, "www/st/old.html.gz": Array("stale".utf8)])
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)],
                                              ofItemAtPath: loop.directory + "/www/st/old.html.gz")
        let (client, _) = loop.connect()
        loop.send(client, "GET /st/a.html HTTP/1.1\r\nHost: a\r\n\(gzip)\r\nHEAD /st/a.html HTTP/1.1\r\nHost: a\r\n\(gzip)\r\n"
                  + "GET /st/a.html HTTP/1.1\r\nHost: a\r\n\(gzip)Range: bytes=0-9\r\n\r\nGET /st/a.html HTTP/1.1\r\nHost: a\r\n\r\n")
        let answers = loop.answers(client, heads: [1])
        XCTAssertEqual(answers.count, 4)
        guard answers.count == 4 else { return }
        XCTAssertEqual(answers[0].body, precompressed, "FILE.gz's own bytes")
        XCTAssertEqual(answers[0].header("Content-Encoding"), "gzip")
        XCTAssertEqual(answers[0].header("Content-Type"), "text/html", "FILE's type")
        XCTAssertEqual(answers[0].header("Vary"), "Accept-Encoding")
        XCTAssertFalse(answers[0].header("ETag")?.hasPrefix("W/") ?? true, "FILE.gz's own, strong")
        XCTAssertEqual(answers[1].header("Content-Length"), String(precompressed.count))
        XCTAssertEqual(answers[2].status, 200, "as nginx: no ranges of FILE.gz")
        XCTAssertEqual(answers[2].body, precompressed)
        XCTAssertEqual(answers[3].body, Self.small, "a client that does not take gzip gets FILE")
        XCTAssertEqual(answers[3].header("Vary"), "Accept-Encoding")
        XCTAssertEqual(answers[3].head.components(separatedBy: "Vary:").count, 2, "once")
        Glibc.close(client)
        let etag = try XCTUnwrap(answers[0].header("ETag"))
        let notModified = loop.get("/st/a.html", headers: gzip + "If-None-Match: \(etag)\r\n")
        XCTAssertEqual(notModified?.status, 304)
        XCTAssertNil(notModified?.header("Content-Encoding"))
        // Older than FILE: not used; the gzip filter compresses FILE itself.
        let stale = loop.get("/st/old.html", headers: gzip)
        XCTAssertEqual(stale.flatMap { Gunzip.decompress($0.body) }, Self.small)
        // always: every client, gzip off or not; no Vary.
        let always = loop.get("/al/a.html")
        XCTAssertEqual(always?.body, precompressed)
        XCTAssertEqual(always?.header("Content-Encoding"), "gzip")
        XCTAssertNil(always?.header("Vary"))
    }

    func testAScriptsAnswerIsCompressedPieceByPieceAsItComes() throws {
        // The script writes its first piece, then waits for the body's line: what
        // the client has by then decompresses to that piece (flushed, not held back).
        let script = "printf 'Content-Type: text/html\\r\\n\\r\\n<p>first piece</p>\\n'\nread line\nprintf '<p>then %s</p>\\n' \"$line\"\n"
        let loop = try harness(extra: "location /cgi/ { cgi_path /bin/sh; allow_methods GET POST; }", files: ["www/cgi/two.sh": Array(script.utf8)])
        let (client, _) = loop.connect()
        loop.send(client, "POST /cgi/two.sh HTTP/1.1\r\nHost: a\r\n\(gzip)Content-Length: 6\r\n\r\nhel")
        var wire: [UInt8] = []
        var first: [UInt8]?
        for _ in 0..<1_000 where first == nil {
            wire += loop.receive(client)
            if let end = wire.firstRange(of: Array("\r\n\r\n".utf8)) {
                var decoder = ChunkedDecoder()
                var data: [UInt8] = []
                let body = wire[end.upperBound...]
                for case .data(let range) in decoder.decode(body).events { data += body[range] }
                if let text = Gunzip.prefix(data), !text.isEmpty { first = text }
            }
            usleep(5_000)
        }
        XCTAssertEqual(first, Array("<p>first piece</p>\n".utf8))
        let head = String(decoding: wire.prefix(while: { $0 != 0 }), as: UTF8.self)
        XCTAssertTrue(head.contains("Content-Encoding: gzip"), head)
        XCTAssertTrue(head.contains("Transfer-Encoding: chunked"), head)
        // (The script answered before the body was in: the connection closes after it, as before gzip.)
        loop.send(client, "lo\n")
        var answers: [HTTPTestResponse] = []
        for _ in 0..<1_000 where answers.isEmpty {
            wire += loop.receive(client)
            var cut = WireAnswers(wire)
            answers = []
            while let answer = cut.next() { answers.append(answer) }
            usleep(5_000)
        }
        XCTAssertEqual(answers.count, 1)
        XCTAssertEqual(answers.first.flatMap { Gunzip.decompress($0.body) }, Array("<p>first piece</p>\n<p>then hello</p>\n".utf8))
        Glibc.close(client)
    }

    func testScriptAnswersWithAndWithoutALengthAndTheNextAnswerIsIntact() throws {
        let page = String(decoding: Self.text(20_000), as: UTF8.self)
        let loop = try harness(extra: "location /cgi/ { cgi_path /bin/sh; }", files: [
            "www/cgi/page.txt": Array(page.utf8),
            "www/cgi/open.sh": Array("printf 'Content-Type: text/html\\r\\n\\r\\n'\ncat \"$(dirname \"$SCRIPT_FILENAME\")/page.txt\"\n".utf8),
            "www/cgi/sized.sh": Array("printf 'Content-Type: text/html\\r\\nContent-Length: 20000\\r\\n\\r\\n'\ncat \"$(dirname \"$SCRIPT_FILENAME\")/page.txt\"\n".utf8),
        ])
        let (client, _) = loop.connect()
        loop.send(client, "GET /cgi/open.sh HTTP/1.1\r\nHost: a\r\n\(gzip)\r\nGET /cgi/sized.sh HTTP/1.1\r\nHost: a\r\n\(gzip)\r\n"
                  + "GET /small.html HTTP/1.1\r\nHost: a\r\n\r\n")
        var wire: [UInt8] = [], answers: [HTTPTestResponse] = []
        for _ in 0..<1_000 where answers.count < 3 {
            wire += loop.receive(client)
            var cut = WireAnswers(wire)
            answers = []
            while let answer = cut.next() { answers.append(answer) }
            usleep(5_000)
        }
        XCTAssertEqual(answers.count, 3)
        guard answers.count == 3 else { return }
        assertCompressed(answers[0], Array(page.utf8), "a script's answer ended by its exit")
        assertCompressed(answers[1], Array(page.utf8), "a script's answer with a length")
        XCTAssertNil(answers[1].header("Content-Length"), "the script's length is not the compressed one")
        XCTAssertEqual(answers[2].body, Self.small, "the next answer on the connection")
        Glibc.close(client)
    }

    func testTheAccessLogCountsTheCompressedBytes() throws {
        let loop = try harness(extra: "location /logged/ { access_log DIR/logs/access.log; }",
                               files: ["www/logged/large.html": Self.large, "www/logged/small.html": Self.small])
        let large = try XCTUnwrap(loop.get("/logged/large.html", headers: gzip))
        let small = try XCTUnwrap(loop.get("/logged/small.html", headers: gzip))
        let lines = loop.log("access.log").split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        // combined: ... "GET ..." STATUS BYTES "referer" "agent"
        let counts = lines.map { $0.components(separatedBy: "\" ")[1].split(separator: " ")[1] }
        XCTAssertEqual(counts, [Substring(String(large.body.count)), Substring(String(small.body.count))])
    }

    func testAddHeadersFieldsGoWithTheCompressedAnswerAndGzipProxiedSeesThem() throws {
        // nginx's headers filter runs before its gzip filter: gzip_proxied no-cache reads add_header's Cache-Control.
        let loop = try harness(extra: """
            location /added/ { add_header X-Frame-Options DENY; add_header Cache-Control no-cache; gzip_proxied no-cache; }
            location /private/ { add_header Cache-Control private; gzip_proxied no-cache; }
            """, files: ["www/added/small.html": Self.small, "www/added/large.html": Self.large,
                         "www/private/small.html": Self.small, "www/private/large.html": Self.large])
        for path in ["/added/small.html", "/added/large.html"] {
            let answer = loop.get(path, headers: gzip + "Via: 1.1 cache\r\n")
            assertCompressed(answer, path.hasSuffix("small.html") ? Self.small : Self.large, path)
            XCTAssertEqual(answer?.header("X-Frame-Options"), "DENY", path)
            XCTAssertEqual(answer?.header("Cache-Control"), "no-cache", path)
        }
        // A Cache-Control that says neither no-cache: not through a proxy (without the field, nginx would let it through).
        for path in ["/private/small.html", "/private/large.html"] {
            let answer = loop.get(path, headers: gzip + "Via: 1.1 cache\r\n")
            XCTAssertNil(answer?.header("Content-Encoding"), path)
            XCTAssertEqual(answer?.header("Cache-Control"), "private", path)
        }
        XCTAssertNil(loop.get("/small.html", headers: gzip + "Via: 1.1 cache\r\n")?.header("Content-Encoding"), "gzip_proxied off")
    }
}
