import XCTest
@testable import confcheck
import ConfLang

/// confcheck run in-process: arguments in, output and exit status out.
final class ConfcheckCLITests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = NSTemporaryDirectory() + "confcheck-cli-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    private func run(_ arguments: [String], stdin: String = "", terminal: Bool = false,
                     variables: [String: String] = [:]) -> Confcheck.Outcome {
        let environment = Confcheck.Environment(variables: variables, standardOutputIsTerminal: terminal,
                                                readStandardInput: { Array(stdin.utf8) })
        return Confcheck(environment: environment).run(arguments)
    }

    private let valid = "events { }\nhttp {\n    server {\n        listen 8080;\n    }\n}\n"

    func testCleanFileExitsZeroAndPrintsNothing() {
        let path = write("ok.conf", valid)
        let outcome = run([path])
        XCTAssertEqual(outcome.status, 0)
        XCTAssertEqual(outcome.outputText, "")
    }

    func testThreeSyntaxErrorsGiveThreeLines() {
        let path = write("bad.conf", "http {\n    server {\n        listen 80\n    }\n    ;\n}\n}\n")
        let outcome = run(["--syntax-only", path])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.outputText.split(separator: "\n").map(String.init), [
            "\(path):3:18: error: expected ';' after directive 'listen' before '}' [syntax.missing-semicolon]",
            "\(path):5:5: error: unexpected ';' with no directive before it [syntax.empty-directive]",
            "\(path):7:1: error: unexpected '}': there is no open block to close here [syntax.unexpected-close-brace]",
        ])
    }

    func testSyntaxOnlyAcceptsAnyNginxFile() {
        let path = write("nginx.conf", "events { }\nhttp { limit_req_zone $a zone=one:1m rate=1r/s; ssl_protocols TLSv1.2; }\n")
        XCTAssertEqual(run(["--syntax-only", path]).status, 0)
        XCTAssertEqual(run([path]).status, 1)
    }

    func testWarningsPassUnlessStrict() {
        let path = write("warn.conf", "events { }\nhttp { server { location ^ x { } } }\n")
        XCTAssertEqual(run([path]).status, 0)
        XCTAssertEqual(run(["--strict", path]).status, 1)
    }

    func testSnippetsAndColour() {
        let path = write("bad.conf", "events { }\nhttp { servr { } }\n")
        let plain = run([path])
        XCTAssertFalse(plain.outputText.contains("^"))
        let snippets = run(["--snippets", path])
        XCTAssertTrue(snippets.outputText.contains("    http { servr { } }\n           ^~~~~\n"), snippets.outputText)
        XCTAssertTrue(run([path], terminal: true).outputText.contains("\u{1B}["))
        XCTAssertFalse(run([path], terminal: true, variables: ["NO_COLOR": "1"]).outputText.contains("\u{1B}["))
    }

    func testStandardInput() {
        let outcome = run(["-"], stdin: "events { }\nhttp { root; }\n")
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.outputText.hasPrefix("<stdin>:2:8: error:"), outcome.outputText)
    }

    func testFormatsJSONSarifGithub() throws {
        let path = write("bad.conf", "events { }\nhttp { listen 80; }\n")
        let json = run(["--format", "json", path])
        XCTAssertEqual(json.status, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.outputText.utf8)) as? [String: Any])
        let first = try XCTUnwrap((object["diagnostics"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["line"] as? Int, 2)
        XCTAssertEqual(first["column"] as? Int, 8)
        XCTAssertEqual(first["endColumn"] as? Int, 14)
        XCTAssertEqual(first["code"] as? String, "directive.context")
        XCTAssertEqual(first["severity"] as? String, "error")

        let sarif = run(["--format=sarif", path])
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sarif.outputText.utf8)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        let runs = try XCTUnwrap(log["runs"] as? [[String: Any]])
        let results = try XCTUnwrap(runs.first?["results"] as? [[String: Any]])
        XCTAssertEqual(results.first?["ruleId"] as? String, "directive.context")
        XCTAssertEqual(results.first?["level"] as? String, "error")

        let github = run(["--format", "github", path])
        XCTAssertTrue(github.outputText.hasPrefix("::error file=\(path),line=2,col=8,endLine=2,endColumn=14,title=confcheck directive.context::'listen' is not allowed"),
                      github.outputText)
    }

    func testUsageErrorsExitTwo() {
        XCTAssertEqual(run([]).status, 2)
        XCTAssertEqual(run(["--bogus", "x"]).status, 2)
        XCTAssertEqual(run(["--format", "xml", "x"]).status, 2)
        XCTAssertEqual(run(["--dump", "a", "b"]).status, 2)
        XCTAssertEqual(run(["--check", "a"]).status, 2)
        let missing = run([directory + "/nope.conf"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.errors, "confcheck: cannot read '\(directory)/nope.conf': No such file or directory\n")
        XCTAssertEqual(run([directory]).status, 2)
        XCTAssertEqual(run(["--help"]).status, 0)
        XCTAssertTrue(run(["--version"]).outputText.hasPrefix("confcheck "))
    }

    func testContextOption() {
        let path = write("fragment.conf", "listen 80;\nlocation / { }\n")
        XCTAssertEqual(run([path]).status, 1)
        XCTAssertEqual(run(["--context", "server", path]).status, 0)
    }

    func testDumpPrintsCrossplanePayload() throws {
        let path = write("d.conf", "events { }\nhttp { include sub.conf; }\n")
        write("sub.conf", "server { listen 80; }\n")
        let outcome = run(["--dump", path])
        XCTAssertEqual(outcome.status, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.outputText.utf8)) as? [String: Any])
        XCTAssertEqual(object["status"] as? String, "ok")
        let configs = try XCTUnwrap(object["config"] as? [[String: Any]])
        XCTAssertEqual(configs.map { $0["file"] as? String }, [path, directory + "/sub.conf"])
    }

    func testFormatCheckDiffStdoutAndInPlace() throws {
        let messy = "events{}\nhttp {\n  server {   listen 80;\n\n\n  }\n}\n"
        let path = write("messy.conf", messy)
        let check = run(["--fmt", "--check", path])
        XCTAssertEqual(check.status, 1)
        XCTAssertEqual(check.outputText, "\(path)\n")
        let diff = run(["--fmt", "--diff", path])
        XCTAssertEqual(diff.status, 1)
        XCTAssertTrue(diff.outputText.contains("--- a/\(path)"), diff.outputText)
        let printed = run(["--fmt", "--stdout", path])
        XCTAssertEqual(printed.status, 0)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), messy, "--check/--diff/--stdout write nothing")
        let inPlace = run(["--fmt", path])
        XCTAssertEqual(inPlace.status, 0)
        let formatted = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(formatted, printed.outputText)
        XCTAssertEqual(run(["--fmt", "--check", path]).status, 0, "formatting is idempotent")
    }

    func testFormatRefusesFileThatDoesNotParse() throws {
        let broken = "http {\n  server {\n"
        let path = write("broken.conf", broken)
        let outcome = run(["--fmt", path])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.outputText.contains("syntax.unclosed-block"), outcome.outputText)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), broken)
    }

    func testFormatDirectoryMeansConfFilesUnderIt() throws {
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        write("sub/a.conf", "events{}\n")
        write("sub/notes.txt", "events{}\n")
        let outcome = run(["--fmt", "--check", directory])
        XCTAssertEqual(outcome.outputText, "\(directory)/sub/a.conf\n")
    }

    func testConfExamplesLintClean() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let main = root.appendingPathComponent("conf-examples/webserv.conf").path
        guard FileManager.default.fileExists(atPath: main) else { throw XCTSkip("conf-examples not present") }
        let outcome = run(["--strict", main])
        XCTAssertEqual(outcome.outputText, "")
        XCTAssertEqual(outcome.status, 0)
    }

    @discardableResult
    private func write(_ name: String, bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testFormatKeepsNULAndNonUTF8BytesInEveryOutput() throws {
        // A NUL inside a word and Latin-1 bytes in an argument and a comment.
        let input: [UInt8] = Array("x  y".utf8) + [0] + Array("z;\nw \"caf".utf8) + [0xE9] + Array("\";   # d".utf8) + [0xE9, 0x0A]
        let expected: [UInt8] = Array("x y".utf8) + [0] + Array("z;\nw \"caf".utf8) + [0xE9] + Array("\"; # d".utf8) + [0xE9, 0x0A]
        let path = write("bytes.conf", bytes: input)
        let printed = run(["--fmt", "--stdout", path])
        XCTAssertEqual(printed.status, 0)
        XCTAssertEqual(printed.output, expected)
        let environment = Confcheck.Environment(readStandardInput: { input })
        XCTAssertEqual(Confcheck(environment: environment).run(["--fmt", "-"]).output, expected)
        let diff = run(["--fmt", "--diff", path])
        XCTAssertEqual(diff.status, 1)
        // Both lines changed: the old ones, then the new ones, each byte kept.
        var expectedDiff = Array("--- a/\(path)\n+++ b/\(path)\n@@ -1,2 +1,2 @@\n".utf8)
        for line in input.split(separator: 0x0A) { expectedDiff += [UInt8(ascii: "-")] + line + [0x0A] }
        for line in expected.split(separator: 0x0A) { expectedDiff += [UInt8(ascii: "+")] + line + [0x0A] }
        XCTAssertEqual(diff.output, expectedDiff)
        XCTAssertEqual(run(["--fmt", path]).status, 0)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path))), expected, "in place, byte for byte")
        XCTAssertEqual(run(["--fmt", "--check", path]).status, 0)
    }

    func testOneVeryLongLineLintsAndFormats() {
        // 100,000 directives on one line: every pass is linear (a column is a
        // table lookup, not a scan from the line start), so this takes well
        // under a second where it used to take minutes in a debug build.
        let path = write("long.conf", String(repeating: "a; ", count: 100_000) + "\n")
        let lint = run(["--context", "location", path])
        XCTAssertEqual(lint.status, 1)
        XCTAssertTrue(lint.outputText.hasPrefix("\(path):1:1: error: unknown directive 'a'"), String(lint.outputText.prefix(200)))
        XCTAssertTrue(lint.outputText.contains("\(path):1:299998: error:"))
        let formatted = run(["--fmt", "--stdout", path])
        XCTAssertEqual(formatted.outputText, String(repeating: "a;\n", count: 100_000))
    }

    func testFormatToStandardOutputSendsFindingsToStandardError() {
        let path = write("broken.conf", "http {\n  server {\n")
        let printed = run(["--fmt", "--stdout", path])
        XCTAssertEqual(printed.status, 1)
        XCTAssertEqual(printed.output, [], "stdout is the formatted file or nothing")
        XCTAssertTrue(printed.errors.contains("syntax.unclosed-block"), printed.errors)
        let piped = run(["--fmt", "-"], stdin: "a {\n")
        XCTAssertEqual(piped.output, [])
        XCTAssertTrue(piped.errors.contains("<stdin>:"), piped.errors)
        XCTAssertTrue(run(["--fmt", "--check", path]).outputText.contains("syntax.unclosed-block"), "other modes are unchanged")
    }

    func testControlCharactersFromTheConfigurationAreEscaped() {
        // A quoted name that would start a GitHub workflow command, and an ESC sequence.
        let path = write("hostile.conf", "\"x\n::error file=evil::pwned\" 1;\n\"\u{1B}[2Jy\" 2;\n")
        for format in ["text", "github"] {
            let output = run(["--format", format, path]).outputText
            XCTAssertFalse(output.contains("\n::error file=evil"), "\(format): \(output)")
            XCTAssertFalse(output.contains("\u{1B}"), "\(format): \(output)")
            XCTAssertEqual(output.split(separator: "\n").count, 2, "one line per finding: \(output)")
        }
        XCTAssertTrue(run([path]).outputText.contains("unknown directive 'x\\n::error file=evil::pwned'"))
        XCTAssertFalse(run(["--snippets", path]).outputText.contains("\u{1B}"), "snippets too")
    }
}
