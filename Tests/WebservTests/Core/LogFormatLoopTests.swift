import Foundation
import XCTest
import Glibc
@testable import webserv

/// `log_format` and `access_log PATH FORMAT` in-process: the line in the
/// named format with the answer's status and bytes, nginx's escapes (default
/// and json), combined where no format is named, and 444's line.
final class LogFormatLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            error_log DIR/logs/error.log;
            log_format main '$request_method $uri "$request" $status $body_bytes_sent "$http_user_agent" '
                            '$request_time [$arg_x]';
            log_format json escape=json '{"uri":"$uri","ua":"$http_user_agent","status":$status}';
            access_log DIR/logs/main.log main;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /json/ { access_log DIR/logs/json.log json; }
                location /combined/ { access_log DIR/logs/combined.log; }
                location /close { return 444; }
            }
        }
        """, files: ["www/a.txt": Array("hello".utf8), "www/json/b.txt": Array("B".utf8), "www/combined/c.txt": Array("C".utf8)])
    }

    func testANamedFormat() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/a.txt?x=1", headers: "User-Agent: agent \"7\"\r\n")?.status, 200)
        XCTAssertEqual(loop.get("/missing")?.status, 404)
        _ = loop.request("GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
        let lines = loop.log("main.log").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, lines.joined(separator: "\n"))
        XCTAssertEqual(lines.first, "GET /a.txt \"GET /a.txt?x=1 HTTP/1.1\" 200 5 \"agent \\x227\\x22\" 0.000 [1]")
        XCTAssertEqual(lines.dropFirst().first, "GET /missing \"GET /missing HTTP/1.1\" 404 \(StatusCode.defaultPage(404).count) \"-\" 0.000 [-]")
        XCTAssertEqual(lines.last, "GET /close \"GET /close HTTP/1.1\" 444 0 \"-\" 0.000 [-]")
    }

    func testJSONEscapingAndTheCombinedDefault() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/json/b.txt", headers: "User-Agent: a\"b\\c\r\n")?.status, 200)
        XCTAssertEqual(loop.get("/combined/c.txt", headers: "User-Agent: u\r\n")?.status, 200)
        XCTAssertEqual(loop.log("json.log"), "{\"uri\":\"/json/b.txt\",\"ua\":\"a\\\"b\\\\c\",\"status\":200}\n")
        let combined = loop.log("combined.log")
        XCTAssertTrue(combined.contains("] \"GET /combined/c.txt HTTP/1.1\" 200 1 \"-\" \"u\"\n"), combined)
    }

    func testTheLineOfEachAnswerOnOneConnection() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt?x=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        XCTAssertEqual(wire.next()?.bodyText, "hello")
        XCTAssertEqual(wire.next()?.bodyText, "hello")
        XCTAssertEqual(wire.rest, [])
        XCTAssertEqual(loop.log("main.log").split(separator: "\n").map { String($0.suffix(3)) }, ["[-]", "[2]"])
    }
}
