import XCTest
import Glibc
@testable import webserv

/// The built binary serving files from a temp directory.
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
                location /post/ { allow_methods GET POST; }
                location /found/ { error_page 404 =200 /missing.html; }
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

    func testIndexAndMimeTypes() throws {
        let home = try server.get("/")
        XCTAssertEqual(home.status, 200)
        XCTAssertEqual(home.bodyText, "<h1>home</h1>")
        XCTAssertEqual(home.header("Content-Type"), "text/html")
        XCTAssertEqual(try server.get("/style.css").header("Content-Type"), "text/css")
        XCTAssertEqual(try server.get("/data.bin").header("Content-Type"), "application/octet-stream")
        XCTAssertEqual(home.header("Server"), "webserv")
        XCTAssertNotNil(home.header("Date"))
    }

    func testHeadHasHeadersAndNoBody() throws {
        let response = try server.request("HEAD /data.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", headRequest: true)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Length"), "1000")
        XCTAssertTrue(response.body.isEmpty)
    }

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

    func testErrorPageAndDefaultPages() throws {
        let missing = try server.get("/nothing-here")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.bodyText, "custom not found")
        XCTAssertEqual(missing.header("Content-Type"), "text/html")
        XCTAssertNotNil(missing.header("ETag"), "as nginx: the page's ETag, not its date")
        XCTAssertNil(missing.header("Last-Modified"))
        XCTAssertNil(missing.header("Accept-Ranges"))
        let found = try server.get("/found/nothing")
        XCTAssertEqual(found.status, 200, "=200")
        XCTAssertEqual(found.bodyText, "custom not found")
        XCTAssertNotNil(found.header("Last-Modified"), "a 200 says all a file would")
        XCTAssertEqual(found.header("Accept-Ranges"), "bytes")
        let forbidden = try server.get("/plain/")
        XCTAssertTrue(forbidden.bodyText.contains("403 Forbidden"))
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

    func testMethodNotAllowedHasAllow() throws {
        let response = try server.request("DELETE /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")
        // Allowed, but nothing serves a POST to a static file.
        let post = try server.request("POST /post/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("Allow"), "GET, HEAD, POST")
        XCTAssertEqual(try server.request("BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 501)
    }

    func testRangesAndConditionalRequests() throws {
        let partial = try server.get("/data.bin", headers: "Range: bytes=10-19\r\n")
        XCTAssertEqual(partial.status, 206)
        XCTAssertEqual(partial.header("Content-Range"), "bytes 10-19/1000")
        XCTAssertEqual(partial.bodyText, "0123456789")
        XCTAssertNil(partial.header("Accept-Ranges"), "as nginx: only the whole file offers ranges")
        let tail = try server.get("/data.bin", headers: "Range: bytes=-3\r\n")
        XCTAssertEqual(tail.bodyText, "789")
        let unsatisfiable = try server.get("/data.bin", headers: "Range: bytes=5000-\r\n")
        XCTAssertEqual(unsatisfiable.status, 416)
        XCTAssertEqual(unsatisfiable.header("Content-Range"), "bytes */1000")
        XCTAssertTrue(unsatisfiable.bodyText.contains("<title>416 Requested Range Not Satisfiable</title>"), unsatisfiable.bodyText)
        XCTAssertEqual(unsatisfiable.header("Content-Type"), "text/html")
        let full = try server.get("/data.bin")
        XCTAssertEqual(full.header("Accept-Ranges"), "bytes")
        let etag = try XCTUnwrap(full.header("ETag"))
        let lastModified = try XCTUnwrap(full.header("Last-Modified"))
        let notModified = try server.get("/data.bin", headers: "If-None-Match: \(etag)\r\n")
        XCTAssertEqual(notModified.status, 304)
        XCTAssertEqual(notModified.header("ETag"), etag)
        XCTAssertEqual(notModified.header("Last-Modified"), lastModified)
        XCTAssertNil(notModified.header("Content-Type"), "a 304 carries the validators only")
        XCTAssertNil(notModified.header("Content-Length"))
        XCTAssertEqual(try server.get("/data.bin", headers: "If-Modified-Since: \(lastModified)\r\n").status, 304)
        XCTAssertEqual(try server.get("/data.bin", headers: "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT\r\n").status, 200)
    }

    func testTraversalNeverLeavesTheRoot() throws {
        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/list/../../secret.txt", "/%2E%2E%2Fsecret.txt"] {
            let response = try server.get(path)
            XCTAssertEqual(response.status, 400, path)
            XCTAssertFalse(response.bodyText.contains("outside the root"), path)
        }
        let doubleEncoded = try server.get("/%252e%252e/secret.txt")
        XCTAssertEqual(doubleEncoded.status, 404)
        XCTAssertFalse(doubleEncoded.bodyText.contains("outside the root"))
    }

    func testAccessLogInCombinedFormat() throws {
        _ = try server.request("GET /style.css HTTP/1.1\r\nHost: x\r\nUser-Agent: tester/1\r\nReferer: http://r/\r\nConnection: close\r\n\r\n")
        var log = ""
        for _ in 0..<30 {
            log = (try? String(contentsOfFile: server.directory + "/logs/access.log", encoding: .utf8)) ?? ""
            if !log.isEmpty { break }
            usleep(100_000)
        }
        XCTAssertTrue(log.contains("127.0.0.1 - - ["), log)
        XCTAssertTrue(log.contains("] \"GET /style.css HTTP/1.1\" 200 6 \"http://r/\" \"tester/1\""), log)
    }

    /// Files are served as they are now: the server's open-file cache never
    /// answers with a changed, replaced or removed file's old state.
    func testChangedReplacedAndRemovedFilesAreServedAsTheyAreNow() throws {
        let path = server.directory + "/www/plain/c.txt"
        XCTAssertEqual(try server.get("/plain/c.txt").bodyText, "c")
        try "longer now".write(toFile: path, atomically: false, encoding: .utf8)
        let rewritten = try server.get("/plain/c.txt")
        XCTAssertEqual(rewritten.bodyText, "longer now")
        XCTAssertEqual(rewritten.header("Content-Length"), "10")
        try "new".write(toFile: path, atomically: true, encoding: .utf8)   // a temporary file renamed over it
        XCTAssertEqual(try server.get("/plain/c.txt").bodyText, "new")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(try server.get("/plain/c.txt").status, 404)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("back".utf8)))
        XCTAssertEqual(try server.get("/plain/c.txt").bodyText, "back")
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

    /// With the default 60 s header timeout, a request line that can never be
    /// valid is still answered at once (a TLS handshake to the plain port).
    func testImpossibleRequestLineIsAnsweredAtOnce() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 5)
        client.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])
        XCTAssertEqual(client.readResponse()?.status, 400)
        XCTAssertEqual(try server.get("/plain/c.txt").bodyText, "c")
    }

    func testRequestLinesAndHostsAsNginxTakesThem() throws {
        XCTAssertEqual(try server.request("GET  /plain/c.txt  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").bodyText, "c")
        XCTAssertEqual(try server.request("GET /plain/c.txt#top HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").bodyText, "c")
        XCTAssertEqual(try server.request("GET /plain/c.txt HTTP/1.9\r\nHost: x\r\nConnection: close\r\n\r\n").status, 200)
        XCTAssertEqual(try server.request("get /plain/c.txt HTTP/1.1\r\nHost: x\r\n\r\n").status, 400)
        XCTAssertEqual(try server.request("GET /plain/c.txt HTTP/1.1\r\nHost: a b\r\n\r\n").status, 400)
        XCTAssertEqual(try server.request("GET /plain/c.txt HTTP/1.1\r\nHost:\r\n\r\n").status, 400)
        XCTAssertEqual(try server.request("GET http://x/plain/c.txt HTTP/1.1\r\n\r\n").status, 400, "Host is still required")
    }

    func testIfRangeSendsTheWholeFileWhenItChanged() throws {
        let full = try server.get("/data.bin")
        let etag = try XCTUnwrap(full.header("ETag"))
        let lastModified = try XCTUnwrap(full.header("Last-Modified"))
        XCTAssertEqual(try server.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: \(etag)\r\n").status, 206)
        XCTAssertEqual(try server.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: \(lastModified)\r\n").status, 206)
        let stale = try server.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: \"0-0\"\r\n")
        XCTAssertEqual(stale.status, 200)
        XCTAssertEqual(stale.body.count, 1000)
        XCTAssertEqual(try server.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: W/\(etag)\r\n").status, 200, "weak tags never match")
        XCTAssertEqual(try server.get("/data.bin", headers: "Range: bytes=0-3\r\nIf-Range: Thu, 01 Jan 1970 00:00:01 GMT\r\n").status, 200)
    }

    func testUnopenableFilesGetNginxStatuses() throws {
        XCTAssertEqual(symlink("loop", server.directory + "/www/loop"), 0)
        XCTAssertEqual(try server.get("/loop").status, 403, "a symlink loop")
        XCTAssertEqual(try server.get("/index.html/x").status, 404, "a file used as a directory")
        // nginx's static module: "is not a regular file", 404 (the index file's too).
        XCTAssertEqual(mkfifo(server.directory + "/www/fifo", 0o644), 0)
        XCTAssertEqual(try server.get("/fifo").status, 404, "a FIFO")
        XCTAssertEqual(mkfifo(server.directory + "/www/plain/index.html", 0o644), 0)
        XCTAssertEqual(try server.get("/plain/").status, 404, "an index name that is a FIFO")
    }

    func testSeveralRangesAreAMultipartAnswer() throws {
        let response = try server.get("/data.bin", headers: "Range: bytes=0-2,10-11,-3\r\n")
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
        let head = try server.request("HEAD /data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-2,10-11\r\nConnection: close\r\n\r\n",
                                      headRequest: true)
        XCTAssertEqual(head.status, 206)
        XCTAssertTrue(head.body.isEmpty)
    }
}
