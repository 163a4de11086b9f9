import XCTest
@testable import ConfLang

/// Variables where nginx evaluates them: an unknown one is an error (nginx
/// refuses it), `map` and `set` define theirs anywhere, and elsewhere a `$`
/// is text (a warning says so).
final class VariableCheckTests: XCTestCase {
    func testKnownVariablesInReturnAreClean() {
        XCTAssertEqual(findings(site("listen 8080;\nreturn 301 https://$host$request_uri;")), [])
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { return 200 \"${remote_addr} $http_user_agent $arg_x $cookie_y\"; }")), [])
    }

    func testAnUnknownVariableIsAnError() {
        let found = diagnostics(site("listen 8080;\nreturn 301 https://$hots$request_uri;"))
        XCTAssertEqual(found.map(\.summary), ["5:12 error variable.unknown"])
        XCTAssertEqual(found.first?.message, "unknown variable '$hots' in 'return' (nginx: unknown \"hots\" variable); did you mean '$host'?")
    }

    func testInvalidNames() {
        XCTAssertEqual(findings(site("listen 8080;\nreturn 200 \"costs 5$\";")), ["5:12 error variable.invalid"])
        XCTAssertEqual(findings(site("listen 8080;\nreturn 200 \"${host\";")), ["5:12 error variable.invalid"])
    }

    func testMapAndSetDefineVariablesForEveryUse() {
        let text = site("""
        listen 8080;
        set $greeting "hello $who";
        location / { return 200 "$greeting $upgrade"; }
        """, http: """
        map $http_upgrade $upgrade {
            default upgrade;
            '' close;
            ~*^web websocket;
        }
        map $host $who { hostnames; .example.com example; default $host; }
        """)
        XCTAssertEqual(findings(text), [])
    }

    func testMapChecks() {
        let text = site("listen 8080;", http: """
        map $uri $a { default x; /a 1 2; ~( bad; /b 1; /B 2; }
        map $uri $host { default x; }
        map $nope $b { default 1; }
        map $uri $c { default $alsonope; }
        """)
        XCTAssertEqual(findings(text), [
            "3:26 error map.entry", "3:34 error map.entry", "3:48 error map.entry",
            "4:10 error variable.invalid", "5:5 error variable.unknown", "6:23 error variable.unknown",
        ])
    }

    func testMapOnlyAtHttpLevelAndSetNotInHttp() {
        XCTAssertEqual(findings(site("listen 8080;\nmap $uri $x { default 1; }")), ["5:1 error directive.context"])
        XCTAssertEqual(findings(site("listen 8080;", http: "set $x 1;")), ["3:1 error directive.context"])
    }

    func testElsewhereADollarIsTextAndSaysSo() {
        let found = diagnostics(site("listen 8080;\nroot /srv/$host;"))
        XCTAssertEqual(found.map(\.summary), ["5:6 warning value.variable"])
        XCTAssertTrue(found[0].message.hasPrefix("'$host' is not expanded in 'root': webserv evaluates variables only in map, log_format, return, set, try_files, fastcgi_param, proxy_set_header, proxy_set_body, add_header"),
                      found[0].message)
    }

    func testAddHeaderAndLogFormat() {
        let text = site("""
        listen 8080;
        add_header X-Frame-Options DENY always;
        add_header X-Served-By $hostname;
        add_header X-Bad value sometimes;
        access_log logs/a.log main;
        access_log logs/b.log nope;
        """, http: """
        log_format main '$remote_addr "$request" $status $body_bytes_sent';
        log_format json escape=json '{"uri":"$uri"}';
        log_format bad escape=xml '$uri';
        log_format combined '$uri';
        """)
        XCTAssertEqual(findings(text), ["5:16 error value.log-format", "6:12 error value.log-format",
                                        "10:24 error directive.arguments", "12:23 error value.log-format"])
    }

    func testAddHeaderFieldsCannotSplitAnAnswer() {
        XCTAssertEqual(findings(site("listen 8080;\nadd_header \"X-A\" \"a\\r\\nSet-Cookie: x=1\";")), ["5:18 error directive.arguments"])
        XCTAssertEqual(findings(site("listen 8080;\nadd_header \"X A\" 1;")), ["5:12 error directive.arguments"])
    }

    func testAddHeaderRedefinitionDroppingASecurityHeader() {
        let text = site("""
        listen 8080;
        add_header X-Frame-Options DENY always;
        add_header X-Content-Type-Options nosniff;
        location /keeps/ { add_header X-Frame-Options DENY; add_header X-Content-Type-Options nosniff; add_header X-A 1; }
        location /drops/ { add_header Cache-Control no-store; }
        location /inherits/ { }
        """)
        let found = diagnostics(text)
        XCTAssertEqual(found.map(\.summary), ["8:20 warning security.add-header-redefinition"])
        XCTAssertEqual(found.first?.notes.map(\.message), ["'X-Frame-Options' is added here", "'X-Content-Type-Options' is added here"])
    }
}

