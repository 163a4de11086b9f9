import XCTest
@testable import ConfLang

/// grammar.md's directive table must say what the directive table says.
final class GrammarDocumentTests: XCTestCase {
    func testDirectiveReferenceMatchesTheTable() throws {
        let text = try String(contentsOfFile: packageRoot + "/grammar.md", encoding: .utf8)
        var documented: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.replacingOccurrences(of: "\\|", with: "/").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6, let name = cells[0].split(separator: "`").first.map(String.init),
                  let spec = DirectiveTable.spec(named: name) else { continue }
            let contexts = Set(cells[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            documented[name] = contexts
            XCTAssertEqual(contexts, Set(spec.contexts.map(\.rawValue)), "contexts of \(name) in grammar.md")
            XCTAssertEqual(cells[3] == "yes", spec.repeatable, "repeat column of \(name)")
            XCTAssertEqual(cells[4] == "yes", spec.inherited, "inherited column of \(name)")
            // The default column is the table's default, which the model builder applies (blocks describe their built-in content).
            if spec.body == .none { XCTAssertEqual(cells.count > 5 ? cells[5] : "", spec.defaultValue, "default of \(name) in grammar.md") }
        }
        XCTAssertEqual(Set(documented.keys), Set(DirectiveTable.all.map(\.name)), "every directive is documented, and only those")
    }
}
