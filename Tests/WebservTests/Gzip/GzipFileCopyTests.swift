import ConfLang
import Foundation
import Glibc
import XCTest
@testable import webserv

/// A whole file up to `FileGzipCopies.maxFileSize` is compressed once per
/// version and level and kept on its `OpenFile` (which the open file cache
/// replaces when the file changes), within a budget for every copy: its
/// answers leave from memory with a Content-Length, not compressed again.
final class GzipFileCopyTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "gzip-copy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
        FileGzipCopies.budget = FileGzipCopies.defaultBudget
    }

    private let page = Array(String(repeating: "<p>a page of text, one line of many</p>\n", count: 2_500).utf8)   // 100 KB

    private func openFile(_ bytes: [UInt8], name: String = "page.html") throws -> OpenFile {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var info = stat()
        XCTAssertEqual(fstat(fd, &info), 0)
        return OpenFile(fd: fd, identity: FileIdentity(info))
    }

    private func location() -> ResolvedLocation {
        let text = "events { }\nhttp { server { listen 80; root /srv/www; gzip on; gzip_comp_level 1; } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        return Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv")).servers[0].base
    }

    private func head(method: String = "GET") -> RequestHead? {
        let parser = RequestParser(limits: RequestLimits())
        guard case .head = parser.parse(Array("\(method) / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n".utf8)) else { return nil }
        return parser.head
    }

    private func answer(_ file: OpenFile, method: String = "GET") -> (Response, OutputDecision) {
        var response = Response(status: 200, headers: [("Content-Type", "text/html"), ("ETag", "\"\(file.etag)\""),
                                                       ("Content-Length", "\(file.size)")],
                                body: .file(file, offset: 0, length: file.size))
        var decision = OutputDecision(keepAlive: true, listening: true)
        HeaderFilters.run(&response, head: head(method: method), location: location(), transport: Transport(fd: -1), &decision)
        return (response, decision)
    }

    func testAWholeFileLeavesAsItsCopyWithALengthAndTheCopyIsMadeOnce() throws {
        let file = try openFile(page)
        let (first, decision) = answer(file)
        guard case .bytes(let compressed) = first.body else { return XCTFail("the file still streams: \(first.body)") }
        XCTAssertEqual(Gunzip.decompress(compressed), page)
        XCTAssertNil(decision.gzip, "no stream: compressed already")
        XCTAssertFalse(decision.chunked, "its length is known: Content-Length, not chunks")
        XCTAssertTrue(first.headers.contains { $0.name == "Content-Encoding" && $0.value == "gzip" })
        XCTAssertTrue(first.headers.contains { $0.name == "ETag" && $0.value.hasPrefix("W/") })
        let (second, _) = answer(file)
        guard case .bytes(let again) = second.body else { return XCTFail("the second answer streams") }
        XCTAssertTrue(compressed.withUnsafeBufferPointer { a in again.withUnsafeBufferPointer { $0.baseAddress == a.baseAddress } },
                      "the same copy, not compressed again")
        XCTAssertEqual(FileGzipCopies.stored, compressed.count)
        let (headAnswer, headDecision) = answer(file, method: "HEAD")
        XCTAssertNil(headDecision.gzip)
        XCTAssertEqual(headAnswer.bodyLength, compressed.count, "HEAD: the fields GET has, its length too")
    }

    func testACopyIsCountedWhileItsFileIsKeptAndNotKeptPastTheBudget() throws {
        var file: OpenFile? = try openFile(page)
        _ = answer(try XCTUnwrap(file))
        XCTAssertGreaterThan(FileGzipCopies.stored, 0)
        file = nil
        XCTAssertEqual(FileGzipCopies.stored, 0, "a file let go of takes its copy with it")
        FileGzipCopies.budget = 100
        let other = try openFile(page, name: "other.html")
        let (response, _) = answer(other)
        guard case .bytes(let compressed) = response.body else { return XCTFail("compressed whole all the same") }
        XCTAssertEqual(Gunzip.decompress(compressed), page)
        XCTAssertEqual(FileGzipCopies.stored, 0, "over the budget: not kept")
        // A budget already full: no copy is made, the file goes compressed on the way.
        let kept = try openFile(page, name: "kept.html")
        FileGzipCopies.budget = FileGzipCopies.defaultBudget
        _ = answer(kept)
        FileGzipCopies.budget = FileGzipCopies.stored
        let third = try openFile(page, name: "third.html")
        let (streamed, decision) = answer(third)
        guard case .file = streamed.body else { return XCTFail("a full budget: compressed on the way") }
        XCTAssertNotNil(decision.gzip)
    }

    func testALargerFileStillStreamsInPieces() throws {
        let large = try openFile([UInt8](repeating: UInt8(ascii: "a"), count: FileGzipCopies.maxFileSize + 1), name: "large.html")
        let (response, decision) = answer(large)
        guard case .file = response.body else { return XCTFail("a file over the bound is compressed on the way") }
        XCTAssertNotNil(decision.gzip)
        XCTAssertTrue(decision.chunked)
    }
}
