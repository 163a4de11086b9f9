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
}
