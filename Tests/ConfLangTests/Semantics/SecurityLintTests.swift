import XCTest
@testable import ConfLang

final class SecurityLintTests: XCTestCase {
    func testAliasTraversal() {
        XCTAssertEqual(findings(site("location /files { alias /srv/files/; }")), ["4:25 warning security.alias-traversal"])
        XCTAssertEqual(findings(site("location /files/ { alias /srv/files; }")), ["4:26 warning security.alias-traversal"])
        XCTAssertEqual(findings(site("location /files/ { alias /srv/files/; }")), [])
    }

    func testUploadsUnderARootThatRunsCGI() {
        let text = site("root www;\nlocation /up/ { upload_store www/up; allow_methods POST; }\nlocation $ .py { cgi_path /bin/sh; }")
        XCTAssertEqual(findings(text), ["5:30 warning security.upload-executable"])
        let safe = site("root www;\nlocation /up/ { upload_store uploads; allow_methods POST; }\nlocation $ .py { cgi_path /bin/sh; }")
        XCTAssertEqual(findings(safe), [])
        // Served back through an alias, the uploads are reachable too.
        let aliased = site("location /up/ { alias uploads/; upload_store uploads; allow_methods GET POST; }\nlocation $ .py { cgi_path /bin/sh; }")
        XCTAssertEqual(findings(aliased), ["4:46 warning security.upload-executable"])
    }

    func testAutoindexForTheWholeSite() {
        XCTAssertEqual(findings(site("location / { autoindex on; }")), ["4:24 warning security.autoindex-site"])
        XCTAssertEqual(findings(site("autoindex on;")), ["4:11 warning security.autoindex-site"])
        XCTAssertEqual(findings(site("location /files/ { autoindex on; }")), [])
    }

    func testCGIPathMustBeExecutable() {
        XCTAssertEqual(findings(site("location $ .py { cgi_path /nonexistent/python; }")), ["4:27 warning cgi.not-executable"])
        XCTAssertEqual(findings(site("location $ .py { cgi_path /bin/sh; }")), [])
    }

    // The cases below are gixy's, written in this language.

    func testRootOrAliasOfTheWholeFileSystem() {
        XCTAssertEqual(findings(site("root /;")), ["4:6 warning security.root-filesystem"])
        XCTAssertEqual(findings(site("root /var/..;")), ["4:6 warning security.root-filesystem"], "after .. is resolved")
        XCTAssertEqual(findings(site("location /x/ { alias /; }")), ["4:22 warning security.root-filesystem"])
        XCTAssertEqual(findings(site("root /var/www;")), [])
    }

    func testErrorLogOffIsAFileNamedOff() {
        XCTAssertEqual(findings("error_log off;\nevents { }\n"), ["1:11 warning log.error-log-off"])
        XCTAssertEqual(findings(site("error_log off;")), ["4:11 warning log.error-log-off"])
        XCTAssertEqual(findings(site("error_log /dev/null crit;")), [])
    }

    func testProxyPassPathAndLocationDisagreeOnTheSlash() {
        XCTAssertEqual(findings(site("location ^ /api { proxy_pass http://127.0.0.1:9/v1/; }")), ["4:30 warning security.proxy-path-traversal"])
        XCTAssertEqual(findings(site("location /api/ { proxy_pass http://127.0.0.1:9/v1; }")), ["4:29 warning security.proxy-path-traversal"])
        XCTAssertEqual(findings(site("location /api/ { proxy_pass http://127.0.0.1:9/v1/; }")), [])
        XCTAssertEqual(findings(site("location /api { proxy_pass http://127.0.0.1:9; }")), [], "no path: passed unchanged")
    }

    func testAliasAndLocationBothWithoutSlash() {
        let directory = temporaryTree(["robots.txt": "User-agent: *\n"])
        XCTAssertEqual(findings(site("location = /robots.txt { alias \(directory)/robots.txt; }")), [], "an exact file")
        XCTAssertEqual(findings(site("location /robots.txt { alias \(directory)/robots.txt; }")), [], "an alias that names a file")
    }

    func testAutoindexAtHTTPLevel() {
        XCTAssertEqual(findings(site("", http: "autoindex on;\n")), ["3:11 warning security.autoindex-site"])
    }

    func testUploadsWhereCGIRunsThem() {
        // Inside a CGI prefix location's own directory.
        let prefix = site("location /cgi/ { cgi_path /bin/sh; alias www/cgi/; allow_methods GET POST; upload_store www/cgi/in; }")
        XCTAssertEqual(findings(prefix), ["4:89 warning security.upload-executable"])
        // Under a root inherited from http, which a `$` location is laid over.
        let inherited = site("location /up/ { upload_store www/up; allow_methods POST; }\nlocation $ .py { cgi_path /bin/sh; }", http: "root www;\n")
        XCTAssertEqual(findings(inherited), ["5:30 warning security.upload-executable"])
        // A `$` location with its own root outside the store runs nothing uploaded.
        let ownRoot = site("root www;\nlocation /up/ { upload_store www/up; allow_methods POST; }\nlocation $ .py { cgi_path /bin/sh; root scripts; }")
        XCTAssertEqual(findings(ownRoot), [])
    }

    func testVariablesAreNotExpanded() {
        XCTAssertEqual(findings(site("return 301 https://$host$request_uri;")), [], "return evaluates its variables")
        XCTAssertEqual(findings(site("root /srv/${site};")), ["4:6 warning value.variable"])
        XCTAssertEqual(findings(site("location $ .py { cgi_path /bin/sh; }")), [], "the $ modifier is not a variable")
        XCTAssertEqual(findings(site("return 200 \"costs $5\";")), [], "a $ before a digit is text")
        let proxy = diagnostics(site("location / { proxy_pass http://$backend; }"))
        XCTAssertEqual(proxy.map(\.summary), ["4:25 warning value.variable", "4:25 error value.proxy-url"])
        XCTAssertTrue(proxy[1].message.contains("variables are not expanded"), proxy[1].message)
    }

    func testDuplicateListenInOneServer() {
        let found = diagnostics(site("listen 8080;\nlisten *:8080;"))
        XCTAssertEqual(found.map(\.summary), ["5:8 error listen.duplicate"])
        XCTAssertEqual(found.first?.notes.first?.message, "first listed here")
        XCTAssertEqual(findings(site("listen 8080;\nlisten 8081;")), [])
    }
}
