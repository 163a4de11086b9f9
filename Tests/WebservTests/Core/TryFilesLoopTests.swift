import Foundation
import XCTest
import Glibc
@testable import webserv

/// `try_files` in-process, as nginx's try-files phase: the first file that
/// exists answers in the same location (a directory's index through `$uri/`),
/// else the fallback: an internal redirect through the whole decision (the
/// method and body kept), or a status with its error_page.
final class TryFilesLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                error_page 404 /404.html;
                location / { try_files $uri $uri/ /index.html; }
                location /strict/ { try_files $uri =404; }
                location /api/ { allow_methods GET POST; try_files $uri /backend$uri?from=$arg_x; }
                location /backend/ { allow_methods GET POST; return 200 "backend $request_method $uri $args"; }
                location /loop/ { try_files $uri $uri/; }
            }
        }
        """, files: [
            "www/index.html": Array("spa".utf8), "www/a.txt": Array("A".utf8), "www/dir/index.html": Array("dir index".utf8),
            "www/404.html": Array("not here".utf8), "www/strict/s.txt": Array("S".utf8), "www/api/static.json": Array("{}".utf8),
        ])
    }

    func testTheSinglePageAppLine() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/a.txt")?.bodyText, "A", "the file itself")
        let index = try XCTUnwrap(loop.get("/dir/"))
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.bodyText, "dir index", "$uri/: the directory, then its index")
        let slash = try XCTUnwrap(loop.get("/dir"))
        XCTAssertEqual(slash.status, 301, "$uri/ found /dir: the directory's slash redirect, as nginx")
        XCTAssertTrue(slash.header("Location")?.hasSuffix("/dir/") ?? false, slash.head)
        let route = try XCTUnwrap(loop.get("/app/users/7"))
        XCTAssertEqual(route.status, 200)
        XCTAssertEqual(route.bodyText, "spa", "no file: the fallback, an internal redirect to /index.html")
        XCTAssertEqual(route.header("Content-Type"), "text/html")
    }

    func testAStatusFallbackGetsItsErrorPage() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/strict/s.txt")?.bodyText, "S")
        let missing = try XCTUnwrap(loop.get("/strict/none"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.bodyText, "not here")
    }

    func testTheFallbackIsDecidedAgainAndKeepsTheMethod() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/api/static.json")?.bodyText, "{}")
        XCTAssertEqual(loop.get("/api/users?x=1")?.bodyText, "backend GET /backend/api/users from=1")
        let posted = try XCTUnwrap(loop.request("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
        XCTAssertEqual(posted.bodyText, "backend POST /backend/api/users from=")
        // The access log has the request as the client sent it.
        XCTAssertTrue(loop.log("access.log").contains("\"POST /api/users HTTP/1.1\" 200"))
    }

    func testAFallbackNamingTheRequestIsACycleCutAt500() throws {
        let loop = try harness()
        let answer = try XCTUnwrap(loop.get("/loop/none"))
        XCTAssertEqual(answer.status, 500)
        let log = loop.log("error.log")
        XCTAssertTrue(log.contains("rewrite or internal redirection cycle while processing \"/loop/none/\""), log)
    }

    func testTwoAnswersOnOneConnectionAreIntact() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /app/route HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        XCTAssertEqual(wire.next()?.bodyText, "backend POST /backend/api/x from=")
        let second = try XCTUnwrap(wire.next())
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.bodyText, "spa")
        XCTAssertEqual(wire.rest, [])
    }
}
