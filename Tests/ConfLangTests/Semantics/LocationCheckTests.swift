import XCTest
@testable import ConfLang

final class LocationCheckTests: XCTestCase {
    func testModifiers() {
        XCTAssertEqual(findings(site("location = /a { }\nlocation ^ /b { }\nlocation $ .py { }\nlocation /c { }")), [])
    }

    func testRegexModifiersSayWhatToUse() {
        let found = diagnostics(site("location ~ \\.php$ { }\nlocation ~* x { }\nlocation ^~ /i/ { }\nlocation @named { }"))
        XCTAssertEqual(found.map(\.summary), ["4:10 error location.modifier", "5:10 error location.modifier",
                                              "6:10 error location.modifier", "7:10 error location.modifier"])
        XCTAssertTrue(found[0].message.contains("'$ SUFFIX'"), found[0].message)
        XCTAssertTrue(found[2].message.contains("location ^ /i/"), found[2].message)
    }

    func testModifierWithoutPattern() {
        XCTAssertEqual(findings(site("location = { }")), ["4:10 error location.pattern"])
    }

    func testPatternThatCannotMatch() {
        XCTAssertEqual(findings(site("location ^ images/ { }\nlocation = x { }")),
                       ["4:12 warning location.never-matches", "5:12 warning location.never-matches"])
        XCTAssertEqual(findings(site("location $ .py { }")), [])
    }

    func testDuplicateLocations() {
        let found = diagnostics(site("location /a { }\nlocation ^ /a { }\nlocation = /a { }"))
        XCTAssertEqual(found.map(\.summary), ["5:12 error location.duplicate"])
        XCTAssertEqual(found[0].notes.first?.range?.startLocation, SourceLocation(line: 4, column: 1))
        // Same pattern in different servers is fine.
        XCTAssertEqual(findings("events { }\nhttp { server { listen 1; location /a { } } server { listen 2; location /a { } } }\n"), [])
    }

    func testRootAndAlias() {
        let found = diagnostics(site("location /a/ { root x; alias y/; }"))
        XCTAssertEqual(found.map(\.summary), ["4:24 error location.root-and-alias"])
        XCTAssertEqual(found[0].notes.first?.range?.startLocation, SourceLocation(line: 4, column: 16))
        // An inherited root beside an alias is fine.
        XCTAssertEqual(findings(site("root html;\nlocation /a/ { alias y/; }")), [])
    }
}
