import XCTest
import Glibc
@testable import webserv

final class OpenFileCacheTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "open-file-cache-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    private func stated(_ path: String) throws -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError(call: "stat", errorNumber: errno) }
        return info
    }

    private func open(_ cache: OpenFileCache, _ path: String) throws -> OpenFile {
        try cache.file(at: path, info: try stated(path)).get()
    }

    /// What the descriptor reads now, from offset 0.
    private func contents(_ file: OpenFile) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = pread(file.fd, &buffer, buffer.count, 0)
        return String(decoding: buffer[0..<max(0, count)], as: UTF8.self)
    }

    func testAnUnchangedFileKeepsItsDescriptor() throws {
        let cache = OpenFileCache()
        let path = write("a.txt", "first")
        let first = try open(cache, path)
        XCTAssertTrue(first === (try open(cache, path)))
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(first.size, 5)
        XCTAssertEqual(first.etag, "\"\(String(first.identity.modifiedSeconds, radix: 16))-5\"")
        XCTAssertEqual(first.lastModified, HTTPDate.format(first.identity.modifiedSeconds))
    }

    func testAReplacedFileIsOpenedAnew() throws {
        let cache = OpenFileCache()
        let path = write("a.txt", "old contents")
        let old = try open(cache, path)
        // Replaced the way uploads do it: a new file renamed over the old one.
        let replacement = write("a.txt.tmp", "new")
        XCTAssertEqual(rename(replacement, path), 0)
        let new = try open(cache, path)
        XCTAssertFalse(old === new)
        XCTAssertEqual(contents(new), "new")
        XCTAssertEqual(new.size, 3)
        XCTAssertEqual(contents(old), "old contents", "a response still sending the old file keeps its descriptor")
    }

    func testAFileRewrittenInPlaceWithTheSameSizeIsOpenedAnew() throws {
        let cache = OpenFileCache()
        let path = write("a.txt", "aaaa")
        let old = try open(cache, path)
        usleep(10_000)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.write(Data("bbbb".utf8))
        handle.closeFile()
        let new = try open(cache, path)
        XCTAssertFalse(old === new, "mtime/ctime changed, so the entry is not trusted")
        XCTAssertEqual(contents(new), "bbbb")
    }

    func testMissingAndUnreadableFiles() throws {
        let cache = OpenFileCache()
        let path = write("locked.txt", "x")
        XCTAssertEqual(chmod(path, 0), 0)
        defer { chmod(path, 0o644) }
        if geteuid() != 0 {   // root reads anything
            let result = cache.file(at: path, info: try stated(path))
            guard case .failure(let failure) = result else { return XCTFail("opened a mode-000 file") }
            XCTAssertEqual(failure.errorNumber, EACCES)
        }
        let removed = write("gone.txt", "x")
        let info = try stated(removed)
        unlink(removed)
        guard case .failure(let failure) = cache.file(at: removed, info: info) else { return XCTFail("opened a removed file") }
        XCTAssertEqual(failure.errorNumber, ENOENT)
    }

    func testCapacityBoundsTheDescriptorsHeld() throws {
        let cache = OpenFileCache(capacity: 3)
        var opened: [Int32] = []
        for index in 0..<10 { opened.append(try open(cache, write("f\(index).txt", "\(index)")).fd) }
        XCTAssertEqual(cache.count, 3)
        // The files dropped from the cache (and held by nobody) are closed.
        let stillOpen = Set(opened).filter { fcntl($0, F_GETFD) != -1 }
        XCTAssertLessThanOrEqual(stillOpen.count, 3)
    }

    func testSweepClosesWhatWasNotUsedRecently() throws {
        let cache = OpenFileCache(inactiveSeconds: 10)
        cache.sweep(nowSeconds: 100)
        let old = try open(cache, write("old.txt", "o")).fd
        cache.sweep(nowSeconds: 105)
        let recent = try open(cache, write("recent.txt", "r")).fd
        cache.sweep(nowSeconds: 111)
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(fcntl(old, F_GETFD), -1, "closed once unused for 10 s")
        XCTAssertNotEqual(fcntl(recent, F_GETFD), -1)
        cache.forget(directory + "/recent.txt")
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(fcntl(recent, F_GETFD), -1)
    }

    func testAResponseKeepsItsFileOpenAfterTheCacheLetsGo() throws {
        let cache = OpenFileCache()
        let file = try open(cache, write("held.txt", "held"))
        cache.removeAll()
        XCTAssertEqual(contents(file), "held")
        let fd = file.fd
        XCTAssertNotEqual(fcntl(fd, F_GETFD), -1)
    }
}

final class ResponseHeadTests: XCTestCase {
    func testDecimal() {
        for value in [0, 7, 10, 99, 612, 1_000_000, 1 << 40, Int.max] {
            var bytes: [UInt8] = []
            bytes.appendDecimal(value)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(value))
        }
    }

    private func head(_ response: Response, keepAlive: Bool) -> String {
        var bytes: [UInt8] = []
        HTTP1Encoder.appendHead(response, chunked: false, keepAlive: keepAlive, date: Array("D\r\n".utf8), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func testHeadBlock() {
        var response = Response(status: 404, headers: [("Content-Type", "text/html")], body: .bytes(Array("gone".utf8)))
        XCTAssertEqual(head(response, keepAlive: true),
                       "HTTP/1.1 404 Not Found\r\nServer: webserv\r\nDate: D\r\nContent-Type: text/html\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\n")
        response.status = 304
        XCTAssertEqual(head(response, keepAlive: false),
                       "HTTP/1.1 304 Not Modified\r\nServer: webserv\r\nDate: D\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n",
                       "no Content-Length on a 304")
    }
}
