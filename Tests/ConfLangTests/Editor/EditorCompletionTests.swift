import XCTest
@testable import ConfLang

/// The context at a cursor and what completion offers there.
final class EditorCompletionTests: XCTestCase {
    private func labels(_ marked: String, top: Context = .main, mimeTypes: [String] = ["text/html"]) -> [String] {
        let (file, offset) = parsedAtCursor(marked)
        let cursor = CursorContext.at(offset, in: file, topContext: top)
        return Completion.candidates(at: cursor, mimeTypes: mimeTypes).map(\.label)
    }

    func testInsideALocationOffersLocationDirectivesOnly() {
        let names = labels("http {\n    server {\n        location / {\n            |\n        }\n    }\n}\n")
        XCTAssertTrue(names.contains("root"))
        XCTAssertTrue(names.contains("allow_methods"))
        XCTAssertFalse(names.contains("listen"))
        XCTAssertFalse(names.contains("server"))
    }

    /// An upstream block's entries, not the table's directives (it offered none before).
    func testInsideAnUpstreamOffersItsEntries() {
        let names = labels("http {\n    upstream app {\n        |\n    }\n}\n")
        XCTAssertTrue(names.contains("server"))
        XCTAssertTrue(names.contains("keepalive"))
        XCTAssertTrue(names.contains("least_conn"))
        XCTAssertFalse(names.contains("root"))
        XCTAssertTrue(labels("http {\n    |\n}\n").contains("upstream"))
    }

    func testAHalfTypedNameInAnUnclosedBlockStillFindsItsContext() {
        let (file, offset) = parsedAtCursor("http {\n    server {\n        liste|")
        let cursor = CursorContext.at(offset, in: file, topContext: .main)
        XCTAssertEqual(cursor.context, .server)
        guard case .directiveName(let prefix, let range) = cursor.role else { return XCTFail("\(cursor.role)") }
        XCTAssertEqual(prefix, "liste")
        XCTAssertEqual(range.text, "liste")
        XCTAssertTrue(Completion.candidates(at: cursor, mimeTypes: []).map(\.label).contains("listen"))
    }

    func testTopLevelFollowsTheContextTheFileIsIncludedIn() {
        XCTAssertTrue(labels("|", top: .http).contains("server"))
        XCTAssertFalse(labels("|", top: .http).contains("worker_processes"))
        XCTAssertTrue(labels("|", top: .main).contains("worker_processes"))
        XCTAssertEqual(Set(labels("events {\n    |\n}\n")), ["worker_connections", "multi_accept", "use"])
    }

    func testDirectivesAlreadySetOnceAreLeftOut() {
        let names = labels("http {\n    server {\n        root /a;\n        |\n        listen 80;\n    }\n}\n")
        XCTAssertFalse(names.contains("root"))
        XCTAssertTrue(names.contains("listen"), "listen may repeat")
        XCTAssertTrue(names.contains("location"))
    }

    func testOnOffAfterAutoindex() {
        XCTAssertEqual(labels("http { server { location / { autoindex | } } }"), ["on", "off"])
        XCTAssertEqual(labels("http { server { location / { autoindex o| } } }"), ["on", "off"])
        XCTAssertEqual(labels("http { server { location / { autoindex on |} } }"), [], "autoindex takes one argument")
    }

    func testAMissingSemicolonDoesNotSwallowTheNextLinesCompletion() {
        let names = labels("http {\n    server {\n        root /a\n        lis|\n    }\n}\n")
        XCTAssertTrue(names.contains("listen"))
    }

    func testValuesByArgumentKind() {
        XCTAssertEqual(labels("http { server { listen 80 | } }"), ["ssl", "http2", "default_server"])
        XCTAssertEqual(labels("http { server { listen | } }"), [])
        XCTAssertEqual(labels("http { server { location | } }"), ["=", "^", "$"])
        XCTAssertEqual(labels("http { server { location = | } }"), [])
        XCTAssertEqual(labels("error_log logs/e.log |"), Values.logLevels)
        XCTAssertEqual(labels("http { default_type |"), ["text/html"])
        let methods = labels("http { server { location / { allow_methods GET | } } }")
        XCTAssertEqual(methods, Values.knownMethods.filter { $0 != "GET" })
        XCTAssertEqual(labels("worker_processes |"), ["auto"])
    }

    func testNothingInsideCommentsOrQuotes() {
        XCTAssertEqual(labels("http {\n    # root |\n}\n"), [])
        XCTAssertEqual(labels("http { default_type \"te|\" }"), [])
    }

    func testTypesBodiesOfferMimeTypes() {
        XCTAssertEqual(labels("http { types { | } }", mimeTypes: ["text/html", "image/png"]), ["text/html", "image/png"])
    }

    func testMimeTypesComeFromTheConfigurationFirst() {
        let file = Parser.parse(SourceFile(path: "m.conf", text: "types {\n    application/x-custom cst;\n    text/html html;\n}\n")).0
        let types = Completion.mimeTypes(in: [file])
        XCTAssertEqual(Array(types.prefix(2)), ["application/x-custom", "text/html"])
        XCTAssertEqual(types.filter { $0 == "text/html" }.count, 1)
        XCTAssertTrue(types.contains("image/png"))
    }

    func testUnknownBlocksOfferNothing() {
        XCTAssertEqual(labels("http { map $x $y { | } }"), [])
    }
}