/// The new diagnostics as lint prints them (text with snippets): pinned.
final class VariableDiagnosticGoldenTests: XCTestCase {
    func testRenderedText() {
        let text = """
        events { }
        http {
            add_header X-Frame-Options DENY always;
            map $uri $a { /x 1 2; }
            server {
                listen 8080;
                add_header Cache-Control no-store;
                return 301 https://$hots$request_uri;
            }
        }

        """
        let rendered = DiagnosticRenderer(showSnippets: true).render(lint(text).diagnostics)
            .replacingOccurrences(of: "/[^\\s:]*/test\\.conf", with: "test.conf", options: .regularExpression)
        XCTAssertEqual(rendered, """
        test.conf:4:19: error: map entry '/x' needs exactly one value: /x VALUE; (got 2) [map.entry]
                map $uri $a { /x 1 2; }
                              ^~
        test.conf:7:9: warning: this block's add_header replaces every add_header of the enclosing block, so 'X-Frame-Options' is not sent here: repeat it in this block [security.add-header-redefinition]
                    add_header Cache-Control no-store;
                    ^~~~~~~~~~
        test.conf:3:5: note: 'X-Frame-Options' is added here
                add_header X-Frame-Options DENY always;
                ^~~~~~~~~~
        test.conf:8:20: error: unknown variable '$hots' in 'return' (nginx: unknown "hots" variable); did you mean '$host'? [variable.unknown]
                    return 301 https://$hots$request_uri;
                               ^~~~~~~~~~~~~~~~~~~~~~~~~

        """)
    }
}

/// `try_files`' checks: its fallback, and one that names the request again.
final class TryFilesCheckTests: XCTestCase {
    func testTheFallback() {
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { try_files $uri $uri/ /index.html; }")), [])
        XCTAssertEqual(findings(site("listen 8080;\ntry_files $uri =404;")), [])
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { try_files $uri =99; }")), ["5:29 error value.status"])
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { try_files $uri @app; }")), ["5:29 error tryfiles.fallback"])
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { try_files $uri index.html; }")), ["5:29 error tryfiles.fallback"])
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { try_files $uri $hots; }")), ["5:29 error variable.unknown"])
        XCTAssertEqual(findings(site("listen 8080;\nlocation / { try_files $uri; }")), ["5:14 error directive.arguments"])
    }

    func testAFallbackNamingTheRequestIsNoFallback() {
        let found = diagnostics(site("listen 8080;\nlocation / { try_files $uri $uri/; }"))
        XCTAssertEqual(found.map(\.summary), ["5:29 warning tryfiles.no-fallback"])
        XCTAssertTrue(found[0].message.contains("add a fallback after it: =404, or a URI such as /index.html"), found[0].message)
    }

    func testNoLongerUnsupported() {
        XCTAssertFalse(findings(site("listen 8080;\nlocation / { try_files $uri /index.php?$args; }")).contains { $0.contains("directive.unsupported") })
    }
}
