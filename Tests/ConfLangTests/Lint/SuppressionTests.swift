import XCTest
@testable import ConfLang

/// `# confcheck: ignore[CODE, ...]`: on the finding's line, or alone on the
/// line above; only the codes named, only that line.
final class SuppressionTests: XCTestCase {
    /// `root` with a variable: a `value.variable` warning on line 5.
    private func location(_ body: String) -> String { site("location / {\n\(body)\n}") }

    func testUnsuppressedFindingForReference() {
        XCTAssertEqual(findings(location("root /srv/$host;")), ["5:6 warning value.variable"])
    }

    func testSameLineSuppresses() {
        let result = lint(location("root /srv/$host; # confcheck: ignore[value.variable]"))
        XCTAssertEqual(result.diagnostics.map(\.summary), [])
        XCTAssertEqual(result.suppressed.map(\.summary), ["5:6 warning value.variable"], "kept aside, not lost")
    }

    func testCommentBetweenArgumentsOnTheSameLineSuppresses() {
        XCTAssertEqual(findings(location("root # confcheck: ignore[value.variable]\n/srv/$host;")), ["6:1 warning value.variable"],
                       "the finding is on the next line")
        XCTAssertEqual(findings(location("root /srv/$host # confcheck: ignore[value.variable]\n;")), [])
    }

    func testLineAboveSuppresses() {
        XCTAssertEqual(findings(location("    # confcheck: ignore[value.variable]\n    root /srv/$host;")), [])
    }

    func testSeveralCodesInOneComment() {
        let text = location("# confcheck:ignore[ value.size ,value.variable]\nroot /srv/$host;")
        XCTAssertEqual(findings(text), [])
    }

    func testOtherCodeIsNotSuppressed() {
        XCTAssertEqual(findings(location("root /srv/$host; # confcheck: ignore[value.size]")), ["5:6 warning value.variable"])
    }

    func testTwoLinesAboveDoesNotSuppress() {
        XCTAssertEqual(findings(location("# confcheck: ignore[value.variable]\n\nroot /srv/$host;")), ["7:6 warning value.variable"])
    }

    func testATrailingCommentDoesNotReachTheNextLine() {
        let text = location("index a.html; # confcheck: ignore[value.variable]\nroot /srv/$host;")
        XCTAssertEqual(findings(text), ["6:6 warning value.variable"])
    }

    func testUnknownCodeIsWarnedWithASuggestion() throws {
        let found = diagnostics(location("root /srv/$host; # confcheck: ignore[value.variabel, value.size]"))
        XCTAssertEqual(found.map(\.summary), ["5:6 warning value.variable", "5:38 warning suppression.unknown-code"])
        let unknown = found[1]
        XCTAssertEqual(unknown.message, "unknown diagnostic code 'value.variabel' in ignore[...]; did you mean 'value.variable'?")
        XCTAssertEqual(unknown.fixIt?.replacement, "value.variable")
        XCTAssertEqual(unknown.range.text, "value.variabel")
        let far = diagnostics(location("# confcheck: ignore[completely-wrong]"))
        XCTAssertEqual(far.map(\.summary), ["5:21 warning suppression.unknown-code"])
        XCTAssertNil(far[0].fixIt)
    }

    func testMalformedCommentIsWarned() {
        XCTAssertEqual(findings(location("# confcheck: ignore value.variable\nroot /srv/$host;")),
                       ["5:1 warning suppression.malformed", "6:6 warning value.variable"])
        XCTAssertEqual(findings(location("# confcheck: ignore[]")), ["5:14 warning suppression.malformed"])
        XCTAssertEqual(findings(location("# confcheck is run in CI")), [], "only 'confcheck:' is read")
    }

    func testSuppressionInsideAnIncludedFile() {
        let main = location("include sub.conf;")
        XCTAssertEqual(findings(main, files: ["sub.conf": "root /srv/$host;\n"]), ["1:6 warning value.variable"])
        XCTAssertEqual(findings(main, files: ["sub.conf": "# confcheck: ignore[value.variable]\nroot /srv/$host;\n"]), [])
        XCTAssertEqual(findings(main, files: ["sub.conf": "root /srv/$host; # confcheck: ignore[value.variable]\n"]), [])
    }

    func testACommentInTheIncluderDoesNotReachTheIncludedFile() {
        let main = location("# confcheck: ignore[value.variable]\ninclude sub.conf;")
        XCTAssertEqual(findings(main, files: ["sub.conf": "\nroot /srv/$host;\n"]), ["2:6 warning value.variable"])
    }

    func testErrorsCanBeSuppressedAndStillStopTheServer() throws {
        let text = "events { }\nhttp { server { listen 8080; client_max_body_size 1x; # confcheck: ignore[value.size]\n} }\n"
        let result = lint(text)
        XCTAssertEqual(result.diagnostics.map(\.summary), [])
        XCTAssertEqual(result.suppressed.map(\.summary), ["2:51 error value.size"])
        let directory = temporaryTree(["webserv.conf": text])
        guard case .failure(.invalid(let errors)) = ModelBuilder.build(path: directory + "/webserv.conf") else {
            return XCTFail("webserv must not run a configuration with a suppressed error")
        }
        XCTAssertEqual(errors.map(\.summary), ["2:51 error value.size"])
        XCTAssertTrue(errors[0].notes.contains { $0.message.contains("confcheck: ignore") })
    }

    func testSuppressedWarningsDoNotReachWebserv() throws {
        let text = "events { }\nhttp { server { listen 8080; location / { root /srv/$h; # confcheck: ignore[value.variable]\n} } }\n"
        let directory = temporaryTree(["webserv.conf": text])
        guard case .success((_, let warnings)) = ModelBuilder.build(path: directory + "/webserv.conf") else {
            return XCTFail("a suppressed warning does not stop webserv")
        }
        XCTAssertEqual(warnings.map(\.summary), [])
    }
}
