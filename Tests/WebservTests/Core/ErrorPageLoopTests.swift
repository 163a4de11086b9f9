import XCTest
import Glibc
@testable import webserv

/// error_page, internal redirects, `return` and 444 in-process: what the
/// answer says on the wire and what the logs say of it.
final class ErrorPageLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            types { text/html html; text/plain txt; }
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                error_page 404 /missing.html;
                location /found/ { error_page 404 =200 /missing.html; }
                location /plain/ { error_page 404 /nowhere; }
                location /loop/ { error_page 404 /loop/again; }
                location /dropped/ { error_page 404 /drop/page; }
                location /drop/ { return 444; }
                location = /moved { return 301 /found/; }
                location = /teapot { return 418 "short and stout"; }
                location /post/ { allow_methods GET POST; }
            }
        }
        """, files: [
            "www/index.html": Array("home".utf8),
            "www/missing.html": Array("custom not found".utf8),
            "www/plain/c.txt": Array("c".utf8),
        ])
    }

    func testAnErrorPageIsServedWithItsStatusOrTheOneItSets() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\nGET /found/nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [404, 200])
        XCTAssertEqual(answers.map(\.bodyText), ["custom not found", "custom not found"])
        let missing = try XCTUnwrap(answers.first)
        XCTAssertEqual(missing.header("Content-Type"), "text/html")
        XCTAssertNotNil(missing.header("ETag"), "as nginx: the page's ETag, not its date")
        XCTAssertNil(missing.header("Last-Modified"))
        XCTAssertNil(missing.header("Accept-Ranges"))
        XCTAssertEqual(missing.header("Connection"), "keep-alive", "an error page keeps the connection")
        let found = try XCTUnwrap(answers.last)
        XCTAssertNotNil(found.header("Last-Modified"), "a 200 says all a file would")
        XCTAssertEqual(found.header("Accept-Ranges"), "bytes")
        let forbidden = try XCTUnwrap(loop.get("/plain/"))
        XCTAssertEqual(forbidden.status, 403, "a directory without index or listing")
        XCTAssertTrue(forbidden.bodyText.contains("403 Forbidden"), forbidden.bodyText)
    }

    /// A HEAD answered by an error page: its head only, and the next answer
    /// on the connection intact.
    func testHeadAnsweredByAnErrorPageHasNoBody() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "HEAD /nothing-here HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        let head = try XCTUnwrap(wire.next(headRequest: true))
        XCTAssertEqual(head.status, 404)
        XCTAssertEqual(head.header("Content-Length"), "16", "the head says how long the page is")
        XCTAssertEqual(head.header("Connection"), "keep-alive")
        let next = try XCTUnwrap(wire.next(), "the second answer")
        XCTAssertEqual(next.status, 200)
        XCTAssertEqual(next.bodyText, "home")
        XCTAssertEqual(wire.rest, [], "nothing after the second answer")
        XCTAssertTrue(loop.isClosed(client))
    }

    /// /plain/'s 404 page is missing too: its own 404 is not redirected
    /// again, and the built-in page answers.
    func testAFailingErrorPageGivesTheBuiltInPage() throws {
        let loop = try harness()
        let response = try XCTUnwrap(loop.get("/plain/absent.txt"))
        XCTAssertEqual(response.status, 404)
        XCTAssertTrue(response.bodyText.contains("<title>404 Not Found</title>"), response.bodyText)
        let again = try XCTUnwrap(loop.get("/loop/absent"))
        XCTAssertEqual(again.status, 404, "an error page that fails the same way is not followed twice")
        XCTAssertTrue(again.bodyText.contains("<title>404 Not Found</title>"), again.bodyText)
    }

    func testReturnAnswersWithItsCodeAndTextOrAbsoluteLocation() throws {
        let loop = try harness()
        let moved = try XCTUnwrap(loop.get("/moved"))
        XCTAssertEqual(moved.status, 301)
        let location = try XCTUnwrap(moved.header("Location"))
        XCTAssertTrue(location.hasPrefix("http://localhost:") && location.hasSuffix("/found/"), location)
        XCTAssertTrue(moved.bodyText.contains("301 Moved Permanently"), moved.bodyText)
        let teapot = try XCTUnwrap(loop.get("/teapot"))
        XCTAssertEqual(teapot.status, 418)
        XCTAssertEqual(teapot.bodyText, "short and stout")
    }

    func testMethodNotAllowedHasAllow() throws {
        let loop = try harness()
        let refused = try XCTUnwrap(loop.request("DELETE /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(refused.status, 405)
        XCTAssertEqual(refused.header("Allow"), "GET, HEAD")
        // Allowed, but nothing serves a POST to a static file.
        let post = try XCTUnwrap(loop.request("POST /post/a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"))
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("Allow"), "GET, HEAD, POST")
    }

    /// 444: no answer at all after an intact first one, the connection closes,
    /// and the access log says 444 with nothing sent.
    func testReturn444ClosesWithoutAnAnswerAndIsLogged() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /drop/scan HTTP/1.1\r\nHost: x\r\nUser-Agent: scanner\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        let first = try XCTUnwrap(wire.next())
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.bodyText, "home")
        XCTAssertEqual(wire.rest, [], "nothing after the first answer")
        XCTAssertTrue(loop.isClosed(client))
        let log = loop.log("access.log")
        XCTAssertTrue(log.contains("\"GET /drop/scan HTTP/1.1\" 444 0 \"-\" \"scanner\""), log)
        XCTAssertTrue(log.contains("\"GET / HTTP/1.1\" 200 "), log)
    }

    /// Not even the 100 Continue a body would be invited with.
    func testReturn444DoesNotInviteTheBody() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /drop/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(loop.receive(client), [])
        XCTAssertTrue(loop.isClosed(client))
    }

    func testAnErrorPageThatReturns444Closes() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /dropped/nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(loop.receive(client), [])
        XCTAssertTrue(loop.isClosed(client))
    }

    /// The access log's combined line, in nginx's format.
    func testTheAccessLogLineIsCombined() throws {
        let loop = try harness()
        XCTAssertEqual(loop.request("GET /index.html?q=1 HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\nUser-Agent: ua \"quoted\"\r\nConnection: close\r\n\r\n")?.status, 200)
        let line = try XCTUnwrap(loop.log("access.log").split(separator: "\n").last.map(String.init))
        XCTAssertTrue(line.hasPrefix("127.0.0.1 - - ["), line)
        XCTAssertTrue(line.hasSuffix("] \"GET /index.html?q=1 HTTP/1.1\" 200 4 \"http://r/\" \"ua \\x22quoted\\x22\""), line)
    }
}
