import Foundation
import Glibc
import XCTest
@testable import webserv

/// `add_trailer` over HTTP/1.1 in-process, as nginx's headers and chunked
/// filters: an answer that carries trailers is chunked (its Content-Length
/// dropped, whatever its body: bytes, a cached small file, a file sent with
/// sendfile) and they go in its last chunk; HTTP/1.0, HEAD, 204 and 304 get
/// none; a 404 only the `always` ones; the next answer on the connection is intact.
final class TrailerLoopTests: XCTestCase {
    private static let large = (0..<200_000).map { UInt8($0 % 251) }

    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                add_trailer X-Trailer done;
                add_trailer X-Always yes always;
                location /own/ { add_trailer X-Uri $uri; add_trailer X-Empty $arg_none; }
                location = /text { return 200 "text"; }
                location = /nc { return 204; }
            }
        }
        """, files: ["www/a.txt": Array("A".utf8), "www/large.bin": TrailerLoopTests.large, "www/own/b.txt": Array("B".utf8)])
    }

    /// The bytes after the head of the first answer in `bytes`.
    private func afterHead(_ bytes: [UInt8]) -> String {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else { return "" }
        return String(decoding: bytes[end...], as: UTF8.self)
    }

    func testFilesAndTextAreChunkedToCarryTheirTrailersAndTheNextAnswerIsIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        // The small file twice (the second from the cache's prepared head), the large one (sendfile), a return's text.
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                  + "GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let bytes = loop.receive(client, limit: 400_000)
        XCTAssertTrue(afterHead(bytes).hasPrefix("1\r\nA\r\n0\r\nX-Trailer: done\r\nX-Always: yes\r\n\r\nHTTP/1.1 200"), afterHead(bytes).prefix(80).description)
        var wire = WireAnswers(bytes)
        var answers: [HTTPTestResponse] = []
        while let answer = wire.next() { answers.append(answer) }
        XCTAssertEqual(answers.map(\.status), [200, 200, 200, 200])
        XCTAssertEqual(answers.map(\.bodyText.count), [1, 1, TrailerLoopTests.large.count, 4])
        XCTAssertEqual(answers[2].body, TrailerLoopTests.large)
        XCTAssertEqual(answers[3].bodyText, "text")
        for answer in answers {
            XCTAssertEqual(answer.header("Transfer-Encoding"), "chunked")
            XCTAssertNil(answer.header("Content-Length"), answer.head)
        }
        XCTAssertEqual(wire.rest, [])
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "\r\n0\r\nX-Trailer: done\r\nX-Always: yes\r\n\r\n").count, 5, "each answer's last chunk")
    }

    func testOnlyTheAlwaysOnesOnAnErrorAndALevelWithAnyReplacesItsParents() throws {
        let loop = try harness()
        let missing = try XCTUnwrap(loop.request("GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("Transfer-Encoding"), "chunked")
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let raw = afterHead(loop.receive(client))
        XCTAssertTrue(raw.hasSuffix("\r\n0\r\nX-Always: yes\r\n\r\n"), raw)
        let (own, _) = loop.connect()
        defer { Glibc.close(own) }
        loop.send(own, "GET /own/b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(afterHead(loop.receive(own)), "1\r\nB\r\n0\r\nX-Uri: /own/b.txt\r\n\r\n", "no X-Trailer, nothing for an empty value")
    }

    func testHTTP10HeadA204AndA304GetNoTrailersAndKeepTheirFraming() throws {
        let loop = try harness()
        let old = try XCTUnwrap(loop.request("GET /a.txt HTTP/1.0\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(old.header("Content-Length"), "1")
        XCTAssertNil(old.header("Transfer-Encoding"))
        XCTAssertEqual(old.bodyText, "A")
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nc HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answers = loop.answers(client, heads: [0])
        XCTAssertEqual(answers.map(\.status), [200, 204, 200])
        XCTAssertEqual(answers[0].header("Content-Length"), "1")
        XCTAssertNil(answers[0].header("Transfer-Encoding"))
        XCTAssertNil(answers[1].header("Transfer-Encoding"))
        XCTAssertEqual(answers[2].bodyText, "A", "the next answer is intact")
        let modified = try XCTUnwrap(answers[2].header("Last-Modified"))
        let notModified = try XCTUnwrap(loop.request("GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: \(modified)\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(notModified.status, 304)
        XCTAssertNil(notModified.header("Transfer-Encoding"))
    }
}
