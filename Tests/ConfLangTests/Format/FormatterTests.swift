import XCTest
@testable import ConfLang

final class FormatterTests: XCTestCase {
    private func format(_ text: String) -> String {
        let (parsed, diagnostics) = Parser.parse(SourceFile(path: "f.conf", text: text))
        XCTAssertFalse(diagnostics.hasErrors)
        return String(decoding: Formatter.format(parsed), as: UTF8.self)
    }

    /// Every configuration file under the fixtures and conf-examples that parses.
    private func allConfigurationFiles() -> [String] {
        var files: [String] = []
        for root in [fixturePath(""), packageRoot + "/conf-examples"] {
            guard let enumerator = FileManager.default.enumerator(atPath: root) else { continue }
            for case let path as String in enumerator
            where path.hasSuffix(".conf") || path.hasSuffix("mime.types") || path.hasSuffix("_params") {
                files.append(root + "/" + path)
            }
        }
        return files.sorted()
    }

    /// (name, raw arguments, comments, children) of every directive, and every
    /// comment, as bytes: what formatting must never change.
    private func structure(_ nodes: [Node]) -> [[UInt8]] {
        nodes.flatMap { node -> [[UInt8]] in
            switch node {
            case .comment(let comment): return [Array("#".utf8) + comment.range.bytes]
            case .directive(let directive):
                let parts = [directive.name.range] + directive.arguments.map(\.range) + directive.innerComments.map(\.comment.range)
                let head = parts.map { Array($0.bytes) }.joined(separator: [1]).map { $0 }
                guard let block = directive.block else { return [head + Array(";".utf8)] }
                return [head + Array("{".utf8)] + structure(block.nodes) + [Array("}".utf8)]
            }
        }
    }

    func testGoldenPairs() throws {
        for name in ["messy", "crlf"] {
            let input = try Data(contentsOf: URL(fileURLWithPath: fixturePath("format/\(name).in.conf")))
            let output = try String(contentsOfFile: fixturePath("format/\(name).out.conf"), encoding: .utf8)
            let (parsed, _) = Parser.parse(SourceFile(path: name, bytes: Array(input)))
            XCTAssertEqual(String(decoding: Formatter.format(parsed), as: UTF8.self), output, name)
        }
    }

