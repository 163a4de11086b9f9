import XCTest
@testable import ConfLang

/// The catalogue is the only place codes are written, and README's
/// reference is generated from it.
final class DiagnosticCatalogueTests: XCTestCase {
    func testEveryCodeIsUniqueWellFormedAndDocumented() {
        var seen = Set<String>()
        for code in DiagnosticCode.allCases {
            let entry = code.entry
            XCTAssertTrue(seen.insert(entry.code).inserted, "\(entry.code) is catalogued twice")
            XCTAssertNotNil(entry.code.wholeMatch(of: #/[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*/#), entry.code)
            XCTAssertEqual(DiagnosticCode(code: entry.code), code, "the printed code reads back")
            XCTAssertFalse(entry.summary.isEmpty || entry.summary.contains("\n"), "\(entry.code): one-line summary")
            XCTAssertFalse(entry.help.isEmpty, "\(entry.code): help")
        }
        XCTAssertNil(DiagnosticCode(code: "no.such-code"))
    }

    /// Every emitted code is catalogued by construction (a Diagnostic takes
    /// a `DiagnosticCode`); this keeps code strings from creeping back in,
    /// in comparisons or hand-made output.
    func testNoCodeStringOutsideTheCatalogue() throws {
        let areas = Set(DiagnosticCatalogue.all.map { String($0.code.prefix { $0 != "." }) })
        let looksLikeCode = #/[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*/#
        let literal = #/"((?:[^"\\\n]|\\.)*)"/#
        var offenders: [String] = []
        for directory in ["Sources/ConfLang", "Sources/confcheck"] {
            let root = packageRoot + "/" + directory
            let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: root)).filter { $0.hasSuffix(".swift") }
            XCTAssertFalse(files.isEmpty, directory)
            for file in files where !file.hasSuffix("DiagnosticCatalogue.swift") {
                let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                    for match in line.matches(of: literal) {
                        let content = String(match.1)
                        guard content.wholeMatch(of: looksLikeCode) != nil,
                              areas.contains(String(content.prefix { $0 != "." })) else { continue }
                        offenders.append("\(directory)/\(file):\(number + 1): \"\(content)\"")
                    }
                }
            }
        }
        XCTAssertEqual(offenders, [], "write codes as DiagnosticCode cases, catalogued in DiagnosticCatalogue.swift")
    }

    /// README's table between the markers is `markdownTable()`. To refresh
    /// it: CONFCHECK_UPDATE_README=1 swift test --filter DiagnosticCatalogueTests
    func testReadmeReferenceMatchesTheCatalogue() throws {
        let path = packageRoot + "/README.md"
        let readme = try String(contentsOfFile: path, encoding: .utf8)
        let begin = "<!-- codes:begin -->\n", end = "<!-- codes:end -->"
        let start = try XCTUnwrap(readme.range(of: begin), "README lacks \(begin)")
        let stop = try XCTUnwrap(readme.range(of: end, range: start.upperBound..<readme.endIndex), "README lacks \(end)")
        let documented = String(readme[start.upperBound..<stop.lowerBound])
        let generated = DiagnosticCatalogue.markdownTable()
        if documented != generated, ProcessInfo.processInfo.environment["CONFCHECK_UPDATE_README"] != nil {
            try (readme[..<start.upperBound] + generated + readme[stop.lowerBound...]).write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(documented, generated, "README's diagnostics reference is out of date (see this test's comment)")
    }

    func testMarkdownTableEscapesPipes() {
        let table = DiagnosticCatalogue.markdownTable()
        let rows = table.split(separator: "\n").dropFirst(2)
        XCTAssertEqual(rows.count, DiagnosticCode.allCases.count)
        for row in rows {
            // Four cells: five unescaped pipes.
            let unescaped = row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            XCTAssertEqual(unescaped, 5, String(row))
        }
    }
}
