import XCTest
import Glibc
@testable import webserv
import ConfLang

final class HTTPDateTests: XCTestCase {
    func testFormatAndParse() {
        XCTAssertEqual(HTTPDate.format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777)
        XCTAssertEqual(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777)
        XCTAssertEqual(HTTPDate.parse("Sun Nov  6 08:49:37 1994"), 784111777)
        XCTAssertNil(HTTPDate.parse("yesterday"))
        XCTAssertNil(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT trailing"))
    }
}

final class ByteRangeTests: XCTestCase {
    func testForms() {
        XCTAssertEqual(ByteRange.parse("bytes=0-9", size: 100), .range(first: 0, last: 9))
        XCTAssertEqual(ByteRange.parse("bytes=90-", size: 100), .range(first: 90, last: 99))
        XCTAssertEqual(ByteRange.parse("bytes=-10", size: 100), .range(first: 90, last: 99))
        XCTAssertEqual(ByteRange.parse("bytes=50-500", size: 100), .range(first: 50, last: 99))
        XCTAssertEqual(ByteRange.parse("bytes=100-", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=-0", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=5-1", size: 100), .unsatisfiable, "malformed: 416, as nginx")
        XCTAssertEqual(ByteRange.parse("bytes=abc", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=1-x", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=-", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=0-1,5-6", size: 100), .several([0...1, 5...6]))
        XCTAssertEqual(ByteRange.parse("bytes=0-1, 500-600, -3", size: 100), .several([0...1, 97...99]), "past the end: dropped")
        XCTAssertEqual(ByteRange.parse("bytes=500-600,0-4", size: 100), .range(first: 0, last: 4), "one left: a single range")
        XCTAssertEqual(ByteRange.parse("bytes=500-,600-", size: 100), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=0-99,0-99", size: 100), .whole, "more than the file: sent whole")
        XCTAssertEqual(ByteRange.parse("bytes=0-1,x", size: 100), .unsatisfiable)
        let many = (0..<65).map { "\($0)-\($0)" }.joined(separator: ",")
        XCTAssertEqual(ByteRange.parse("bytes=" + many, size: 100), .whole, "more than maxRanges")
        XCTAssertEqual(ByteRange.parse("items=0-1", size: 100), .whole)
    }
}

final class FileErrorStatusTests: XCTestCase {
    func testAsNginx() {
        XCTAssertEqual([ENOENT, ENOTDIR, ENAMETOOLONG].map(Router.Route.status(forFileError:)), [404, 404, 404])
        XCTAssertEqual([EACCES, ELOOP].map(Router.Route.status(forFileError:)), [403, 403])
        XCTAssertEqual([EMFILE, EIO].map(Router.Route.status(forFileError:)), [500, 500])
    }
}

final class StatusCodeTests: XCTestCase {
    func testReasonsAndDefaultPages() {
        XCTAssertEqual(StatusCode.reason(410), "Gone")
        XCTAssertEqual(StatusCode.reason(429), "Too Many Requests")
        XCTAssertEqual(StatusCode.reason(405), "Not Allowed", "nginx's wording")
        XCTAssertEqual(StatusCode.reason(499), "Client Error", "an unnamed code gets its class")
        let page = String(decoding: StatusCode.defaultPage(410), as: UTF8.self)
        XCTAssertTrue(page.contains("<title>410 Gone</title>"), page)
    }
}

final class AccessLogLineTests: XCTestCase {
    func testCombinedFormatWithNginxEscapes() {
        let line = AccessLogLine(path: "/x", remoteAddress: "10.0.0.1", requestLine: "GET /a\"b\u{01} HTTP/1.1", status: 404,
                                 bytesSent: 0, referer: "-", userAgent: "ü\\")
        var bytes: [UInt8] = []
        line.append(to: &bytes, time: "01/Dec/2026:10:00:00 +0000")
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       "10.0.0.1 - - [01/Dec/2026:10:00:00 +0000] \"GET /a\\x22b\\x01 HTTP/1.1\" 404 0 \"-\" \"\\xC3\\xBC\\x5C\"\n")
    }
}

final class TimerHeapTests: XCTestCase {
    func testPopsInDeadlineOrder() {
        var heap = TimerHeap()
        let deadlines = [50, 10, 40, 10, 90, 0, 70]
        for (index, deadline) in deadlines.enumerated() { heap.push(.init(deadline: deadline, identity: UInt64(index))) }
        var popped: [Int] = []
        while let entry = heap.pop() { popped.append(entry.deadline) }
        XCTAssertEqual(popped, deadlines.sorted())
    }
}

final class AutoindexTests: XCTestCase {
    func testEscapingAndOrder() throws {
        let directory = NSTemporaryDirectory() + "autoindex-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/zdir", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/a <b>&.txt", contents: Data("x".utf8)))
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/.hidden", contents: Data()))
        let html = AutoindexPage(directory: directory, requestPath: "/d<ir>/").html()
        XCTAssertTrue(html.contains("<title>Index of /d&lt;ir&gt;/</title>"))
        XCTAssertTrue(html.contains("<a href=\"a%20%3Cb%3E%26.txt\">a &lt;b&gt;&amp;.txt</a>"), html)
        XCTAssertFalse(html.contains("hidden"))
        let directoryIndex = try XCTUnwrap(html.range(of: "zdir/")).lowerBound
        let fileIndex = try XCTUnwrap(html.range(of: "a%20")).lowerBound
        XCTAssertLessThan(directoryIndex, fileIndex, "directories come first")
    }

    /// A browser reads the listing in standards mode, at a phone's width: the
    /// long lines scroll inside the listing instead of widening the page.
    func testStandardsModeAtAPhonesWidth() throws {
        let directory = NSTemporaryDirectory() + "autoindex-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let html = AutoindexPage(directory: directory, requestPath: "/").html()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\r\n<html lang=\"en\">"), html)
        XCTAssertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), html)
        XCTAssertTrue(html.contains("pre{overflow-x:auto}"), html)
    }
}

final class WebservOptionsTests: XCTestCase {
    func testParse() throws {
        XCTAssertEqual(try WebservOptions.parse(["-t", "a.conf"]), WebservOptions(testOnly: true, configPath: "a.conf"))
        XCTAssertEqual(try WebservOptions.parse(["-c", "a.conf"]).configPath, "a.conf")
        XCTAssertThrowsError(try WebservOptions.parse([]))
        XCTAssertThrowsError(try WebservOptions.parse(["a", "b"]))
        XCTAssertThrowsError(try WebservOptions.parse(["-x", "a"]))
    }
}
