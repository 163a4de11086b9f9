import XCTest
import Glibc
import ConfLang
@testable import webserv

/// The static-file handler answers the same with the small-file cache as
/// without it: the same status, headers and bytes, whether the file was just
/// stored or was a hit; and a change is served at once.
final class StaticFileHandlerCacheTests: XCTestCase {
    private var directory = ""
    private var router: Router!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "handler-cache-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/docs", withIntermediateDirectories: true)
        try Data("0123456789abcdef".utf8).write(to: URL(fileURLWithPath: directory + "/a.html"))
        try Data("the index".utf8).write(to: URL(fileURLWithPath: directory + "/docs/index.html"))
        let text = "events { }\nhttp { types { text/html html; } server { listen 80; root \(directory); } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined())
        router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func respond(_ request: String, files: OpenFileCache, cache: SmallFileCache?) throws -> Response {
        let parser = RequestParser()
        guard case .head = parser.parse(Array((request + "\r\nHost: x\r\n\r\n").utf8)), let head = parser.head else {
            throw XCTSkip("the request did not parse: \(request)")
        }
        let server = try XCTUnwrap(router.servers.first)
        var handler = StaticFileHandler(head: head, route: router.route(head.path, in: server), files: files)
        handler.smallFiles = cache
        return handler.respond()
    }

    private func bytes(_ body: Response.Body) -> [UInt8] {
        func read(_ file: OpenFile, _ offset: Int, _ length: Int) -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: length)
            XCTAssertEqual(pread(file.fd, &buffer, length, off_t(offset)), length)
            return buffer
        }
        switch body {
        case .empty: return []
        case .bytes(let bytes): return bytes
        case .file(let file, let offset, let length): return read(file, offset, length)
        case .parts(let parts):
            return parts.flatMap { part -> [UInt8] in
                switch part {
                case .bytes(let bytes): return bytes
                case .file(let file, let offset, let length): return read(file, offset, length)
                }
            }
        }
    }

    private func assertSame(_ request: String, status: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let plain = try respond(request, files: OpenFileCache(), cache: nil)
        let cache = SmallFileCache(watcher: try Inotify())
        let files = OpenFileCache()
        for attempt in ["stored", "hit"] {
            let cached = try respond(request, files: files, cache: cache)
            XCTAssertEqual(cached.status, status, "\(request), \(attempt)", file: file, line: line)
            XCTAssertEqual(cached.status, plain.status, "\(request), \(attempt)", file: file, line: line)
            XCTAssertEqual(cached.fields.map { "\($0.name): \($0.value)" }, plain.fields.map { "\($0.name): \($0.value)" },
                           "\(request), \(attempt)", file: file, line: line)
            XCTAssertEqual(bytes(cached.body), bytes(plain.body), "\(request), \(attempt)", file: file, line: line)
        }
        XCTAssertEqual(cache.statistics.hits, 1, request, file: file, line: line)
    }

    func testAnswersAreTheSameAsWithoutTheCache() throws {
        var info = stat()
        XCTAssertEqual(stat(directory + "/a.html", &info), 0)
        let identity = FileIdentity(info)
        try assertSame("GET /a.html HTTP/1.1", status: 200)
        try assertSame("GET /docs/ HTTP/1.1", status: 200)
        try assertSame("GET /a.html HTTP/1.1\r\nIf-None-Match: \(identity.etag)", status: 304)
        try assertSame("GET /a.html HTTP/1.1\r\nIf-Modified-Since: \(identity.lastModified)", status: 304)
        try assertSame("GET /a.html HTTP/1.1\r\nRange: bytes=2-5", status: 206)
        // A validator that no longer matches: the whole file, built as any answer with conditionals is.
        try assertSame("GET /a.html HTTP/1.1\r\nIf-None-Match: \"other\"", status: 200)
        try assertSame("GET /a.html HTTP/1.1\r\nRange: bytes=-3", status: 206)
        try assertSame("GET /a.html HTTP/1.1\r\nRange: bytes=100-", status: 416)
        try assertSame("GET /a.html HTTP/1.1\r\nRange: bytes=2-5\r\nIf-Range: \"0-0\"", status: 200)
    }

    func testSeveralRangesAreServedFromTheFile() throws {
        let cache = SmallFileCache(watcher: try Inotify())
        let response = try respond("GET /a.html HTTP/1.1\r\nRange: bytes=0-1,4-5", files: OpenFileCache(), cache: cache)
        XCTAssertEqual(response.status, 206)
        XCTAssertTrue(response.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("multipart/byteranges; boundary=") })
        XCTAssertTrue(String(decoding: bytes(response.body), as: UTF8.self).contains("\r\n\r\n45\r\n"))
    }

    /// An index file's answer is not found again by its request alone: a new
    /// file earlier in the `index` list must answer the next request.
    func testAnIndexFileEarlierInTheListAnswersAtOnce() throws {
        let text = "events { }\nhttp { server { listen 80; root \(directory); index first.html index.html; } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
        let cache = SmallFileCache(watcher: try Inotify())
        let files = OpenFileCache()
        for _ in 0..<2 {
            XCTAssertEqual(bytes(try respond("GET /docs/ HTTP/1.1", files: files, cache: cache).body), Array("the index".utf8))
        }
        try Data("first".utf8).write(to: URL(fileURLWithPath: directory + "/docs/first.html"))
        XCTAssertEqual(bytes(try respond("GET /docs/ HTTP/1.1", files: files, cache: cache).body), Array("first".utf8))
    }

    func testAChangeIsServedAtOnce() throws {
        let cache = SmallFileCache(watcher: try Inotify())
        let files = OpenFileCache()
        XCTAssertEqual(bytes(try respond("GET /a.html HTTP/1.1", files: files, cache: cache).body), Array("0123456789abcdef".utf8))
        XCTAssertEqual(try respond("GET /docs/ HTTP/1.1", files: files, cache: cache).status, 200)
        XCTAssertEqual(cache.count, 2)
        let fd = open(directory + "/a.html", O_WRONLY)
        XCTAssertEqual(pwrite(fd, "ABCD", 4, 0), 4)
        close(fd)
        XCTAssertEqual(bytes(try respond("GET /a.html HTTP/1.1", files: files, cache: cache).body), Array("ABCD456789abcdef".utf8))
        XCTAssertEqual(unlink(directory + "/docs/index.html"), 0)
        XCTAssertEqual(try respond("GET /docs/ HTTP/1.1", files: files, cache: cache).status, 403)
    }
}
