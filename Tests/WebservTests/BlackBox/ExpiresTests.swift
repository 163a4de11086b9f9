import Foundation
import XCTest
@testable import webserv

/// `expires`, as nginx's headers filter: Expires and Cache-Control on
/// 2xx/3xx answers of every kind, inherited from http down to a location.
final class ExpiresTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            expires 1h;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /off/ { expires off; }
                location /epoch/ { expires epoch; }
                location /max/ { expires max; }
                location /past/ { expires -1; }
                location /modified/ { expires modified 1h; }
                location /moved { return 301 /a.txt; }
                location /cgi/ { cgi_path /usr/bin/python3; expires 30s; }
            }
        }
        """, files: [
            "www/a.txt": "A", "www/off/a.txt": "off", "www/epoch/a.txt": "epoch", "www/max/a.txt": "max",
            "www/past/a.txt": "past", "www/modified/old.txt": "old",
            "www/cgi/own.py": "print('Content-Type: text/plain'); print('Cache-Control: private'); print('Expires: 0'); print(); print('own')",
        ])
        // Last-Modified two hours ago: 'modified 1h' ran out an hour ago.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)],
                                              ofItemAtPath: server.directory + "/www/modified/old.txt")
    }

    override func tearDown() { server.stop() }

    /// Expires minus Date, in seconds.
    private func lifetime(_ response: HTTPTestResponse) throws -> Int {
        let expires = try XCTUnwrap(response.header("Expires").flatMap(HTTPDate.parse), response.head)
        let date = try XCTUnwrap(response.header("Date").flatMap(HTTPDate.parse), response.head)
        return expires - date
    }

    func testInheritedFromHttp() throws {
        let file = try server.get("/a.txt")
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.header("Cache-Control"), "max-age=3600")
        // Date and Expires are read from the clock one after the other: the same second, or the next.
        XCTAssertTrue((3599...3600).contains(try lifetime(file)), file.head)
    }

    func testEachValue() throws {
        let off = try server.get("/off/a.txt")
        XCTAssertEqual(off.status, 200)
        XCTAssertNil(off.header("Expires"))
        XCTAssertNil(off.header("Cache-Control"))
        let epoch = try server.get("/epoch/a.txt")
        XCTAssertEqual(epoch.header("Expires"), "Thu, 01 Jan 1970 00:00:01 GMT")
        XCTAssertEqual(epoch.header("Cache-Control"), "no-cache")
        let max = try server.get("/max/a.txt")
        XCTAssertEqual(max.header("Expires"), "Thu, 31 Dec 2037 23:55:55 GMT")
        XCTAssertEqual(max.header("Cache-Control"), "max-age=315360000")
        let past = try server.get("/past/a.txt")
        XCTAssertEqual(past.header("Cache-Control"), "no-cache")
        XCTAssertTrue((-1...0).contains(try lifetime(past)), past.head)
        let modified = try server.get("/modified/old.txt")
        let lastModified = try XCTUnwrap(modified.header("Last-Modified").flatMap(HTTPDate.parse))
        XCTAssertEqual(modified.header("Expires").flatMap(HTTPDate.parse), lastModified + 3600)
        XCTAssertEqual(modified.header("Cache-Control"), "no-cache", "an hour past its Last-Modified plus 1h")
    }

    func testOnlyOnSuccessAndRedirects() throws {
        let missing = try server.get("/missing.txt")
        XCTAssertEqual(missing.status, 404)
        XCTAssertNil(missing.header("Expires"))
        XCTAssertNil(missing.header("Cache-Control"))
        let moved = try server.get("/moved")
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.header("Cache-Control"), "max-age=3600")
        let lastModified = try XCTUnwrap(try server.get("/a.txt").header("Last-Modified"))
        let unchanged = try server.get("/a.txt", headers: "If-Modified-Since: \(lastModified)\r\n")
        XCTAssertEqual(unchanged.status, 304)
        XCTAssertEqual(unchanged.header("Cache-Control"), "max-age=3600")
    }

    func testAScriptsOwnFieldsAreReplaced() throws {
        let script = try server.get("/cgi/own.py")
        XCTAssertEqual(script.status, 200, script.head)
        XCTAssertEqual(script.head.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("cache-control:") },
                       ["Cache-Control: max-age=30"])
        XCTAssertEqual(script.head.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("expires:") }.count, 1)
        XCTAssertTrue((29...30).contains(try lifetime(script)), script.head)
        XCTAssertEqual(script.bodyText, "own\n")
    }

    func testTwoAnswersOnOneConnectionAreIntact() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET /max/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.header("Cache-Control"), "max-age=315360000")
        XCTAssertEqual(first.bodyText, "max")
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.header("Cache-Control"), "max-age=3600")
        XCTAssertEqual(second.header("Content-Length"), "1")
        XCTAssertEqual(second.bodyText, "A")
    }
}
