import ConfLang
import Foundation
import XCTest
import Glibc
@testable import webserv

/// `add_header` in-process, as nginx's headers filter: its statuses, `always`,
/// the list that a level with any add_header replaces whole, variables in a
/// value (never splitting an answer), and cached files.
final class AddHeaderLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            add_header X-Frame-Options DENY always;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                add_header X-Server yes;
                add_header X-Always yes always;
                location /own/ { add_header X-Own $uri; add_header X-Empty $arg_none; }
                location /inherits/ { }
                location /moved { return 301 /a.txt; }
                location /teapot { return 418; }
            }
        }
        """, files: ["www/a.txt": Array("A".utf8), "www/own/b.txt": Array("B".utf8), "www/inherits/c.txt": Array("C".utf8)])
    }

    func testSuccessRedirectAndErrorAnswers() throws {
        let loop = try harness()
        let file = try XCTUnwrap(loop.get("/a.txt"))
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.header("X-Server"), "yes")
        XCTAssertEqual(file.header("X-Always"), "yes")
        XCTAssertNil(file.header("X-Frame-Options"), "the server's list replaces http's")
        // The same small file again, from the cache's prepared head.
        let cached = try XCTUnwrap(loop.get("/a.txt"))
        XCTAssertEqual(cached.header("X-Server"), "yes")
        XCTAssertEqual(cached.bodyText, "A")
        let moved = try XCTUnwrap(loop.get("/moved"))
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.header("X-Server"), "yes")
        let missing = try XCTUnwrap(loop.get("/missing"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertNil(missing.header("X-Server"), "not on a 404 without always")
        XCTAssertEqual(missing.header("X-Always"), "yes")
        let teapot = try XCTUnwrap(loop.get("/teapot"))
        XCTAssertEqual(teapot.status, 418)
        XCTAssertNil(teapot.header("X-Server"))
    }

    func testALevelWithAnyAddHeaderReplacesItsParentsList() throws {
        let loop = try harness()
        let own = try XCTUnwrap(loop.get("/own/b.txt"))
        XCTAssertEqual(own.header("X-Own"), "/own/b.txt")
        XCTAssertNil(own.header("X-Server"))
        XCTAssertNil(own.header("X-Always"))
        XCTAssertFalse(own.head.contains("X-Empty"), "an empty value adds nothing")
        let inherits = try XCTUnwrap(loop.get("/inherits/c.txt"))
        XCTAssertEqual(inherits.header("X-Server"), "yes")
        XCTAssertEqual(inherits.header("X-Always"), "yes")
    }

    func testAVariableNeverSplitsTheAnswerAndTheNextIsIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET /own/b.txt%0d%0aSet-Cookie:%20a=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /own/b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        let first = try XCTUnwrap(wire.next())
        XCTAssertEqual(first.status, 404)
        XCTAssertNil(first.header("Set-Cookie"))
        let second = try XCTUnwrap(wire.next())
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.header("X-Own"), "/own/b.txt")
        XCTAssertEqual(second.bodyText, "B")
        XCTAssertEqual(wire.rest, [])
    }

    func testAVariableValueWithLineBreaksBecomesSpaces() throws {
        let loop = try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                location / { add_header X-Uri "<$uri>" always; return 204; }
            }
        }
        """)
        let answer = try XCTUnwrap(loop.get("/a%0d%0aSet-Cookie:%20a=1"))
        XCTAssertEqual(answer.status, 204)
        XCTAssertEqual(answer.header("X-Uri"), "</a  Set-Cookie: a=1>")
        XCTAssertNil(answer.header("Set-Cookie"))
    }

    /// A list without variables is encoded once per location and sent as
    /// those lines (five security headers cost a cached file's answer about
    /// half its instructions when added and encoded one by one); the fields
    /// an HTTP/2 answer or a filter reads still include them.
    func testALiteralListIsEncodedOncePerLocationAndStillReadAsFields() {
        let text = """
        events { }
        http { server { listen 80; root /srv/www;
            add_header X-Frame-Options DENY; add_header X-Gone ""; add_header X-Always yes always;
            location /gz/ { gzip on; } } }
        """
        let lint = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        let router = Router(config: ModelBuilder.build(lint.config, baseDirectory: "/srv"))
        let location = router.servers[0].base
        XCTAssertEqual(location.literalAddedLines.map { String(decoding: $0.success, as: UTF8.self) },
                       "X-Frame-Options: DENY\r\nX-Always: yes\r\n", "an empty value adds nothing")
        XCTAssertEqual(location.literalAddedLines.map { String(decoding: $0.always, as: UTF8.self) }, "X-Always: yes\r\n")
        for (status, expected) in [(200, ["X-Frame-Options", "X-Always"]), (404, ["X-Always"])] {
            var response = Response(status: status, headers: [("Content-Type", "text/plain")])
            var decision = OutputDecision(keepAlive: true, listening: true)
            HeaderFilters.run(&response, head: nil, location: location, transport: Transport(fd: -1), &decision)
            XCTAssertEqual(response.headers.map(\.name), ["Content-Type"], "the lines, not fields one by one")
            XCTAssertTrue(response.addedHeadersIn)
            XCTAssertEqual(response.fields.map(\.name), ["Content-Type"] + expected)
            var wire: [UInt8] = []
            HTTP1Encoder.appendHead(response, chunked: false, keepAlive: true, date: Array("D\r\n".utf8), to: &wire)
            let head = String(decoding: wire, as: UTF8.self)
            for name in expected { XCTAssertTrue(head.contains("\r\n\(name): "), head) }
        }
    }

    /// The lines held in a cached file's prepared head: once per answer, also
    /// where `charset` or an error page takes the answer apart.
    func testPreparedLinesWithCharsetAndAnErrorPageAddEachFieldOnce() throws {
        let loop = try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                add_header X-Frame-Options DENY;
                add_header X-Always yes always;
                error_page 404 /404.html;
                location /text/ { charset utf-8; add_header X-Text yes; }
            }
        }
        """, files: ["www/a.html": Array("A".utf8), "www/404.html": Array("gone".utf8), "www/text/t.html": Array("T".utf8)])
        func count(_ answer: HTTPTestResponse, _ name: String) -> Int {
            answer.head.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix(name.lowercased() + ":") }.count
        }
        for _ in 0..<2 {   // made, then from the file's prepared head
            let file = try XCTUnwrap(loop.get("/a.html"))
            XCTAssertEqual(count(file, "X-Frame-Options"), 1, file.head)
            XCTAssertEqual(count(file, "X-Always"), 1, file.head)
            let text = try XCTUnwrap(loop.get("/text/t.html"))
            XCTAssertEqual(text.header("Content-Type"), "text/html; charset=utf-8")
            XCTAssertEqual(count(text, "X-Text"), 1, text.head)
            let missing = try XCTUnwrap(loop.get("/nothing"))
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.bodyText, "gone")
            XCTAssertNil(missing.header("X-Frame-Options"), "a 404 takes only the always ones: \(missing.head)")
            XCTAssertEqual(count(missing, "X-Always"), 1, missing.head)
        }
    }
}
