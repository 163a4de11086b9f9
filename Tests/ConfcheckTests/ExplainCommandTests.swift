import XCTest
@testable import confcheck
import ConfLang

/// `confcheck --explain` run in-process: its options, output and exit status.
final class ExplainCommandTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "confcheck-explain-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/www/docs", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/www/docs/index.html", contents: Data("docs".utf8)))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.replacingOccurrences(of: "DIR", with: directory).utf8)))
        return path
    }

    private func run(_ arguments: [String], stdin: String = "") -> Confcheck.Outcome {
        let environment = Confcheck.Environment(variables: [:], standardOutputIsTerminal: false, readStandardInput: { Array(stdin.utf8) })
        return Confcheck(environment: environment).run(arguments)
    }

    private var site: String {
        """
        events { }
        http {
            server {
                listen 8080;
                server_name example.test;
                root DIR/www;
                location /docs/ { allow_methods GET POST; }
                location /a/ { }
            }
        }
        """
    }

    func testOptions() throws {
        let options = try Options.parse(["--explain", "http://x/", "--method", "POST", "--header", "Host: y", "--header=A: b", "--format", "json", "c.conf"])
        XCTAssertEqual(options.mode, .explain)
        XCTAssertEqual(options.explainURL, "http://x/")
        XCTAssertEqual(options.explainMethod, "POST")
        XCTAssertEqual(options.explainHeaders, ["Host: y", "A: b"])
        XCTAssertEqual(options.outputFormat, .json)
        XCTAssertEqual(options.files, ["c.conf"])
    }

    func testUsageErrorsExitTwo() {
        let path = write("site.conf", site)
        for arguments in [
            ["--explain", "http://x/"],                                   // no configuration
            ["--explain", "http://x/", path, path],                       // two
            ["--explain", "http://x/", "--format", "sarif", path],
            ["--explain", "http://x/", "--context", "server", path],
            ["--explain", "http://x/", "--fmt", path],
            ["--method", "POST", path],                                    // without --explain
            ["--explain", "ftp://x/", path],
            ["--explain", "http://x/", "--header", "no colon", path],
            ["--explain", "http://x/", "--method", "get", path],
            ["--explain", "http://x/", directory + "/absent.conf"],
        ] {
            let outcome = run(arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.errors)")
            XCTAssertTrue(outcome.errors.hasPrefix("confcheck: "), outcome.errors)
            XCTAssertEqual(outcome.outputText, "", "\(arguments)")
        }
    }

    func testExplainedIsZeroWhateverTheAnswer() {
        let path = write("site.conf", site)
        let found = run(["--explain", "http://127.0.0.1:8080/docs/", path])
        XCTAssertEqual(found.status, 0, found.errors)
        XCTAssertTrue(found.outputText.hasPrefix("GET http://127.0.0.1:8080/docs/\n"), found.outputText)
        XCTAssertTrue(found.outputText.contains("\nanswer 200: the directory's index file \(directory)/www/docs/index.html\n"), found.outputText)
        let refused = run(["--explain", "http://127.0.0.1:8080/docs/", "--method", "PUT", path])
        XCTAssertEqual(refused.status, 0)
        XCTAssertTrue(refused.outputText.contains("\nanswer 405: allow_methods here does not include PUT\n  Allow: GET, HEAD, POST\n"),
                      refused.outputText)
    }

    func testHostHeaderAndJSON() throws {
        let path = write("site.conf", site)
        let outcome = run(["--explain", "http://127.0.0.1:8080/docs", "--header", "Host: Example.Test", "--format", "json", path])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.output)) as? [String: Any])
        XCTAssertEqual((object["server"] as? [String: Any])?["choice"] as? String, "exact-name")
        let answer = try XCTUnwrap(object["answer"] as? [String: Any])
        XCTAssertEqual(answer["status"] as? Int, 301)
        XCTAssertEqual((answer["headers"] as? [String: String])?["Location"], "http://example.test:8080/docs/")
    }

    func testStandardInputConfiguration() {
        let outcome = run(["--explain", "/a/", "-"], stdin: site.replacingOccurrences(of: "DIR", with: directory))
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertTrue(outcome.outputText.contains("location ^ /a/ (<stdin>:8:9)"), outcome.outputText)
    }

    func testAConfigurationWithErrorsIsNotExplained() {
        let path = write("bad.conf", "events { }\nhttp { server { listen 8080; rooot /x; } }\n")
        let outcome = run(["--explain", "http://127.0.0.1:8080/", path])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.outputText.contains("\(path):2:30: error: unknown directive 'rooot'"), outcome.outputText)
        XCTAssertFalse(outcome.outputText.contains("answer"))
        let json = run(["--explain", "http://127.0.0.1:8080/", "--format", "json", path])
        XCTAssertEqual(json.status, 1)
        XCTAssertTrue(json.outputText.contains("\"diagnostics\""), json.outputText)
    }

    func testWarningsGoToStandardError() {
        let path = write("warn.conf", "events { }\nhttp { server { listen 8080; root DIR/www; location ^ x { } } }\n")
        let outcome = run(["--explain", "http://127.0.0.1:8080/docs/", path])
        XCTAssertEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("warning:"), outcome.errors)
        XCTAssertFalse(outcome.outputText.contains("warning:"))
    }
}
