import XCTest
@testable import ConfLang

/// `--dump` against crossplane's own output for real configurations.
final class DumpTests: XCTestCase {
    private struct Case {
        let directory: String
        let main: String
        let json: [String: Any]
    }

    private func cases(in folder: String) -> [Case] {
        let root = fixturePath(folder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        return names.sorted().compactMap { name in
            let directory = root + "/" + name
            guard let data = FileManager.default.contents(atPath: directory + "/case.json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let main = json["main"] as? String else { return nil }
            return Case(directory: directory, main: main, json: json)
        }
    }

    /// Loads with the case folder as the current directory, as crossplane was run.
    private func dump(_ testCase: Case) -> (payload: Any?, diagnostics: [Diagnostic]) {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(testCase.directory)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        guard case .success(let config) = ConfigLoader().load(path: testCase.main) else { return (nil, []) }
        let text = CrossplaneDump.payload(for: config).serialized()
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)), config.diagnostics)
    }

    private func expected(_ testCase: Case) -> Any? {
        FileManager.default.contents(atPath: testCase.directory + "/expected.json").flatMap { try? JSONSerialization.jsonObject(with: $0) }
    }

    func testNginxRealCasesMatchCrossplane() throws {
        let all = cases(in: "nginx-real")
        XCTAssertGreaterThan(all.count, 20)
        for testCase in all {
            let name = (testCase.directory as NSString).lastPathComponent
            let (payload, _) = dump(testCase)
            if testCase.json["dump"] as? String == "compare" {
                var wanted = try XCTUnwrap(expected(testCase), name)
                if name == "016-crossplane-messy" { wanted = patchCrossplaneDollarBraceQuirk(wanted) }
                let lossy = testCase.json["lossy_args"] as? Bool ?? false
                XCTAssertTrue(equal(payload, wanted, lossy: lossy), "\(name): dump differs from crossplane")
            } else if let spec = testCase.json["dump"] as? [String: Any] {
                let object = payload as? [String: Any]
                XCTAssertEqual(object?["status"] as? String, spec["status"] as? String, name)
                let lines = (object?["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
                let allowed = spec["error_lines"] as? [Int] ?? []
                XCTAssertFalse(lines.isEmpty, name)
                XCTAssertTrue(lines.allSatisfy(allowed.contains), "\(name): error lines \(lines) not in \(allowed)")
            }
        }
    }

    func testNginxRealCasesSyntaxOnly() {
        for testCase in cases(in: "nginx-real") {
            guard let spec = testCase.json["syntax_only"] as? [String: Any], let exit = spec["exit"] as? Int else { continue }
            let name = (testCase.directory as NSString).lastPathComponent
            let previous = FileManager.default.currentDirectoryPath
            FileManager.default.changeCurrentDirectoryPath(testCase.directory)
            let result = Linter.lint(path: testCase.main, options: .init(syntaxOnly: true))
            FileManager.default.changeCurrentDirectoryPath(previous)
            guard case .success(let lint) = result else { XCTFail(name); continue }
            let errors = lint.diagnostics.filter { $0.severity == .error }
            XCTAssertEqual(errors.isEmpty ? 0 : 1, exit, "\(name): \(errors.map(\.message))")
            if let lines = spec["error_lines"] as? [Int], let first = errors.first {
                XCTAssertTrue(lines.contains(first.location.line), "\(name): first error at line \(first.location.line)")
            }
        }
    }

    /// Debian's own nginx files (nginx.conf, mime.types, fastcgi.conf, ...).
    func testDebianNginxFilesMatchCrossplane() throws {
        let debian = cases(in: "debian-nginx")
        XCTAssertGreaterThanOrEqual(debian.count, 10)
        for testCase in debian {
            let (payload, diagnostics) = dump(testCase)
            XCTAssertFalse(diagnostics.hasErrors, testCase.directory)
            XCTAssertTrue(equal(payload, try XCTUnwrap(expected(testCase)), lossy: false), testCase.directory)
        }
    }

    /// crossplane's lexer glues `/abc/${uri} /abc/${uri}.html` into one
    /// argument; nginx (and this language) read two. The contract says
    /// `--dump` follows the language, so the expected tree is corrected here.
    private func patchCrossplaneDollarBraceQuirk(_ value: Any) -> Any {
        if var object = value as? [String: Any] {
            if object["directive"] as? String == "try_files", let args = object["args"] as? [String],
               args.first == "/abc/${uri} /abc/${uri}.html" {
                object["args"] = ["/abc/${uri}", "/abc/${uri}.html"] + args.dropFirst()
                return object
            }
            return object.mapValues(patchCrossplaneDollarBraceQuirk)
        }
        if let array = value as? [Any] { return array.map(patchCrossplaneDollarBraceQuirk) }
        return value
    }

    private func equal(_ a: Any?, _ b: Any?, lossy: Bool) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.keys.sorted() == y.keys.sorted() && x.keys.allSatisfy { equal(x[$0], y[$0], lossy: lossy) }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1, lossy: lossy) }
        case (let x as String, let y as String):
            return x == y || (lossy && (x.contains("\u{FFFD}") || y.contains("\u{FFFD}")))
        case (let x as NSNumber, let y as NSNumber):
            return x == y
        default:
            return false
        }
    }
}
