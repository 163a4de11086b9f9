import Foundation
import XCTest
import Glibc
@testable import webserv

/// `expires` in-process, as nginx's headers filter: Expires and
/// Cache-Control on 2xx/3xx answers, inherited from http down to a location,
/// read off the wire. Date and Expires come from the wall clock, as in the
/// binary; the harness's clock moves only the loop's deadlines.
final class ExpiresLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        let loop = try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            expires 1h;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /off/ { expires off; }
                location /epoch/ { expires epoch; }
                location /max/ { expires max; }
                location /past/ { expires -1; }
                location /modified/ { expires modified 1h; }
                location /moved { return 301 /a.txt; }
            }
        }
        """, files: [
            "www/a.txt": Array("A".utf8), "www/off/a.txt": Array("off".utf8), "www/epoch/a.txt": Array("epoch".utf8),
            "www/max/a.txt": Array("max".utf8), "www/past/a.txt": Array("past".utf8), "www/modified/old.txt": Array("old".utf8),
        ])
        // Last-Modified two hours ago: 'modified 1h' ran out an hour ago.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)],
                                              ofItemAtPath: loop.directory + "/www/modified/old.txt")
        return loop
    }

    /// Expires minus Date, in seconds.
    private func lifetime(_ response: HTTPTestResponse) throws -> Int {
        let expires = try XCTUnwrap(response.header("Expires").flatMap(HTTPDate.parse), response.head)
        let date = try XCTUnwrap(response.header("Date").flatMap(HTTPDate.parse), response.head)
        return expires - date
    }

    func testInheritedFromHttp() throws {
        let loop = try harness()
        let file = try XCTUnwrap(loop.get("/a.txt"))
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.header("Cache-Control"), "max-age=3600")
        // Date and Expires are read from the clock one after the other: the same second, or the next.
        XCTAssertTrue((3599...3600).contains(try lifetime(file)), file.head)
    }

    func testEachValue() throws {
        let loop = try harness()
        let off = try XCTUnwrap(loop.get("/off/a.txt"))
        XCTAssertEqual(off.status, 200)
        XCTAssertNil(off.header("Expires"))
        XCTAssertNil(off.header("Cache-Control"))
        let epoch = try XCTUnwrap(loop.get("/epoch/a.txt"))
        XCTAssertEqual(epoch.header("Expires"), "Thu, 01 Jan 1970 00:00:01 GMT")
        XCTAssertEqual(epoch.header("Cache-Control"), "no-cache")
        let max = try XCTUnwrap(loop.get("/max/a.txt"))
        XCTAssertEqual(max.header("Expires"), "Thu, 31 Dec 2037 23:55:55 GMT")
        XCTAssertEqual(max.header("Cache-Control"), "max-age=315360000")
        let past = try XCTUnwrap(loop.get("/past/a.txt"))
        XCTAssertEqual(past.header("Cache-Control"), "no-cache")
        XCTAssertTrue((-1...0).contains(try lifetime(past)), past.head)
        let modified = try XCTUnwrap(loop.get("/modified/old.txt"))
        let lastModified = try XCTUnwrap(modified.header("Last-Modified").flatMap(HTTPDate.parse))
        XCTAssertEqual(modified.header("Expires").flatMap(HTTPDate.parse), lastModified + 3600)
        XCTAssertEqual(modified.header("Cache-Control"), "no-cache", "an hour past its Last-Modified plus 1h")
    }

    func testOnlyOnSuccessAndRedirects() throws {
        let loop = try harness()
        let missing = try XCTUnwrap(loop.get("/missing.txt"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertNil(missing.header("Expires"))
        XCTAssertNil(missing.header("Cache-Control"))
        let moved = try XCTUnwrap(loop.get("/moved"))
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.header("Cache-Control"), "max-age=3600")
        let lastModified = try XCTUnwrap(loop.get("/a.txt")?.header("Last-Modified"))
        let unchanged = try XCTUnwrap(loop.get("/a.txt", headers: "If-Modified-Since: \(lastModified)\r\n"))
        XCTAssertEqual(unchanged.status, 304)
        XCTAssertEqual(unchanged.header("Cache-Control"), "max-age=3600")
    }

    func testTwoAnswersOnOneConnectionAreIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET /max/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        let first = try XCTUnwrap(wire.next())
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.header("Cache-Control"), "max-age=315360000")
        XCTAssertEqual(first.bodyText, "max")
        let second = try XCTUnwrap(wire.next())
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.header("Cache-Control"), "max-age=3600")
        XCTAssertEqual(second.header("Content-Length"), "1")
        XCTAssertEqual(second.bodyText, "A")
        XCTAssertEqual(wire.rest, [])
    }
}
