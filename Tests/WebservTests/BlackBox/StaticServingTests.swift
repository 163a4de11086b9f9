import XCTest
import Glibc
@testable import webserv

/// The built binary serving files from a temp directory.
/// What needs no real port or process is AnswerLoopTests', StaticLoopTests',
/// ErrorPageLoopTests' and FreshnessLoopTests' (in-process).
final class StaticServingTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            types { text/html html; text/css css; text/plain txt; }
            default_type application/octet-stream;
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                error_page 404 /missing.html;
                location /list/ { autoindex on; }
                location /aliased/ { alias DIR/other/; }
                location = /moved { return 301 /list/; }
                location = /teapot { return 418 "short and stout"; }
            }
        }
        """, files: [
            "www/index.html": "<h1>home</h1>",
            "www/style.css": "body{}",
            "www/missing.html": "custom not found",
            "www/list/a.txt": "aaaa",
            "www/list/sub/b.txt": "b",
            "www/plain/c.txt": "c",
            "www/nested/index.html/inner.txt": "inner",
            "www/nested/index.htm": "a later index name",
            "www/data.bin": String(repeating: "0123456789", count: 100),
            "other/x.txt": "from alias",
            "secret.txt": "outside the root",
        ])
    }

    override func tearDown() { server.stop() }

    func testDirectoryRedirectAndAutoindex() throws {
        let redirect = try server.get("/list?x=1")
        XCTAssertEqual(redirect.status, 301)
        // As nginx's default absolute_redirect: the client's host (lower case, no port), the port it reached.
        XCTAssertEqual(redirect.header("Location"), "http://localhost:\(server.ports[0])/list/?x=1")
        let named = try server.request("GET /list HTTP/1.1\r\nHost: Example.ORG:8080\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(named.header("Location"), "http://example.org:\(server.ports[0])/list/")
        let absoluteForm = try server.request("GET http://other/li%73t?y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(absoluteForm.header("Location"), "http://other:\(server.ports[0])/list/?y", "the path, not the whole target")
        let noHost = try server.request("GET /list HTTP/1.0\r\n\r\n")
        XCTAssertEqual(noHost.header("Location"), "http://127.0.0.1:\(server.ports[0])/list/")
        let listing = try server.get("/list/")
        XCTAssertEqual(listing.status, 200)
        XCTAssertTrue(listing.bodyText.contains("<a href=\"sub/\">sub/</a>"), listing.bodyText)
        XCTAssertTrue(listing.bodyText.contains("<a href=\"a.txt\">a.txt</a>"))
        XCTAssertEqual(try server.get("/plain/").status, 403, "no index, no autoindex outside /list/")
    }

    /// As nginx: an index name that is a directory is taken (nginx's index
    /// module opens it and redirects internally), so the directory's slash
    /// redirect answers, not a later index name.
    func testAnIndexNameThatIsADirectoryIsRedirectedToItsSlash() throws {
        let response = try server.request("GET /nested/?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(response.status, 301)
        XCTAssertEqual(response.header("Location"), "http://localhost:\(server.ports[0])/nested/index.html/?q=1")
    }

    func testAliasAndReturn() throws {
        XCTAssertEqual(try server.get("/aliased/x.txt").bodyText, "from alias")
        let moved = try server.get("/moved")
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.header("Location"), "http://localhost:\(server.ports[0])/list/")
        let teapot = try server.get("/teapot")
        XCTAssertEqual(teapot.status, 418)
        XCTAssertEqual(teapot.bodyText, "short and stout")
    }

    func testManyDistinctFilesHoldABoundedNumberOfDescriptors() throws {
        for index in 0..<300 {
            XCTAssertTrue(FileManager.default.createFile(atPath: server.directory + "/www/plain/n\(index).txt", contents: Data("\(index)".utf8)))
        }
        let before = server.openDescriptorCount
        for index in 0..<300 { XCTAssertEqual(try server.get("/plain/n\(index).txt").bodyText, "\(index)") }
        let bound = OpenFileCache().capacity
        XCTAssertLessThanOrEqual(server.openDescriptorCount(settling: { $0 - before <= bound }) - before, bound)
    }
}