    func testIdempotentAndParseEquivalentOnEveryFixture() throws {
        let files = allConfigurationFiles()
        XCTAssertGreaterThan(files.count, 30)
        var checked = 0
        for path in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let (parsed, diagnostics) = Parser.parse(SourceFile(path: path, bytes: bytes))
            guard !diagnostics.hasErrors else { continue }
            let once = Formatter.format(parsed)
            let (reparsed, again) = Parser.parse(SourceFile(path: path, bytes: once))
            XCTAssertFalse(again.hasErrors, path)
            XCTAssertEqual(Formatter.format(reparsed), once, "not idempotent: \(path)")
            XCTAssertEqual(structure(reparsed.nodes), structure(parsed.nodes), "parse changed: \(path)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30)
    }

    func testIndentationAndOneDirectivePerLine() {
        XCTAssertEqual(format("a{b{c 1;d 2;}}"), "a {\n    b {\n        c 1;\n        d 2;\n    }\n}\n")
    }

    func testAtMostOneBlankLineAndNoneAtEdges() {
        XCTAssertEqual(format("\n\na;\n\n\n\nb;\nc {\n\n d;\n\n}\n\n"), "a;\n\nb;\nc {\n    d;\n}\n")
    }

    func testCommentsStayWhereTheyWere() {
        XCTAssertEqual(format("a; # end\n# own\nb { # open\n c; }   # close\n"),
                       "a; # end\n# own\nb { # open\n    c;\n} # close\n")
    }

    func testArgumentsAndStringsByteForByte() {
        let text = "a \"x  y\" 'q\\'s' w\\ x ${v}z \"line\nbreak\";\n"
        XCTAssertEqual(format(text), text)
    }

    func testCommentsBetweenArgumentsEndTheirLine() {
        XCTAssertEqual(format("a #c1\n b #c2\n;\n"), "a #c1\n    b #c2\n    ;\n")
    }

    func testArgumentLineBreaksAreKept() {
        XCTAssertEqual(format("log_format main\n  'a'\n      'b';\n"), "log_format main\n    'a'\n    'b';\n")
    }

    /// Found by mutation fuzzing: `#\r\r` formatted to `#\r\n`, which reads as
    /// the comment `#` and formats again to `#\n`. Formatting once must be
    /// final, and the comments (names, arguments) must keep their bytes.
    func testCommentsEndingInBareCarriageReturnsFormatOnceAndKeepTheirBytes() {
        let inputs = ["#\r\r", "#\r\r\n", "a; #x\r\r\r\nb;\n", "a #c\r\r\n b;\n", "#\r \r\r\n\r\r\nb {\r\r\n # in\r\r\n}\r\r", "#a\rb\r\r"]
        for input in inputs {
            let (parsed, diagnostics) = Parser.parse(SourceFile(path: "cr.conf", text: input))
            XCTAssertFalse(diagnostics.hasErrors, input.debugDescription)
            let once = Formatter.format(parsed)
            let (reparsed, again) = Parser.parse(SourceFile(path: "cr.conf", bytes: once))
            XCTAssertFalse(again.hasErrors, input.debugDescription)
            XCTAssertEqual(Formatter.format(reparsed), once, "not idempotent: \(input.debugDescription)")
            XCTAssertEqual(structure(reparsed.nodes), structure(parsed.nodes), "bytes changed: \(input.debugDescription)")
        }
        XCTAssertEqual(format("#\r\r"), "#\n")
    }

    func testEmptyInput() {
        XCTAssertEqual(format(""), "")
        XCTAssertEqual(format("# only\n"), "# only\n")
    }

    /// Random valid configurations built from the directive table: formatting is
    /// idempotent, keeps the parse, and the result still checks clean.
    func testPropertyRandomValidConfigurations() {
        var seed: UInt64 = 7
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        let values: [DirectiveSpec.ArgumentKind: [String]] = [
            .size: ["1m", "0", "512k"], .time: ["65", "30s", "1m"], .path: ["html", "/var/www", "\"a b\""],
            .onOff: ["on", "off"], .mimeType: ["text/plain", "application/json"],
        ]
        let simple = DirectiveTable.all.filter { spec in
            spec.contexts.contains(.location) && spec.body == .none && spec.minArguments == 1 && spec.maxArguments == 1
                && spec.kind(ofArgument: 0).map { values[$0] != nil } == true && spec.name != "include" && spec.name != "alias"
                && spec.name != "cgi_path"
        }
        XCTAssertGreaterThan(simple.count, 5)
        for round in 0..<200 {
            var text = "events {}\nhttp {\n"
            for server in 0..<(1 + next(3)) {
                text += String(repeating: " ", count: next(6)) + "server {" + (next(2) == 0 ? "\n" : " ")
                text += "listen \(8000 + server);" + String(repeating: "\n", count: next(3))
                for location in 0..<next(4) {
                    text += "location /l\(location)/ {" + (next(3) == 0 ? " # c\(location)\n" : "")
                    var used = Set<String>()
                    for _ in 0..<next(5) {
                        let spec = simple[next(simple.count)]
                        guard used.insert(spec.name).inserted, let kind = spec.kind(ofArgument: 0), let choices = values[kind] else { continue }
                        text += String(repeating: "\t", count: next(3)) + spec.name + " " + choices[next(choices.count)] + ";"
                        text += next(2) == 0 ? "\n" : " "
                    }
                    text += "}\n"
                }
                text += "}\n"
            }
            text += "}\n"
            let (parsed, diagnostics) = Parser.parse(SourceFile(path: "r", text: text))
            XCTAssertFalse(diagnostics.hasErrors, "round \(round): \(text)")
            let once = Formatter.format(parsed)
            let (reparsed, _) = Parser.parse(SourceFile(path: "r", bytes: once))
            XCTAssertEqual(Formatter.format(reparsed), once, "round \(round)")
            XCTAssertEqual(structure(reparsed.nodes), structure(parsed.nodes), "round \(round)")
            let lint = Linter.lint(path: "/nonexistent/r.conf", bytes: once)
            XCTAssertFalse(lint.diagnostics.hasErrors, "round \(round): \(lint.diagnostics.map(\.message)) in\n\(String(decoding: once, as: UTF8.self))")
        }
    }

    func testBytesThatAreNotUTF8AreKept() {
        let input: [UInt8] = Array("a ".utf8) + [0xF6] + Array(";   # ".utf8) + [0xFF, 0x00, 0x80] + Array("\nb\t'".utf8) + [0xC3] + Array("';\n".utf8)
        let (parsed, diagnostics) = Parser.parse(SourceFile(path: "latin1.conf", bytes: input))
        XCTAssertFalse(diagnostics.hasErrors)
        let expected: [UInt8] = Array("a ".utf8) + [0xF6] + Array("; # ".utf8) + [0xFF, 0x00, 0x80] + Array("\nb '".utf8) + [0xC3] + Array("';\n".utf8)
        XCTAssertEqual(Formatter.format(parsed), expected)
    }
}
