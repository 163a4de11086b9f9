import XCTest
@testable import confcheck
import ConfLang

/// `confcheck --list-codes`, and ignore comments seen from the command line.
final class ListCodesTests: XCTestCase {
    private func run(_ arguments: [String]) -> Confcheck.Outcome {
        Confcheck(environment: Confcheck.Environment()).run(arguments)
    }

    func testTextListsEveryCodeWithSeverityAndMeaning() {
        let outcome = run(["--list-codes"])
        XCTAssertEqual(outcome.status, 0)
        let lines = outcome.outputText.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, DiagnosticCode.allCases.count)
        let missing = lines.first { $0.hasPrefix("syntax.missing-semicolon ") }
        XCTAssertNotNil(missing)
        XCTAssertEqual(missing?.split(separator: " ", omittingEmptySubsequences: true).prefix(2).map(String.init),
                       ["syntax.missing-semicolon", "error"])
        XCTAssertTrue(missing?.hasSuffix("a directive is not ended by ';'") ?? false, missing ?? "")
        // Aligned columns: every severity starts in the same column.
        let severityColumns = Set(lines.map { line -> Int in
            let afterCode = line.firstIndex(of: " ") ?? line.endIndex
            let severity = line[afterCode...].firstIndex { $0 != " " } ?? line.endIndex
            return line.distance(from: line.startIndex, to: severity)
        })
        XCTAssertEqual(severityColumns.count, 1)
    }

    func testJSONIsAnArrayOfEntries() throws {
        let outcome = run(["--list-codes", "--format", "json"])
        XCTAssertEqual(outcome.status, 0)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.outputText.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["code"] as? String }, DiagnosticCatalogue.all.map(\.code))
        let host = try XCTUnwrap(entries.first { $0["code"] as? String == "listen.host-not-found" })
        XCTAssertEqual(host["severity"] as? String, "error")
        XCTAssertEqual(host["helpUri"] as? String, DiagnosticCatalogue.helpURI)
        XCTAssertFalse((host["description"] as? String ?? "").isEmpty)
        XCTAssertFalse((host["help"] as? String ?? "").isEmpty)
    }

    func testUsage() {
        XCTAssertEqual(run(["--list-codes", "a.conf"]).status, 2)
        XCTAssertEqual(run(["--list-codes", "--format", "sarif"]).status, 2)
        XCTAssertTrue(Options.help.contains("--list-codes"))
        XCTAssertEqual(try Options.parse(["--list-codes"]).mode, .listCodes)
    }

    func testIgnoredErrorNoLongerFailsTheLint() throws {
        let directory = NSTemporaryDirectory() + "confcheck-ignore-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.conf"
        let text = "events { }\nhttp { server { client_max_body_size 1x;\n} }\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(run([path]).status, 1)
        try text.replacingOccurrences(of: "1x;", with: "1x; # confcheck: ignore[value.size]").write(toFile: path, atomically: true, encoding: .utf8)
        let quiet = run([path])
        XCTAssertEqual(quiet.outputText, "")
        XCTAssertEqual(quiet.status, 0)
    }
}
