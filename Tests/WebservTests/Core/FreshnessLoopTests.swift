import XCTest
import Foundation
import Glibc
@testable import webserv

/// Never stale, in-process: on one keep-alive connection a file is
/// requested, changed, and requested again with no turn of the loop in
/// between; the answer is the file as it is now, for every kind of change.
/// These hold for a server that stats every request, and guard the caches
/// put in front of that (the open-file cache, the small-file cache).
final class FreshnessLoopTests: XCTestCase {
    private var loop: LoopHarness!
    private var client: Int32 = -1

    override func setUpWithError() throws {
        loop = try LoopHarness(config: """
        events { }
        http {
            types { text/html html; text/plain txt; }
            access_log off;
            error_log DIR/logs/error.log;
            keepalive_timeout 60s;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
            }
        }
        """, files: [
            "www/a.txt": Array("first version".utf8),
            "www/b.txt": Array("b, first".utf8),
            "www/docs/other.txt": Array("a directory without an index file".utf8),
            "www/site/page.html": Array("site v1".utf8),
            "releases/1/page.html": Array("release 1".utf8),
            "releases/2/page.html": Array("release 2".utf8),
        ])
        client = loop.connect().client
    }

    override func tearDown() {
        Glibc.close(client)
        loop = nil
    }

    private func path(_ name: String) -> String { loop.directory + "/" + name }

    /// GET on the one connection (keep-alive).
    private func get(_ target: String, headers: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> HTTPTestResponse {
        loop.send(client, "GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.count, 1, "one answer to GET \(target)", file: file, line: line)
        let response = try XCTUnwrap(answers.first, "no answer to GET \(target)", file: file, line: line)
        XCTAssertNotEqual(response.header("Connection"), "close", "the connection must stay open", file: file, line: line)
        return response
    }

    private func write(_ name: String, _ text: String, line: UInt = #line) { FileEdits.write(path(name), text, line: line) }

    private func overwriteInPlace(_ name: String, _ text: String, line: UInt = #line) {
        FileEdits.overwriteInPlace(path(name), text, line: line)
    }

    func testContentChangedInPlace() throws {
        XCTAssertEqual(try get("/a.txt").bodyText, "first version")
        overwriteInPlace("www/a.txt", "FIRST VERSION")   // same size, same inode, perhaps the same mtime
        XCTAssertEqual(try get("/a.txt").bodyText, "FIRST VERSION")
        write("www/a.txt", "second, longer version")   // truncated and rewritten in place
        let longer = try get("/a.txt")
        XCTAssertEqual(longer.bodyText, "second, longer version")
        XCTAssertEqual(longer.header("Content-Length"), "22")
        write("www/a.txt", "short")
        XCTAssertEqual(try get("/a.txt").bodyText, "short")
    }

    func testValidatorsFollowTheChange() throws {
        let first = try get("/a.txt")
        let etag = try XCTUnwrap(first.header("ETag"))
        XCTAssertEqual(try get("/a.txt", headers: "If-None-Match: \(etag)\r\n").status, 304)
        write("www/a.txt", "another size")
        let changed = try get("/a.txt", headers: "If-None-Match: \(etag)\r\n")
        XCTAssertEqual(changed.status, 200, "the old validator no longer matches")
        XCTAssertEqual(changed.bodyText, "another size")
        XCTAssertNotEqual(changed.header("ETag"), etag)
    }

    func testReplacedByRename() throws {
        XCTAssertEqual(try get("/a.txt").bodyText, "first version")
        write("www/a.txt.tmp", "replaced")
        XCTAssertEqual(rename(path("www/a.txt.tmp"), path("www/a.txt")), 0)
        XCTAssertEqual(try get("/a.txt").bodyText, "replaced")
    }

    func testTruncatedToZero() throws {
        XCTAssertEqual(try get("/a.txt").bodyText, "first version")
        XCTAssertEqual(truncate(path("www/a.txt"), 0), 0)
        let empty = try get("/a.txt")
        XCTAssertEqual(empty.status, 200)
        XCTAssertEqual(empty.header("Content-Length"), "0")
        XCTAssertEqual(empty.body, [])
        XCTAssertEqual(try get("/b.txt").bodyText, "b, first", "the connection goes on")
    }

    func testRemovedThenCreatedAgain() throws {
        XCTAssertEqual(try get("/a.txt").bodyText, "first version")
        XCTAssertEqual(unlink(path("www/a.txt")), 0)
        XCTAssertEqual(try get("/a.txt").status, 404)
        write("www/a.txt", "back again")
        XCTAssertEqual(try get("/a.txt").bodyText, "back again")
    }

    func testIndexFileCreatedAndRemoved() throws {
        XCTAssertEqual(try get("/docs/").status, 403, "no index file, no autoindex")
        write("www/docs/index.html", "now with an index")
        let index = try get("/docs/")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.bodyText, "now with an index")
        XCTAssertEqual(index.header("Content-Type"), "text/html")
        XCTAssertEqual(unlink(path("www/docs/index.html")), 0)
        XCTAssertEqual(try get("/docs/").status, 403)
    }

    func testDirectoryOnTheWayReplaced() throws {
        XCTAssertEqual(try get("/site/page.html").bodyText, "site v1")
        // An atomic deploy: the new tree is renamed in place of the old one.
        try FileManager.default.createDirectory(atPath: path("www/site.new"), withIntermediateDirectories: true)
        write("www/site.new/page.html", "site v2")
        XCTAssertEqual(rename(path("www/site"), path("www/site.old")), 0)
        XCTAssertEqual(rename(path("www/site.new"), path("www/site")), 0)
        XCTAssertEqual(try get("/site/page.html").bodyText, "site v2")
    }

    func testSymlinkSwapped() throws {
        XCTAssertEqual(symlink(path("releases/1"), path("www/current")), 0)
        XCTAssertEqual(try get("/current/page.html").bodyText, "release 1")
        // `ln -sfn`, atomically: a new link renamed over the old one.
        XCTAssertEqual(symlink(path("releases/2"), path("www/current.new")), 0)
        XCTAssertEqual(rename(path("www/current.new"), path("www/current")), 0)
        XCTAssertEqual(try get("/current/page.html").bodyText, "release 2")
        overwriteInPlace("releases/2/page.html", "RELEASE 2")
        XCTAssertEqual(try get("/current/page.html").bodyText, "RELEASE 2", "the target changed through another path")
    }
}
