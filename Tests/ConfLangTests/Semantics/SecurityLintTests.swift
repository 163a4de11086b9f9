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
}
