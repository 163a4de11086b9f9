import Foundation
import XCTest
@testable import webserv

/// `allow`/`deny` and `auth_basic` through the binary, on a real socket from
/// 127.0.0.1: the access phase guards files and scripts alike, and a 401
/// then a 200 share one keep-alive connection intact. The rules, schemes and
/// `satisfy` in detail are AccessLoopTests' (in-process, IPv6 clients too).
final class AccessTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                deny 127.0.0.1;
                location /mine/ { allow 127.0.0.1; deny all; auth_basic "Mine"; auth_basic_user_file htpasswd; }
                location /cgi/ { cgi_path /usr/bin/python3; }
            }
        }
        """, files: [
            // hunter2, bcrypt at cost 5 (python3's crypt, libxcrypt)
            "htpasswd": "me:$2y$05$0123456789abcdefghijkezUgIbSggCpWorCPjVZj7Y5z/jqErOkG\n",
            "www/a.txt": "A", "www/mine/a.txt": "mine",
            "www/cgi/ran.py": "open(__file__ + '.ran', 'w').write('ran'); print('Content-Type: text/plain'); print(); print('ran')",
        ])
    }

    override func tearDown() { server.stop() }

    func testDeniedAddressesGet403BeforeAnyHandler() throws {
        XCTAssertEqual(try server.get("/a.txt").status, 403)
        XCTAssertEqual(try server.get("/cgi/ran.py").status, 403)
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.directory + "/www/cgi/ran.py.ran"), "the script never ran")
        XCTAssertTrue(try String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)
            .contains("access forbidden by rule, client: 127.0.0.1"))
    }

    func testA401ThenA200OnOneConnection() throws {
        let client = try RawClient(port: server.ports[0])
        defer { client.close() }
        client.send("GET /mine/a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /mine/a.txt HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(Data("me:hunter2".utf8).base64EncodedString())\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 401)
        XCTAssertEqual(first.header("WWW-Authenticate"), "Basic realm=\"Mine\"")
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(second.status, 200, second.head)
        XCTAssertEqual(second.bodyText, "mine")
    }
}
