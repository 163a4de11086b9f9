import XCTest
@testable import ConfLang

/// nginx's own files lint: the directives that are harmless here are
/// accepted, and the nginx directives webserv lacks say so, never as typos.
final class NginxDirectiveTests: XCTestCase {
    func testHarmlessDirectivesAreAccepted() {
        let text = "daemon off;\nevents { multi_accept on; use epoll; }\nhttp {\n"
            + "sendfile on;\ntcp_nopush on;\ntcp_nodelay on;\ntypes_hash_max_size 2048;\nserver_names_hash_bucket_size 64;\n"
            + "keepalive_requests 1000;\nserver_tokens off;\n"
            + "server { sendfile off; server_tokens on; location / { tcp_nodelay off; keepalive_requests 100; } }\n}\n"
        let found = diagnostics(text)
        XCTAssertEqual(found.filter { $0.severity != .note }.map(\.summary), [])
        // Each one that does nothing here says so, in a note (which never fails a lint, --strict included).
        // (keepalive_requests acts since it bounds an HTTP/2 connection's requests: no note.)
        XCTAssertEqual(found.map { $0.range.text }, ["daemon", "multi_accept", "use", "sendfile", "tcp_nopush", "tcp_nodelay",
                                                    "types_hash_max_size", "server_names_hash_bucket_size",
                                                    "sendfile", "tcp_nodelay"])
        XCTAssertTrue(found.allSatisfy { $0.id == .directiveNoEffect }, "\(found.map(\.summary))")
        guard found.count > 3 else { return }
        let sendfile = found[3].message
        XCTAssertTrue(sendfile.contains("no effect") && sendfile.contains("sendfile(2)"), sendfile)
    }

    func testTheirArgumentsAreStillChecked() {
        XCTAssertEqual(findings(site("sendfile yes;")), ["4:10 error value.on-off"])
        XCTAssertEqual(findings(site("keepalive_requests many;")), ["4:20 error value.number"])
        XCTAssertEqual(findings("events { use kqueue; }\n").map { $0 }, ["1:14 error value.event-method"])
        let message = diagnostics("events { use kqueue; }\n").first?.message ?? ""
        XCTAssertTrue(message.contains("epoll"), message)
    }

    /// Debian's stock nginx.conf and default site: only what webserv really lacks is reported.
    func testTheStockDebianFileReportsOnlyWhatWebservLacks() throws {
        let main = packageRoot + "/Tests/Fixtures/debian-nginx/nginx-conf/nginx.conf"
        let result = try Linter.lint(path: main, options: .init(hostResolver: HostResolver { _ in true })).get()
        let reported = result.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(reported.filter { $0.id != .directiveUnsupported }.map(\.message), [])
        let names = Set(reported.map { $0.range.text })
        XCTAssertTrue(names.isSubset(of: ["user"]), "\(names)")
    }

    func testWellKnownNginxDirectivesAreUnsupportedWithAnAlternative() {
        let cases = ["auth_request /auth;", "limit_req zone=one;", "limit_req_zone $a zone=one:1m rate=1r/s;",
                     "ssl_stapling on;", "ssl_dhparam dh.pem;", "brotli on;", "proxy_cache one;",
                     "resolver 127.0.0.1;", "stub_status;", "http3 on;", "ssl on;", "limit_conn addr 1;",
                     "fastcgi_buffering off;", "uwsgi_pass 127.0.0.1:9000;", "real_ip_header X-Real-IP;", "open_file_cache max=10;"]
        for directive in cases {
            let found = diagnostics(site("location / { \(directive) }"))
            XCTAssertEqual(found.map(\.id), [.directiveUnsupported], directive)
            let message = found.first?.message ?? ""
            XCTAssertFalse(message.contains("did you mean"), message)
            XCTAssertTrue(message.contains("does not support: "), "says what to do instead: \(message)")
        }
    }

    func testEveryUnsupportedDirectiveSaysWhatToDo() {
        for (name, advice) in Suggestions.nginxOnly {
            XCTAssertFalse(advice.isEmpty, name)
            XCTAssertNil(DirectiveTable.spec(named: name), "\(name) is in the table: it is never unsupported")
        }
    }

    func testListenQUICSaysWhatIsUnsupportedAndHTTP2IsAccepted() {
        XCTAssertEqual(findings(site("listen 443 ssl http2;\nssl_certificate c.pem;\nssl_certificate_key k.pem;")), [])
        let found = diagnostics(site("listen 443 quic;"))
        XCTAssertEqual(found.map(\.summary), ["4:12 error value.listen-parameter"])
        XCTAssertTrue(found.first?.message.contains("HTTP/3") ?? false, found.first?.message ?? "")
        XCTAssertEqual(findings(site("listen 8080 default_server reuseport;")), ["4:28 error value.listen-parameter"])
        XCTAssertEqual(findings(site("listen 8080 default_server;")), [])
        XCTAssertEqual(findings(site("listen 8080 default_server default_server;")), ["4:28 error value.listen-parameter"])
    }

    func testAFragmentLintedAloneSuggestsItsContext() {
        let location = diagnostics("location / { root /srv; }\n")
        XCTAssertEqual(location.map(\.summary), ["1:1 error directive.context"])
        XCTAssertTrue(location.first?.message.contains("--context server") ?? false, location.first?.message ?? "")
        let server = diagnostics("server { listen 80; }\n")
        XCTAssertTrue(server.first?.message.contains("--context http") ?? false, server.first?.message ?? "")
        // Inside a block, the file is not a fragment: no such advice.
        let nested = diagnostics(site("events { }"))
        XCTAssertFalse(nested.first?.message.contains("--context") ?? true, nested.first?.message ?? "")
    }
}
