import XCTest
import Glibc
@testable import webserv

/// A small cached file's compressed copy: made once per version and level,
/// and counted against the cache's budget like the plain bytes.
final class GzipCachedCopyTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "gzip-cached-copy-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    private func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    private let page = Array(String(repeating: "<p>a small page of text</p>\n", count: 400).utf8)

    func testTheCopyIsMadeOncePerLevelAndCounted() throws {
        let cache = SmallFileCache(budget: 1 << 20, watcher: nil, racyMarginNanoseconds: 0)
        let file = try XCTUnwrap(cache.store(write("a.html", page)))
        let plain = cache.storedBytes
        let copy = try XCTUnwrap(file.gzipped(level: 1))
        XCTAssertEqual(Gunzip.decompress(copy), page)
        XCTAssertEqual(cache.storedBytes, plain + copy.count, "the copy counts against the budget")
        let again = try XCTUnwrap(file.gzipped(level: 1))
        XCTAssertTrue(copy.withUnsafeBufferPointer { a in again.withUnsafeBufferPointer { a.baseAddress == $0.baseAddress } },
                      "the same bytes, not compressed again")
        let level9 = try XCTUnwrap(file.gzipped(level: 9))
        XCTAssertEqual(cache.storedBytes, plain + level9.count, "one copy at a time")
        cache.removeAll()
        XCTAssertEqual(cache.storedBytes, 0, "what was counted is given back")
    }

    func testACopyThatPassesTheBudgetEvictsOthers() throws {
        let noise = (0..<30_000).map { _ in UInt8.random(in: 0...255) }   // does not compress: the copy is as large
        let cache = SmallFileCache(budget: 80_000, watcher: nil, racyMarginNanoseconds: 0)
        let first = try XCTUnwrap(cache.store(write("first.bin", noise)))
        _ = try XCTUnwrap(cache.store(write("second.bin", noise)))
        XCTAssertLessThanOrEqual(cache.storedBytes, 80_000)
        _ = try XCTUnwrap(first.gzipped(level: 1))
        XCTAssertLessThanOrEqual(cache.storedBytes, 80_000, "the budget holds with the copy")
        XCTAssertEqual(cache.statistics.evictions, 1, "the other file, not the one whose copy was made")
        XCTAssertNotNil(cache.lookup(first.path))
    }
}
