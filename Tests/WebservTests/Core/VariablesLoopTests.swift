import Foundation
import XCTest
import Glibc
@testable import webserv

/// Variables in `return`, `map` and `set` in-process, read off the wire:
/// the first row (`return 301 https://$host$request_uri;`), a map's
/// choice, a set's value, and no variable that splits an answer.
final class VariablesLoopTests: XCTestCase {
    private func harness() throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            map $http_upgrade $connection_upgrade {
                default upgrade;
                '' close;
            }
            map $uri $section {
                hostnames;
                default other;
                /exact exact;
                ~^/api/v(?<n>[0-9]+)/ api;
                ~*\\.PNG$ image;
            }
            server {
                listen 127.0.0.1:PORT;
                server_name first.test;
                root DIR/www;
                set $site "s-$host";
                location /https/ { return 301 https://$host$request_uri; }
                location /text/ { return 200 "$request_method $uri ?$args a=$arg_a c=$cookie_c ua=$http_user_agent $connection_upgrade $scheme $server_name $server_port\\n"; }
                location /map/ { return 200 "$section"; }
                location /exact { return 200 "$section"; }
                location /api/ { return 200 "$section"; }
                location /set/ { set $who "$site/$arg_who"; return 200 "$who"; }
                location /split/ { return 302 "/to$uri"; }
                location /nohost/ { return 200 "[$host]"; }
                location /root/ { return 200 "$document_root $request_filename"; }
            }
        }
        """, files: ["www/a.txt": Array("A".utf8)])
    }

    func testTheHTTPSRedirectOfEveryGuide() throws {
        let loop = try harness()
        let moved = try XCTUnwrap(loop.get("/https/a/b?x=1&y=%20"))
        XCTAssertEqual(moved.status, 301)
        // $host: the Host field lower case, without its port; $request_uri: as sent.
        XCTAssertEqual(moved.header("Location"), "https://localhost/https/a/b?x=1&y=%20")
        let ported = try XCTUnwrap(loop.request("GET /https/p HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(ported.header("Location"), "https://www.example.com/https/p")
    }

    func testRequestVariablesInText() throws {
        let loop = try harness()
        let answer = try XCTUnwrap(loop.get("/text/x%41?a=1&b=2", headers: "User-Agent: t/1\r\nCookie: d=4; c=3\r\nUpgrade: websocket\r\n"))
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.header("Content-Type"), "text/plain")
        XCTAssertEqual(answer.bodyText, "GET /text/xA ?a=1&b=2 a=1 c=3 ua=t/1 upgrade http first.test \(loop.address.port)\n")
        let plain = try XCTUnwrap(loop.get("/text/"))
        XCTAssertEqual(plain.bodyText, "GET /text/ ? a= c= ua= close http first.test \(loop.address.port)\n")
    }

    func testMapChoosesAsNginx() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/exact")?.bodyText, "exact")
        XCTAssertEqual(loop.get("/api/v2/users")?.bodyText, "api")
        XCTAssertEqual(loop.get("/map/x.png")?.bodyText, "image")
        XCTAssertEqual(loop.get("/map/x")?.bodyText, "other")
    }

    func testSetInServerAndLocation() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/set/?who=me")?.bodyText, "s-localhost/me")
    }

    func testHostFallsBackToTheServerName() throws {
        let loop = try harness()
        XCTAssertEqual(loop.request("GET /nohost/ HTTP/1.0\r\n\r\n")?.bodyText, "[first.test]")
    }

    /// nginx's $host: the Host field's name with a trailing dot removed and
    /// lower case (ngx_http_validate_host), the same name server_name matching
    /// reads; the field itself is left as sent.
    func testHostLosesItsTrailingDotAsServerNameMatchingDoes() throws {
        let loop = try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                server_name first.test;
                return 200 "first $host";
            }
            server {
                listen 127.0.0.1:PORT;
                server_name example.com;
                location / { return 200 "example [$host] [$http_host]"; }
                location /https/ { return 301 https://$host$request_uri; }
            }
        }
        """)
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET / HTTP/1.1\r\nHost: Example.COM.\r\n\r\n"
                  + "GET /https/p HTTP/1.1\r\nHost: example.com.:8080\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        let first = try XCTUnwrap(wire.next())
        XCTAssertEqual(first.bodyText, "example [example.com] [Example.COM.]")
        let second = try XCTUnwrap(wire.next())
        XCTAssertEqual(second.status, 301)
        XCTAssertEqual(second.header("Location"), "https://example.com/https/p")
        XCTAssertEqual(wire.rest, [])
    }

    func testRootVariables() throws {
        let loop = try harness()
        XCTAssertEqual(loop.get("/root/f")?.bodyText, "\(loop.directory)/www \(loop.directory)/www/root/f")
    }

    func testNoVariableSplitsAnAnswer() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        defer { Glibc.close(client) }
        loop.send(client, "GET /split/a%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /exact HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var wire = WireAnswers(loop.receive(client))
        let first = try XCTUnwrap(wire.next())
        XCTAssertEqual(first.status, 302)
        XCTAssertNil(first.header("Set-Cookie"))
        // The harness's socketpair has no port: only the path part is compared.
        XCTAssertTrue(first.header("Location")?.hasSuffix("/to/split/a  Set-Cookie: x=1") ?? false, first.head)
        let second = try XCTUnwrap(wire.next())
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.bodyText, "exact")
        XCTAssertEqual(wire.rest, [])
    }
}
