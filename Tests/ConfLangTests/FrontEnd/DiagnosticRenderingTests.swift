import XCTest
@testable import ConfLang

final class DiagnosticRenderingTests: XCTestCase {
    private let file = SourceFile(path: "conf/site.conf", text: "server {\n\tservr_name a%b;\n}\n")

    private var sample: Diagnostic {
        .error(.directiveUnknown, "unknown directive 'servr_name'; did you mean 'server_name'?",
               at: SourceRange(file: file, start: 10, end: 20),
               notes: [.init("'conf/site.conf' is included here", at: SourceRange(file: file, start: 0, end: 6))])
    }

    func testTextWithoutSnippet() {
        XCTAssertEqual(DiagnosticRenderer().render([sample]), """
        conf/site.conf:2:2: error: unknown directive 'servr_name'; did you mean 'server_name'? [directive.unknown]
        conf/site.conf:1:1: note: 'conf/site.conf' is included here

        """)
    }

    func testTextWithSnippetKeepsTabsUnderTheCaret() {
        XCTAssertEqual(DiagnosticRenderer(showSnippets: true).render([sample]), """
        conf/site.conf:2:2: error: unknown directive 'servr_name'; did you mean 'server_name'? [directive.unknown]
            \tservr_name a%b;
            \t^~~~~~~~~~
        conf/site.conf:1:1: note: 'conf/site.conf' is included here
            server {
            ^~~~~~

        """)
    }

    func testColourOnlyWhenAsked() {
        XCTAssertFalse(DiagnosticRenderer().render([sample]).contains("\u{1B}["))
        XCTAssertTrue(DiagnosticRenderer(useColor: true).render([sample]).contains("\u{1B}[1;31merror:\u{1B}[0m"))
    }

    func testJSONShape() throws {
        let text = DiagnosticRenderer(format: .json).render([sample])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let first = try XCTUnwrap((object["diagnostics"] as? [[String: Any]])?.first)
        XCTAssertEqual(object["version"] as? Int, DiagnosticRenderer.jsonVersion)
        XCTAssertEqual(first["file"] as? String, "conf/site.conf")
        XCTAssertEqual(first["line"] as? Int, 2)
        XCTAssertEqual(first["column"] as? Int, 2)
        XCTAssertEqual(first["endLine"] as? Int, 2)
        XCTAssertEqual(first["endColumn"] as? Int, 12)
        XCTAssertEqual(first["severity"] as? String, "error")
        XCTAssertEqual(first["code"] as? String, "directive.unknown")
        XCTAssertEqual((first["notes"] as? [[String: Any]])?.first?["line"] as? Int, 1)
    }

    func testSarifRequiredFields() throws {
        let text = DiagnosticRenderer(format: .sarif).render([sample])
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        XCTAssertNotNil(log["$schema"])
        let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "confcheck")
        XCTAssertEqual((driver["rules"] as? [[String: Any]])?.first?["id"] as? String, "directive.unknown")
        let result = try XCTUnwrap((run["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["ruleId"] as? String, "directive.unknown")
        XCTAssertEqual(result["level"] as? String, "error")
        XCTAssertNotNil((result["message"] as? [String: Any])?["text"])
        let location = try XCTUnwrap((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        XCTAssertEqual((location["artifactLocation"] as? [String: Any])?["uri"] as? String, "conf/site.conf")
        XCTAssertEqual((location["region"] as? [String: Any])?["startColumn"] as? Int, 2)
        XCTAssertEqual(run["columnKind"] as? String, "unicodeCodePoints")
    }

    func testSarifArtifactURIsAreURIs() {
        XCTAssertEqual(DiagnosticRenderer.artifactURI("conf/a b#1%.conf"), "conf/a%20b%231%25.conf")
        XCTAssertEqual(DiagnosticRenderer.artifactURI("/etc/nginx/sites/é.conf"), "file:///etc/nginx/sites/%C3%A9.conf")
    }

    func testGithubWorkflowCommandsEscape() {
        let diagnostic = Diagnostic.warning(.valueVariable, "50% done\nnext", at: SourceRange(file: file, start: 10, end: 11))
        XCTAssertEqual(DiagnosticRenderer(format: .github).render([diagnostic]),
                       "::warning file=conf/site.conf,line=2,col=2,endLine=2,endColumn=3,title=confcheck value.variable::50%25 done%0Anext [value.variable]\n")
        XCTAssertTrue(DiagnosticRenderer(format: .github).render([sample])
            .hasPrefix("::error file=conf/site.conf,line=2,col=2,endLine=2,endColumn=12,title=confcheck directive.unknown::unknown directive"))
        let control = Diagnostic.warning(.valueVariable, "a\u{1B}[31mb", at: SourceRange(file: file, start: 10, end: 11))
        XCTAssertTrue(DiagnosticRenderer(format: .github).render([control]).contains("::a\\u{1b}[31mb [value.variable]"))
    }

    func testJSONWriterMatchesPython() {
        let value = JSON.object([("a", .array([.int(1), .string("é\"\\\n\u{1F600}")])), ("b", .object([])), ("c", .null)])
        XCTAssertEqual(value.serialized(), #"{"a": [1, "\u00e9\"\\\n\ud83d\ude00"], "b": {}, "c": null}"#)
    }
}
