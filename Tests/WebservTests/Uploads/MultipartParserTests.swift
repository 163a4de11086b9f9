import XCTest
@testable import webserv

final class MultipartParserTests: XCTestCase {
    private let body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../a \\\"q\\\".txt\"\r\nContent-Type: text/plain\r\n\r\n"
        + "line1\r\n--not the boundary\r\nline3\r\n--XyZ--\r\nepilogue"

    /// Runs the body through the parser in pieces of `step` bytes; data events are merged.
    private func events(step: Int) throws -> [MultipartParser.Event] {
        var parser = try XCTUnwrap(MultipartParser(contentType: "multipart/form-data; boundary=XyZ"))
        let bytes = Array(body.utf8)
        var result: [MultipartParser.Event] = []
        var start = 0
        while start < bytes.count {
            for event in try parser.feed(bytes[start..<min(bytes.count, start + step)]) {
                if case .data(let more) = event, case .data(let earlier)? = result.last {
                    result[result.count - 1] = .data(earlier + more)
                } else {
                    result.append(event)
                }
            }
            start += step
        }
        return result
    }

    func testPartsWholeAndSplitAnywhere() throws {
        let expected: [MultipartParser.Event] = [
            .partStart(name: "field", filename: nil), .data(Array("value".utf8)), .partEnd,
            .partStart(name: "file", filename: "../a \"q\".txt"), .data(Array("line1\r\n--not the boundary\r\nline3".utf8)), .partEnd,
            .end,
        ]
        for step in [1, 2, 7, 1000] {
            XCTAssertEqual(try events(step: step), expected, "step \(step)")
        }
    }

    func testBoundaryParameter() {
        XCTAssertNil(MultipartParser(contentType: "multipart/form-data"))
        XCTAssertNil(MultipartParser(contentType: "text/plain; boundary=x"))
        XCTAssertNotNil(MultipartParser(contentType: "multipart/form-data; charset=utf-8; boundary=\"a b\""))
    }

    func testPartWithoutDispositionIsMalformed() throws {
        var parser = try XCTUnwrap(MultipartParser(contentType: "multipart/form-data; boundary=b"))
        XCTAssertThrowsError(try parser.feed(Array("--b\r\nContent-Type: x\r\n\r\ndata\r\n--b--".utf8)[...]))
    }

    func testSafeFileNames() {
        XCTAssertEqual(MultipartParser.safeFileName("../../etc/passwd"), "passwd")
        XCTAssertEqual(MultipartParser.safeFileName("C:\\Users\\me\\photo.jpg"), "photo.jpg")
        XCTAssertEqual(MultipartParser.safeFileName(".hidden"), "hidden")
        XCTAssertEqual(MultipartParser.safeFileName(".."), "upload")
        XCTAssertEqual(MultipartParser.safeFileName("a\u{0}b\nc"), "abc")
        XCTAssertEqual(MultipartParser.safeFileName("résumé.pdf"), "résumé.pdf")
        XCTAssertEqual(MultipartParser.safeFileName(""), "upload")
    }

    /// Malformed or not, and the events, for `text` fed in pieces of `step` bytes.
    private func verdict(_ text: String, step: Int) -> (malformed: Bool, parts: Int) {
        guard var parser = MultipartParser(contentType: "multipart/form-data; boundary=b") else { return (true, 0) }
        let bytes = Array(text.utf8)
        var parts = 0
        var start = 0
        do {
            while start < bytes.count {
                parts += try parser.feed(bytes[start..<min(bytes.count, start + step)]).filter { $0 == .partEnd }.count
                start += step
            }
        } catch { return (true, parts) }
        return (false, parts)
    }

    func testBoundsHoldHoweverTheBodyIsSplit() {
        // Found by fuzz/run-multipart.sh: 300 bytes of padding passed in one read, failed in reads of 100.
        let part = "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b--\r\n"
        for (padding, malformed) in [(256, false), (257, true), (300, true)] {
            let body = "--b" + String(repeating: " ", count: padding) + part
            for step in [body.utf8.count, 100, 7, 1] {
                XCTAssertEqual(verdict(body, step: step).malformed, malformed, "padding \(padding), step \(step)")
            }
        }
        for (size, malformed) in [(MultipartParser.maxPartHeaderBytes, false), (MultipartParser.maxPartHeaderBytes + 1, true)] {
            let name = String(repeating: "n", count: size - "Content-Disposition: form-data; name=\"\"".utf8.count)
            let body = "--b\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\nx\r\n--b--\r\n"
            for step in [body.utf8.count, 4096, 3] {
                XCTAssertEqual(verdict(body, step: step).malformed, malformed, "headers \(size), step \(step)")
            }
        }
    }
}
