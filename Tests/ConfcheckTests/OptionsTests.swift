import XCTest
@testable import confcheck

final class OptionsTests: XCTestCase {
    func testParsesEveryOption() throws {
        let options = try Options.parse(["--format=json", "--snippets", "--context", "server", "--syntax-only", "--strict", "a.conf", "-"])
        XCTAssertEqual(options.outputFormat, .json)
        XCTAssertTrue(options.snippets)
        XCTAssertEqual(options.context, .server)
        XCTAssertTrue(options.syntaxOnly)
        XCTAssertTrue(options.strict)
        XCTAssertEqual(options.files, ["a.conf", "-"])
        XCTAssertEqual(options.mode, .lint)
    }

    func testFormatModes() throws {
        XCTAssertEqual(try Options.parse(["--fmt", "x"]).formatOutput, .inPlace)
        XCTAssertEqual(try Options.parse(["--fmt", "--diff", "x"]).formatOutput, .diff)
        XCTAssertEqual(try Options.parse(["--check", "--fmt", "x"]).formatOutput, .check)
        XCTAssertEqual(try Options.parse(["--fmt", "--stdout", "x"]).mode, .format)
    }

    func testDoubleDashEndsOptions() throws {
        XCTAssertEqual(try Options.parse(["--", "--strange-name.conf"]).files, ["--strange-name.conf"])
    }

    func testRejectsBadUsage() {
        XCTAssertThrowsError(try Options.parse(["--context", "types", "x"]))
        XCTAssertThrowsError(try Options.parse(["--format"]))
        XCTAssertThrowsError(try Options.parse(["--dump"]))
    }
}
