import XCTest
@testable import ConfLang

/// Lints text as a main file named `test.conf` (in a fresh temp directory, so
/// includes and relative paths resolve there) and returns compact summaries:
/// "LINE:COL severity code".
func findings(_ text: String, context: Context = .main, files: [String: String] = [:],
              hostResolver: HostResolver = .system,
              file: StaticString = #filePath, line: UInt = #line) -> [String] {
    diagnostics(text, context: context, files: files, hostResolver: hostResolver).map(\.summary)
}

func diagnostics(_ text: String, context: Context = .main, files: [String: String] = [:],
                 hostResolver: HostResolver = .system) -> [Diagnostic] {
    lint(text, context: context, files: files, hostResolver: hostResolver).diagnostics
}

/// The whole lint result (reported and suppressed findings) of `text` as `test.conf`.
func lint(_ text: String, context: Context = .main, files: [String: String] = [:],
          hostResolver: HostResolver = .system, syntaxOnly: Bool = false) -> Linter.Result {
    let directory = makeCheckDirectory()
    for (name, content) in files {
        let path = directory + "/" + name
        let parent = Linter.directory(of: path)
        _ = try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(content.utf8)))
    }
    let options = Linter.Options(context: context, syntaxOnly: syntaxOnly, hostResolver: hostResolver)
    return Linter.lint(path: directory + "/test.conf", bytes: Array(text.utf8), options: options)
}

private func makeCheckDirectory() -> String {
    let path = NSTemporaryDirectory() + "conflang-check-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

extension Diagnostic {
    var summary: String { "\(location.line):\(location.column) \(severity.rawValue) \(code)" }
}

/// A minimal valid main file around a server body.
func site(_ serverBody: String, http: String = "") -> String {
    "events { }\nhttp {\n\(http)server {\n\(serverBody)\n}\n}\n"
}
