import XCTest
@testable import confcheck

/// The Content-Length decoder, fed by hand: splits, bursts and bad headers.
final class LSPFramingTests: XCTestCase {
    private func bodies(_ events: [MessageFramer.Event]) -> [String] {
        events.compactMap { if case .message(let body) = $0 { return String(decoding: body, as: UTF8.self) } else { return nil } }
    }

    private func errors(_ events: [MessageFramer.Event]) -> [String] {
        events.compactMap { if case .error(let text) = $0 { return text } else { return nil } }
    }

    private let two = Array("Content-Length: 2\r\n\r\n{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 7\r\n\r\n[1,2,3]".utf8)

    func testOneByteAtATime() {
        var framer = MessageFramer()
        var events: [MessageFramer.Event] = []
        for byte in two { events += framer.append([byte]) }
        XCTAssertEqual(bodies(events), ["{}", "[1,2,3]"])
        XCTAssertEqual(errors(events), [])
    }

    func testSeveralMessagesInOneRead() {
        var framer = MessageFramer()
        let events = framer.append(two + MessageFramer.frame(Array("é".utf8)))
        XCTAssertEqual(bodies(events), ["{}", "[1,2,3]", "é"])
    }

    func testEverySplitPointGivesTheSameMessages() {
        for split in 0...two.count {
            var framer = MessageFramer()
            let events = framer.append(two[..<split]) + framer.append(two[split...])
            XCTAssertEqual(bodies(events), ["{}", "[1,2,3]"], "split at \(split)")
        }
    }

    func testABadHeaderIsReportedOnceAndTheNextMessageRead() {
        for header in ["Content-Length: abc", "Content-Length: -1", "Content-Type: x", "garbage line"] {
            var framer = MessageFramer()
            let events = framer.append(Array("\(header)\r\n\r\n{\"x\": 1}".utf8) + MessageFramer.frame(Array("ok".utf8)))
            XCTAssertEqual(bodies(events), ["ok"], header)
            XCTAssertEqual(errors(events).count, 1, header)
        }
    }

    func testJunkBeforeAHeaderIsSkipped() {
        var framer = MessageFramer()
        let events = framer.append(Array("hello there\r\n".utf8)) + framer.append(MessageFramer.frame(Array("ok".utf8)))
        XCTAssertEqual(bodies(events), ["ok"])
        XCTAssertEqual(errors(events).count, 1)
        // Whitespace between messages is not worth a report.
        var quiet = MessageFramer()
        XCTAssertEqual(errors(quiet.append(Array("\r\n".utf8) + MessageFramer.frame([]))), [])
    }

    func testAnEndlessHeaderIsDroppedNotBuffered() {
        var framer = MessageFramer()
        let events = framer.append(Array(("Content-Length: 1" + String(repeating: "x", count: MessageFramer.maxHeaderSize + 10)).utf8))
        XCTAssertEqual(errors(events).count, 1)
        XCTAssertEqual(bodies(framer.append(MessageFramer.frame(Array("ok".utf8)))), ["ok"])
    }

    func testAnOversizedBodyIsSkippedByItsLength() {
        var framer = MessageFramer()
        let length = MessageFramer.maxBodySize + 1
        var events = framer.append(Array("Content-Length: \(length)\r\n\r\n".utf8))
        XCTAssertEqual(errors(events).count, 1)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        var sent = 0
        while sent < length {
            let count = min(chunk.count, length - sent)
            events = framer.append(chunk[..<count])
            XCTAssertEqual(events.count, 0)
            sent += count
        }
        XCTAssertEqual(bodies(framer.append(MessageFramer.frame(Array("ok".utf8)))), ["ok"])
    }
}
