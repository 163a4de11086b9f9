import XCTest
import Foundation
@testable import webserv

/// `return 444;` closes the connection without an answer, as nginx's
/// (the idiom for dropping scanners), and is logged as 444.
final class ReturnCloseTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                error_page 404 /missing;
                location /drop/ { return 444; }
                location = /missing { return 444; }
            }
        }
        """, files: ["www/index.html": "home"])
    }

    override func tearDown() { server.stop() }

    func testReturn444ClosesWithoutAnAnswerAfterAnIntactFirstAnswer() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /drop/scan HTTP/1.1\r\nHost: x\r\nUser-Agent: scanner\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.bodyText, "home")
        XCTAssertEqual(client.readAll(), [], "no answer at all, and the connection closes")
        XCTAssertTrue(waitForAccessLog("\"GET /drop/scan HTTP/1.1\" 444 0 \"-\" \"scanner\""))
    }

    private func waitForAccessLog(_ text: String) -> Bool {
        for _ in 0..<100 {
            if let log = try? String(contentsOfFile: server.directory + "/logs/access.log", encoding: .utf8), log.contains(text) { return true }
            usleep(100_000)
        }
        return false
    }
}
