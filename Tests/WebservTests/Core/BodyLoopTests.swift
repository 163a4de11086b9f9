import XCTest
import Glibc
@testable import webserv

/// Request bodies in-process: Content-Length and chunked bodies stored and
/// served back on the same connection, 413 as soon as the size is known,
/// 411, and `Expect: 100-continue`. The store is read back over the wire
/// (the upload location's alias), not from the disk.
final class BodyLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                client_body_timeout 7s;
                location /up/ {
                    allow_methods GET POST PUT DELETE;
                    alias DIR/store/;
                    upload_store DIR/store;
                    client_max_body_size 1k;
                }
            }
        }
        """, files: ["www/index.html": Array("x".utf8), "store/existing.txt": Array("old".utf8)])
    }

    func testAContentLengthBodyIsStoredAndTheNextRequestIsIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "PUT /up/new.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel")
        XCTAssertEqual(loop.receive(client), [], "no answer before the whole body")
        loop.send(client, "loGET /up/new.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [201, 200])
        XCTAssertEqual(answers.last?.bodyText, "hello")
    }

    /// A PUT over an existing file replaces it: 204, no Location.
    func testAPutOverAFileReplacesIt() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "PUT /up/existing.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nnewGET /up/existing.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [204, 200])
        XCTAssertNil(answers.first?.header("Location"))
        XCTAssertEqual(answers.last?.bodyText, "new")
    }

    func testAChunkedBodyInPiecesIsStoredAndTheNextRequestIsIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        for piece in ["PUT /up/c.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", "c\r\n2;x=y\r", "\nde\r\n0\r\n",
                      "\r\nGET /up/c.txt HTTP/1.1\r\nHost: x\r\n\r\n"] {
            loop.send(client, piece)
            loop.settle()
        }
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [201, 200])
        XCTAssertEqual(answers.last?.bodyText, "abcde")
    }

    /// By Content-Length: 413 at once, before any of the body, and the
    /// connection ends.
    func testATooLargeDeclaredBodyIs413AtOnce() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "PUT /up/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [413])
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertEqual(loop.get("/up/big")?.status, 404, "nothing stored")
    }

    /// Chunked: 413 when the chunks pass the limit, and nothing is left.
    func testATooLargeChunkedBodyIs413WhenItPassesTheLimit() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        let chunk = String(repeating: "z", count: 600)
        loop.send(client, "PUT /up/big2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n")
        XCTAssertEqual(loop.receive(client), [], "600 bytes are within 1k")
        loop.send(client, "258\r\n\(chunk)\r\n0\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.status), [413])
        XCTAssertEqual(loop.get("/up/big2")?.status, 404, "nothing stored")
    }

    func testABodyWithoutLengthIs411() throws {
        let loop = try harness()
        XCTAssertEqual(loop.status("PUT /up/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 411)
    }

    func testExpectContinueInvitesTheBodyOnlyWhenItWillBeRead() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "PUT /up/e.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(loop.answers(client).map(\.status), [100], "invited, not answered yet")
        loop.send(client, "okGET /up/e.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [201, 200])
        XCTAssertEqual(answers.last?.bodyText, "ok")

        // Refused at once: no 100, the final status.
        let (refused, _) = loop.connect()
        loop.send(refused, "PUT /up/big HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(loop.answers(refused).map(\.status), [413])
    }

    /// client_body_timeout counts between reads: progress renews it; a stall
    /// is 408 and leaves nothing in the store.
    func testAStalledBodyIs408AtClientBodyTimeout() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "PUT /up/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\nabc")
        loop.settle()
        loop.advance(milliseconds: 6_000)
        loop.send(client, "def")
        loop.settle()
        loop.advance(milliseconds: 6_000)
        XCTAssertEqual(loop.receive(client), [], "12 s in all, never 7 without progress")
        loop.advance(milliseconds: 1_100)
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [408])
        XCTAssertEqual(answers.first?.header("Connection"), "close")
        XCTAssertTrue(loop.isClosed(client))
        XCTAssertEqual(loop.get("/up/slow")?.status, 404, "nothing stored")
    }
}
