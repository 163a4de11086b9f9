import XCTest
import Glibc
@testable import webserv

/// Static answers in-process, read off the wire: index and MIME types, the
/// fields every answer has, HEAD, ranges and conditional requests, charset.
/// Pipelined on one connection, so each answer's framing is checked by the
/// one after it.
final class AnswerLoopTests: XCTestCase {
    private static let data = Array(String(repeating: "0123456789", count: 100).utf8)

    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            types { text/html html; text/css css; text/plain txt; image/png png; application/json json; }
            default_type application/octet-stream;
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /utf/ { charset utf-8; }
                location /utf/latin/ { charset iso-8859-1; }
                location = /utf/text { charset utf-8; return 200 "plain words"; }
            }
        }
        """, files: [
            "www/index.html": Array("<h1>home</h1>".utf8), "www/style.css": Array("body{}".utf8), "www/data.bin": Self.data,
            "www/utf/index.html": Array("<p>hi</p>".utf8), "www/utf/a.txt": Array("A".utf8), "www/utf/p.png": Array("png".utf8),
            "www/utf/d.json": Array("{}".utf8), "www/utf/latin/l.html": Array("x".utf8),
        ])
    }

    /// GETs of `paths` pipelined on one connection (the last one closing it),
    /// each with `headers`; every answer must be there and the wire must end after them.
    private func pipelined(_ loop: LoopHarness, _ paths: [String], headers: [String] = [], file: StaticString = #filePath,
                           line: UInt = #line) -> [HTTPTestResponse] {
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        var requests = ""
        for (index, path) in paths.enumerated() {
            let extra = index < headers.count ? headers[index] : ""
            requests += "GET \(path) HTTP/1.1\r\nHost: x\r\n\(extra)\(index == paths.count - 1 ? "Connection: close\r\n" : "")\r\n"
        }
        loop.send(client, requests)
        var wire = WireAnswers(loop.receive(client))
        var answers: [HTTPTestResponse] = []
        while let answer = wire.next() { answers.append(answer) }
        XCTAssertEqual(answers.count, paths.count, "every answer, intact", file: file, line: line)
        XCTAssertEqual(wire.rest, [], "nothing after the last answer", file: file, line: line)
        return answers
    }

    func testIndexAndMimeTypes() throws {
        let loop = try harness()
        let answers = pipelined(loop, ["/", "/style.css", "/data.bin"])
        guard answers.count == 3 else { return }
        XCTAssertEqual(answers[0].status, 200)
        XCTAssertEqual(answers[0].bodyText, "<h1>home</h1>")
        XCTAssertEqual(answers.map { $0.header("Content-Type") }, ["text/html", "text/css", "application/octet-stream"])
        XCTAssertEqual(answers[0].header("Server"), "webserv")
        XCTAssertNotNil(answers[0].header("Date"))
        XCTAssertEqual(answers[2].body, Self.data)
    }

    func testHeadHasTheFieldsAndNoBody() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "HEAD /data.bin HTTP/1.1\r\nHost: x\r\n\r\nHEAD /data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-2,10-11\r\n\r\n"
                  + "GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answers = loop.answers(client, heads: [0, 1])
        XCTAssertEqual(answers.map(\.status), [200, 206, 200])
        XCTAssertEqual(answers.first?.header("Content-Length"), "1000")
        XCTAssertEqual(answers.first?.header("Accept-Ranges"), "bytes")
        XCTAssertEqual(answers.last?.bodyText, "body{}", "the answer after two HEADs is intact")
    }

    func testRangesAndConditionalRequests() throws {
        let loop = try harness()
        let full = try XCTUnwrap(loop.get("/data.bin"))
        XCTAssertEqual(full.header("Accept-Ranges"), "bytes")
        let etag = try XCTUnwrap(full.header("ETag"))
        let lastModified = try XCTUnwrap(full.header("Last-Modified"))
        let answers = pipelined(loop, Array(repeating: "/data.bin", count: 6), headers: [
            "Range: bytes=10-19\r\n", "Range: bytes=-3\r\n", "Range: bytes=5000-\r\n", "If-None-Match: \(etag)\r\n",
            "If-Modified-Since: \(lastModified)\r\n", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT\r\n",
        ])
        guard answers.count == 6 else { return }
        XCTAssertEqual(answers.map(\.status), [206, 206, 416, 304, 304, 200])
        XCTAssertEqual(answers[0].header("Content-Range"), "bytes 10-19/1000")
        XCTAssertEqual(answers[0].bodyText, "0123456789")
        XCTAssertNil(answers[0].header("Accept-Ranges"), "as nginx: only the whole file offers ranges")
        XCTAssertEqual(answers[1].bodyText, "789")
        XCTAssertEqual(answers[2].header("Content-Range"), "bytes */1000")
        XCTAssertTrue(answers[2].bodyText.contains("<title>416 Requested Range Not Satisfiable</title>"), answers[2].bodyText)
        XCTAssertEqual(answers[2].header("Content-Type"), "text/html")
        XCTAssertEqual(answers[3].header("ETag"), etag)
        XCTAssertEqual(answers[3].header("Last-Modified"), lastModified)
        XCTAssertNil(answers[3].header("Content-Type"), "a 304 carries the validators only")
        XCTAssertNil(answers[3].header("Content-Length"))
        XCTAssertEqual(answers[5].body.count, 1000)
    }

    func testSeveralRangesAreAMultipartAnswer() throws {
        let loop = try harness()
        let answers = pipelined(loop, ["/data.bin", "/style.css"], headers: ["Range: bytes=0-2,10-11,-3\r\n"])
        guard answers.count == 2 else { return }
        let response = answers[0]
        XCTAssertEqual(response.status, 206)
        let type = try XCTUnwrap(response.header("Content-Type"))
        XCTAssertTrue(type.hasPrefix("multipart/byteranges; boundary="), type)
        let boundary = String(type.dropFirst("multipart/byteranges; boundary=".count))
        XCTAssertEqual(boundary.count, 20)
        let part = { (range: String, data: String) in
            "\r\n--\(boundary)\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes \(range)/1000\r\n\r\n\(data)"
        }
        let expected = part("0-2", "012") + part("10-11", "01") + part("997-999", "789") + "\r\n--\(boundary)--\r\n"
        XCTAssertEqual(response.bodyText, expected)
        XCTAssertEqual(response.header("Content-Length"), String(expected.utf8.count))
        XCTAssertEqual(answers[1].bodyText, "body{}")
    }

    func testCharsetIsAddedToTextAnswersOnly() throws {
        let loop = try harness()
        let answers = pipelined(loop, ["/utf/index.html", "/utf/a.txt", "/utf/p.png", "/utf/d.json", "/utf/text", "/utf/missing",
                                       "/utf/latin/l.html", "/index.html"])
        XCTAssertEqual(answers.map { $0.header("Content-Type") ?? "-" }, [
            "text/html; charset=utf-8", "text/plain; charset=utf-8",
            "image/png",                    // not in charset_types
            "application/json",
            "text/plain; charset=utf-8",    // return's text too
            "text/html; charset=utf-8",     // error pages too
            "text/html; charset=iso-8859-1", // per location
            "text/html",                    // charset off by default
        ])
    }
}
