import XCTest
@testable import ConfLang

final class TypesCheckTests: XCTestCase {
    func testValidTypes() {
        XCTAssertEqual(findings(site("", http: "types { text/html html htm; image/png png; }\n")), [])
    }

    func testEntryThatIsNotAMimeType() {
        XCTAssertEqual(findings(site("", http: "types { texthtml html; }\n")), ["3:9 error types.mime-type"])
        XCTAssertEqual(findings(site("", http: "types { text/html; }\n")), ["3:9 error types.no-extension"])
    }

    func testExtensionMappedTwiceAcrossIncludedFiles() {
        let found = diagnostics(site("", http: "include mime.types;\ntypes { text/x-foo html; }\n"),
                                files: ["mime.types": "types {\n    text/html html;\n}\n"])
        XCTAssertEqual(found.map(\.summary), ["4:20 warning types.duplicate-extension"])
        XCTAssertEqual(found[0].notes.first?.range?.file.path.hasSuffix("mime.types"), true)
    }

    func testSameExtensionInDifferentContextsIsFine() {
        XCTAssertEqual(findings(site("location /a { types { text/plain html; } }", http: "types { text/html html; }\n")), [])
    }
}
