import XCTest
@testable import ConfLang

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

func fixturePath(_ relative: String) -> String { packageRoot + "/Tests/Fixtures/" + relative }

func parse(_ text: String, path: String = "t.conf") -> (ConfigFile, [Diagnostic]) {
    Parser.parse(SourceFile(path: path, text: text))
}

func tokens(_ text: String) -> (kinds: [Token.Kind], texts: [String], diagnostics: [Diagnostic]) {
    let file = SourceFile(path: "t.conf", text: text)
    var lexer = Lexer(file: file)
    let all = lexer.tokenize().dropLast()
    return (all.map(\.kind), all.map { file.text($0.start..<$0.end) }, lexer.diagnostics)
}

/// A fresh temporary directory holding the given files.
func temporaryTree(_ files: [String: String]) -> String {
    let directory = NSTemporaryDirectory() + "conflang-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    for (name, content) in files {
        let path = directory + "/" + name
        try? FileManager.default.createDirectory(atPath: Linter.directory(of: path), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
    }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory
}

/// A compact, comparable picture of a parse: `name(args){children}`.
func shape(_ nodes: [Node]) -> String {
    nodes.compactMap { node -> String? in
        guard case .directive(let directive) = node else { return nil }
        var text = directive.nameText
        text += "(" + directive.arguments.map(\.value).joined(separator: "|") + ")"
        if let block = directive.block { text += "{" + shape(block.nodes) + "}" }
        return text
    }.joined(separator: " ")
}
