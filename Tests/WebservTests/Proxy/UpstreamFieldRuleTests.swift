import XCTest
@testable import webserv

/// The rule itself, as both upstream parsers (and the request parser) apply it.
final class UpstreamFieldRuleTests: XCTestCase {
    private static let cgiStart = Array("Content-Type: t\r\n".utf8), proxyStart = Array("HTTP/1.1 200 OK\r\n".utf8)
    private static let end = Array("\r\n\r\n".utf8)

    /// A script's header block: a Content-Type, then `field`.
    private func cgi(_ field: [UInt8]) -> UpstreamHeadResult {
        var parser = CGIResponseParser()
        return parser.feed((UpstreamFieldRuleTests.cgiStart + field + UpstreamFieldRuleTests.end)[...])
    }

    /// A server's head: a status line, then `field`.
    private func proxy(_ field: [UInt8]) -> UpstreamHeadResult {
        var parser = UpstreamResponseParser()
        return parser.feed((UpstreamFieldRuleTests.proxyStart + field + UpstreamFieldRuleTests.end)[...])
    }

    func testEveryByteIsJudgedAlikeByBothParsers() {
        for byte in UInt8.min...UInt8.max where byte != 10 && byte != 13 {
            let inValue = Array("X: a".utf8) + [byte] + Array("b".utf8)
            let inName = Array("X".utf8) + [byte] + Array("Y: a".utf8)
            let valueOK = byte == 9 || (byte >= 0x20 && byte != 0x7F)
            XCTAssertEqual(cgi(inValue) != .invalid, valueOK, "CGI value byte \(byte)")
            XCTAssertEqual(proxy(inValue) != .invalid, valueOK, "proxy value byte \(byte)")
            XCTAssertEqual(HTTPSyntax.isFieldValueByte(byte), valueOK, "byte \(byte)")
            // A colon ends the name: `X:Y: a` is X's field.
            guard byte != UInt8(ascii: ":") else { continue }
            XCTAssertEqual(cgi(inName) != .invalid, HTTPSyntax.isTokenByte(byte), "CGI name byte \(byte)")
            XCTAssertEqual(proxy(inName) != .invalid, HTTPSyntax.isTokenByte(byte), "proxy name byte \(byte)")
        }
    }

    /// A client's field value is held to the same rule (400 instead of 502).
    func testTheRequestParserJudgesValueBytesAlike() {
        for byte in UInt8.min...UInt8.max where byte != 10 && byte != 13 {
            let request = Array("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [byte] + Array("b\r\n\r\n".utf8)
            let result = RequestParser(limits: RequestLimits()).parse(request)
            XCTAssertEqual(result == .error(status: 400), !HTTPSyntax.isFieldValueByte(byte), "byte \(byte): \(result)")
        }
    }

    func testAFieldLineIsReadAlikeByBothParsers() {
        let line = Array("X-Field: \t café \t".utf8)
        let field = UpstreamHeader(name: "X-Field", value: "café")
        let end = UpstreamFieldRuleTests.end.count + line.count
        XCTAssertEqual(cgi(line), .complete(status: 200, headers: [.init(name: "Content-Type", value: "t"), field],
                                            bodyStart: UpstreamFieldRuleTests.cgiStart.count + end))
        XCTAssertEqual(proxy(line), .complete(status: 200, headers: [field], bodyStart: UpstreamFieldRuleTests.proxyStart.count + end))
        XCTAssertEqual(UpstreamHeader(line: line[...]), field)
        for bad in [": a", " X: a", "X : a", "X a"] {
            XCTAssertNil(UpstreamHeader(line: Array(bad.utf8)[...]), bad)
        }
    }
}
