import XCTest
@testable import ConfLang

final class ErrorPageReturnCheckTests: XCTestCase {
    func testErrorPageForms() {
        XCTAssertEqual(findings(site("error_page 404 /404.html;\nerror_page 500 502 =200 /50x.html;\nerror_page 403 = /x;\nerror_page 404 https://example.com/;")), [])
    }

    func testErrorPageCodesOutsideRange() {
        XCTAssertEqual(findings(site("error_page 200 /x.html;")), ["4:12 error value.status"])
        XCTAssertEqual(findings(site("error_page 600 /x.html;")), ["4:12 error value.status"])
        XCTAssertEqual(findings(site("error_page abc /x.html;")), ["4:12 error value.status"])
    }

    func testErrorPageTarget() {
        XCTAssertEqual(findings(site("error_page 404 x.html;")), ["4:16 error value.error-page-uri"])
        XCTAssertEqual(findings(site("error_page 404 @fallback;")), ["4:16 error value.error-page-uri"])
        XCTAssertEqual(findings(site("error_page 404 =999 /x.html;")), ["4:16 error value.status"])
    }

    func testReturnCodes() {
        XCTAssertEqual(findings(site("return 200 'hello';")), [])
        XCTAssertEqual(findings(site("location /a { return 301 https://example.com/; }")), [])
        XCTAssertEqual(findings(site("return https://example.com/;")), [])
        // 0 to 999 are accepted (the contract, nginx); outside 100 to 599 no client understands them.
        XCTAssertEqual(findings(site("return 0;")), ["4:8 warning value.return-nonstandard"])
        XCTAssertEqual(findings(site("return 600 'odd';")), ["4:8 warning value.return-nonstandard"])
        XCTAssertEqual(findings(site("return 999;")), ["4:8 warning value.return-nonstandard"])
        XCTAssertEqual(findings(site("return 599 'x';")), [])
        XCTAssertEqual(findings(site("return 100;")), [])
        XCTAssertEqual(findings(site("return 1000;")), ["4:8 error value.status"])
        XCTAssertEqual(findings(site("return 301;")), ["4:8 error value.return-redirect"])
        XCTAssertEqual(findings(site("return abc;")), ["4:8 error value.status"])
    }
}
