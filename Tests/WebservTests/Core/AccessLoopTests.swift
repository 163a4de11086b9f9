import Foundation
import XCTest
import Glibc
@testable import webserv

/// `allow`/`deny`, `auth_basic` and `satisfy` in-process, as nginx's access
/// phase: after `return`, before the file, script or upstream; 403 for a
/// denied address, 401 with `WWW-Authenticate` for a missing or wrong
/// password, 500 for a user file that cannot be read.
final class AccessLoopTests: XCTestCase {
    /// "alice:wonderland" (apr1) and "bob:builder" (SHA-512 crypt), made by `openssl passwd`.
    static let users = """
    # made with openssl passwd
    alice:$apr1$sAlT1234$gORuXeshsfkSJ2idMsTZM1
    bob:$6$saltsalt$AMApe3UxKRHFGgpM1NDN5e0tMZ6laQYyoi896lWiBlxd7Nwbszp8z77oH.h4MAG5Y14p5yLYfTD/sjuLtHEDG/

    """

    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log info;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /local/ { allow 127.0.0.1; allow ::1; deny all; }
                location /nolocal/ { deny 127.0.0.0/8; deny ::1; }
                location /lan/ { allow 10.0.0.0/8; deny all; }
                location /returns/ { deny all; return 200 "before access"; }
                location /private/ {
                    auth_basic "Staff only";
                    auth_basic_user_file DIR/htpasswd;
                }
                location /anyof/ {
                    satisfy any;
                    allow 10.0.0.0/8;
                    deny all;
                    auth_basic "Staff";
                    auth_basic_user_file DIR/htpasswd;
                }
                location /allof/ {
                    allow 10.0.0.0/8;
                    deny all;
                    auth_basic "Staff";
                    auth_basic_user_file DIR/htpasswd;
                }
                location /lost/ { auth_basic "Lost"; auth_basic_user_file DIR/missing; }
                location /off/ { auth_basic off; auth_basic_user_file DIR/htpasswd; }
            }
        }
        """, files: [
            "htpasswd": Array(AccessLoopTests.users.utf8),
            "www/local/a.txt": Array("local".utf8), "www/nolocal/a.txt": Array("x".utf8), "www/lan/a.txt": Array("lan".utf8),
            "www/private/a.txt": Array("secret".utf8), "www/anyof/a.txt": Array("any".utf8), "www/allof/a.txt": Array("all".utf8),
            "www/lost/a.txt": Array("lost".utf8), "www/off/a.txt": Array("open".utf8),
        ])
    }

    /// One GET from a client at `peer`, on a connection that closes after it.
    private func get(_ loop: LoopHarness, _ path: String, from peer: String = "127.0.0.1", headers: String = "") -> HTTPTestResponse? {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0,
              let listener = loop.loop.acceptor.listeners.values.first(where: { $0.address == loop.address }),
              loop.loop.acceptor.adopt(ends[1], listener: listener, peer: (peer, 40000)) != nil else { return nil }
        defer { Glibc.close(ends[0]) }
        loop.send(ends[0], "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)Connection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(ends[0]))
        return wire.next()
    }

    private func basic(_ credentials: String) -> String {
        "Authorization: Basic \(Data(credentials.utf8).base64EncodedString())\r\n"
    }

    func testAddressRulesFirstMatchWins() throws {
        let loop = try harness()
        XCTAssertEqual(get(loop, "/local/a.txt")?.body, Array("local".utf8))
        XCTAssertEqual(get(loop, "/local/a.txt", from: "::1")?.status, 200)
        XCTAssertEqual(get(loop, "/local/a.txt", from: "192.0.2.7")?.status, 403)
        XCTAssertEqual(get(loop, "/local/a.txt", from: "2001:db8::7")?.status, 403)
        XCTAssertEqual(get(loop, "/nolocal/a.txt")?.status, 403)
        XCTAssertEqual(get(loop, "/nolocal/a.txt", from: "::1")?.status, 403)
        XCTAssertEqual(get(loop, "/nolocal/a.txt", from: "192.0.2.7")?.status, 200, "no rule matched: let in")
        XCTAssertEqual(get(loop, "/lan/a.txt", from: "10.1.2.3")?.status, 200)
        XCTAssertEqual(get(loop, "/lan/a.txt", from: "::ffff:10.1.2.3")?.status, 200, "IPv4-mapped: the IPv4 rules")
        XCTAssertEqual(get(loop, "/lan/a.txt")?.status, 403)
        XCTAssertTrue(loop.log("error.log").contains("access forbidden by rule, client: 127.0.0.1"), loop.log("error.log"))
    }

    func testReturnComesBeforeTheAccessPhase() throws {
        let loop = try harness()
        let answer = try XCTUnwrap(get(loop, "/returns/x"))
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.body, Array("before access".utf8))
    }

    func testBasicAuthentication() throws {
        let loop = try harness()
        let challenge = try XCTUnwrap(get(loop, "/private/a.txt"))
        XCTAssertEqual(challenge.status, 401)
        XCTAssertEqual(challenge.header("WWW-Authenticate"), "Basic realm=\"Staff only\"")
        let right = try XCTUnwrap(get(loop, "/private/a.txt", headers: basic("alice:wonderland")))
        XCTAssertEqual(right.status, 200)
        XCTAssertEqual(right.body, Array("secret".utf8))
        XCTAssertEqual(get(loop, "/private/a.txt", headers: basic("bob:builder"))?.status, 200)
        XCTAssertEqual(get(loop, "/private/a.txt", headers: basic("alice:builder"))?.status, 401)
        XCTAssertEqual(get(loop, "/private/a.txt", headers: basic("carol:wonderland"))?.status, 401)
        XCTAssertEqual(get(loop, "/private/a.txt", headers: "Authorization: Bearer abc\r\n")?.status, 401)
        XCTAssertEqual(get(loop, "/off/a.txt")?.status, 200, "auth_basic off")
        let log = loop.log("error.log")
        XCTAssertTrue(log.contains("user \"alice\": password mismatch"), log)
        XCTAssertTrue(log.contains("user \"carol\" was not found in \"\(loop.directory)/htpasswd\""), log)
    }

    /// nginx: a user file that does not exist is 403 (an error line), one that cannot be read otherwise 500 (crit).
    func testAMissingUserFileIs403AndAnUnreadableOne500() throws {
        let loop = try harness()
        XCTAssertEqual(get(loop, "/lost/a.txt", headers: basic("alice:wonderland"))?.status, 403)
        XCTAssertEqual(get(loop, "/lost/a.txt")?.status, 401, "nginx asks for credentials before it opens the file")
        XCTAssertTrue(loop.log("error.log").contains("[error]"))
        XCTAssertTrue(loop.log("error.log").contains("open() \"\(loop.directory)/missing\" failed (2: No such file or directory)"))
        // A directory where the file should be: open() works, reading it does not (EISDIR): 500.
        try FileManager.default.createDirectory(atPath: loop.directory + "/missing", withIntermediateDirectories: true)
        XCTAssertEqual(get(loop, "/lost/a.txt", headers: basic("alice:wonderland"))?.status, 500)
        XCTAssertTrue(loop.log("error.log").contains("[crit]"), loop.log("error.log"))
    }

    func testSatisfyAnyAndAll() throws {
        let loop = try harness()
        XCTAssertEqual(get(loop, "/anyof/a.txt", from: "10.0.0.1")?.status, 200, "any: the address is enough")
        XCTAssertEqual(get(loop, "/anyof/a.txt")?.status, 401, "any: 401 before 403, so a browser asks")
        XCTAssertEqual(get(loop, "/anyof/a.txt", headers: basic("alice:wonderland"))?.status, 200, "any: the password is enough")
        XCTAssertEqual(get(loop, "/anyof/a.txt", headers: basic("alice:nope"))?.status, 401)
        XCTAssertEqual(get(loop, "/allof/a.txt", headers: basic("alice:wonderland"))?.status, 403, "all: the address must pass too")
        XCTAssertEqual(get(loop, "/allof/a.txt", from: "10.0.0.1")?.status, 401, "all: the password must pass too")
        XCTAssertEqual(get(loop, "/allof/a.txt", from: "10.0.0.1", headers: basic("bob:builder"))?.status, 200)
    }

    func testTheUserFileIsReadAgainWhenItChanges() throws {
        let loop = try harness()
        XCTAssertEqual(get(loop, "/private/a.txt", headers: basic("alice:wonderland"))?.status, 200)
        // carol:looking-glass ({SHA}), alice gone; same size would not matter: the times and inode change.
        try Data("carol:{SHA}jD1ccYcpd1bZi1bi32NWIU5RuHE=\n".utf8).write(to: URL(fileURLWithPath: loop.directory + "/htpasswd"))
        XCTAssertEqual(get(loop, "/private/a.txt", headers: basic("alice:wonderland"))?.status, 401)
        XCTAssertEqual(get(loop, "/private/a.txt", headers: basic("carol:looking-glass"))?.status, 200)
    }

    func testA401AndThenA200OnOneConnection() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET /private/a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  + "GET /private/a.txt HTTP/1.1\r\nHost: localhost\r\n\(basic("alice:wonderland"))\r\n")
        let answers = loop.answers(client)
        XCTAssertEqual(answers.map(\.status), [401, 200])
        XCTAssertEqual(answers.last?.body, Array("secret".utf8))
    }
}
