import XCTest
import Glibc
@testable import webserv

/// The static-file answers in-process that need no real port: traversal,
/// If-Range, files that cannot be opened, listings in UTF-8.
final class StaticLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            types { text/html html; text/plain txt; }
            default_type application/octet-stream;
            access_log off;
            error_log DIR/logs/error.log;
            charset utf-8;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /list/ { autoindex on; charset off; }
            }
        }
        """, files: [
            "www/index.html": Array("<h1>home</h1>".utf8),
            "www/data.bin": Array(String(repeating: "0123456789", count: 100).utf8),
            "www/plain/c.txt": Array("c".utf8),
            "www/list/résumé.txt": Array("cv".utf8),
            "secret.txt": Array("outside the root".utf8),
        ])
    }

    func testTraversalNeverLeavesTheRoot() throws {
        let loop = try harness()
        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/list/../../secret.txt", "/%2E%2E%2Fsecret.txt"] {
            let response = try XCTUnwrap(loop.get(path), path)
            XCTAssertEqual(response.status, 400, path)
            XCTAssertFalse(response.bodyText.contains("outside the root"), path)
        }
        let doubleEncoded = try XCTUnwrap(loop.get("/%252e%252e/secret.txt"))
        XCTAssertEqual(doubleEncoded.status, 404)
        XCTAssertFalse(doubleEncoded.bodyText.contains("outside the root"))
    }

    func testIfRangeSendsTheWholeFileWhenItChanged() throws {
        let loop = try harness()
        let full = try XCTUnwrap(loop.get("/data.bin"))
        let etag = try XCTUnwrap(full.header("ETag"))
        let lastModified = try XCTUnwrap(full.header("Last-Modified"))
        XCTAssertEqual(loop.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: \(etag)\r\n")?.status, 206)
        XCTAssertEqual(loop.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: \(lastModified)\r\n")?.status, 206)
        let stale = try XCTUnwrap(loop.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: \"0-0\"\r\n"))
        XCTAssertEqual(stale.status, 200)
        XCTAssertEqual(stale.body.count, 1000)
        XCTAssertEqual(loop.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: W/\(etag)\r\n")?.status, 200, "weak tags never match")
        XCTAssertEqual(loop.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: Thu, 01 Jan 1970 00:00:01 GMT\r\n")?.status, 200)
    }

    func testUnopenableFilesGetNginxStatuses() throws {
        let loop = try harness()
        XCTAssertEqual(symlink("loop", loop.directory + "/www/loop"), 0)
        XCTAssertEqual(loop.get("/loop")?.status, 403, "a symlink loop")
        XCTAssertEqual(loop.get("/index.html/x")?.status, 404, "a file used as a directory")
        // nginx's static module: "is not a regular file", 404 (the index file's too).
        XCTAssertEqual(mkfifo(loop.directory + "/www/fifo", 0o644), 0)
        XCTAssertEqual(loop.get("/fifo")?.status, 404, "a FIFO")
        XCTAssertEqual(mkfifo(loop.directory + "/www/plain/index.html", 0o644), 0)
        XCTAssertEqual(loop.get("/plain/")?.status, 404, "an index name that is a FIFO")
    }

    func testListingsAreUTF8WhateverTheCharset() throws {
        let loop = try harness()
        // charset off here: the listing still says what its bytes are.
        let listing = try XCTUnwrap(loop.get("/list/"))
        XCTAssertEqual(listing.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertTrue(listing.bodyText.contains("<meta charset=\"utf-8\">"), listing.bodyText)
        XCTAssertTrue(listing.bodyText.contains(">résumé.txt</a>"), listing.bodyText)
        XCTAssertTrue(listing.bodyText.contains("href=\"r%C3%A9sum%C3%A9.txt\""), listing.bodyText)
    }
}
