import XCTest
@testable import ConfLang

final class DirectiveTableCheckTests: XCTestCase {
    func testValidConfigurationHasNoFindings() {
        let text = """
        worker_processes auto;
        error_log logs/error.log warn;
        pid run/webserv.pid;
        events { worker_connections 1024; }
        http {
            root html;
            client_max_body_size 0;
            keepalive_timeout 65 60;
            access_log logs/access.log combined;
            server {
                listen 127.0.0.1:8080 default_server;
                server_name example.com www.example.com;
                large_client_header_buffers 4 16k;
                location = /50x.html { }
                location ^ /cgi/ { allow_methods GET POST; }
                location $ .py { cgi_timeout 30s; }
                location /old { return 301 /new; }
            }
        }
        """
        XCTAssertEqual(findings(text), [])
    }

    func testUnknownDirectiveSuggestsTheClosestName() {
        let found = diagnostics(site("listen 80;\nservr_name example.com;"))
        XCTAssertEqual(found.map(\.summary), ["5:1 error directive.unknown"])
        XCTAssertTrue(found[0].message.contains("did you mean 'server_name'?"), found[0].message)
        XCTAssertEqual(found[0].fixIt?.replacement, "server_name")
    }

    func testUnknownDirectiveWithoutCloseNameHasNoSuggestion() {
        let found = diagnostics(site("frobnicate 1;"))
        XCTAssertEqual(found.map(\.summary), ["4:1 error directive.unknown"])
        XCTAssertFalse(found[0].message.contains("did you mean"))
    }

    func testNginxOnlyDirectiveSaysItIsUnsupported() {
        XCTAssertEqual(findings(site("rewrite ^ /x;")), ["4:1 error directive.unsupported"])
    }

    func testDirectiveInWrongContext() {
        XCTAssertEqual(findings("events { }\nhttp { listen 80; }\n"), ["2:8 error directive.context"])
        XCTAssertEqual(findings(site("location / { location /a { } }")), ["4:14 error directive.context"])
        // Head directives stop at server level.
        XCTAssertEqual(findings(site("location / { client_header_timeout 5s; }")), ["4:14 error directive.context"])
        XCTAssertEqual(findings(site("client_header_timeout 5s;")), [])
    }

    func testBlockAndSimpleDirectiveShapes() {
        XCTAssertEqual(findings("events;\n"), ["1:1 error directive.missing-block"])
        XCTAssertEqual(findings(site("root html { }")), ["4:11 error directive.unexpected-block"])
    }

    func testArgumentCount() {
        XCTAssertEqual(findings(site("root;")), ["4:1 error directive.arguments"])
        XCTAssertEqual(findings(site("autoindex on off;")), ["4:14 error directive.arguments"])
        XCTAssertEqual(findings("events { } http { } worker_processes 1 2;"), ["1:40 error directive.arguments"])
    }

    func testMissingSemicolonBetweenLinesIsNamed() {
        let found = diagnostics(site("root html\nindex index.html;"))
        XCTAssertEqual(found.map(\.summary), ["4:10 error directive.arguments"])
        XCTAssertTrue(found[0].message.contains("';' missing at the end of line 4"), found[0].message)
        XCTAssertEqual(found[0].fixIt?.replacement, ";")
    }

    func testDirectiveWrittenTwice() {
        let found = diagnostics(site("root a;\nroot b;"))
        XCTAssertEqual(found.map(\.summary), ["5:1 error directive.duplicate"])
        XCTAssertEqual(found[0].notes.first?.range?.startLocation, SourceLocation(line: 4, column: 1))
        // Repeatable directives are fine twice.
        XCTAssertEqual(findings(site("listen 80;\nlisten 81;\nerror_page 404 /a.html;\nerror_page 500 /b.html;")), [])
        // The same directive in different blocks is fine.
        XCTAssertEqual(findings(site("root a;\nlocation /x { root b; }")), [])
    }

    func testDuplicateAcrossAnIncludeIsFound() {
        let found = diagnostics(site("root a;\ninclude more.conf;"), files: ["more.conf": "root b;\n"])
        XCTAssertEqual(found.map(\.summary), ["1:1 error directive.duplicate"])
        XCTAssertTrue(found[0].range.file.path.hasSuffix("more.conf"))
        XCTAssertTrue(found[0].notes.contains { $0.message.contains("is included here") })
    }

    func testContextOptionChecksFragments() {
        XCTAssertEqual(findings("listen 80;\nlocation / { root html; }\n", context: .server), [])
        XCTAssertEqual(findings("listen 80;\n", context: .location), ["1:1 error directive.context"])
        XCTAssertEqual(findings("root html;\nautoindex on;\n", context: .location), [])
    }

    func testIncludeNotAllowedInEvents() {
        XCTAssertEqual(findings("events { include x.conf; }\n", files: ["x.conf": "worker_connections 10;\n"]),
                       ["1:10 error directive.context"])
    }
}
