import XCTest
@testable import ConfLang

final class IncludeTests: XCTestCase {
    private func load(_ directory: String, _ main: String = "main.conf") -> LoadedConfig {
        guard case .success(let config) = ConfigLoader().load(path: directory + "/" + main) else {
            XCTFail("main file unreadable"); return ConfigLoader().load(path: "x", bytes: [])
        }
        return config
    }

    private func relative(_ paths: [String], to directory: String) -> [String] {
        paths.map { $0.hasPrefix(directory + "/") ? String($0.dropFirst(directory.count + 1)) : $0 }
    }

    func testRelativeToTheIncludingFile() {
        let directory = temporaryTree([
            "main.conf": "http { include sub/a.conf; }\n",
            "sub/a.conf": "include b.conf;\n",
            "sub/b.conf": "server { }\n",
            "b.conf": "wrong { }\n",
        ])
        let config = load(directory)
        XCTAssertTrue(config.diagnostics.isEmpty, config.diagnostics.map(\.message).joined())
        XCTAssertEqual(relative(config.files.map(\.path), to: directory), ["main.conf", "sub/a.conf", "sub/b.conf"])
        let spliced = PlacedDirective.splice(config.main.nodes)[0].children().map(\.name)
        XCTAssertEqual(spliced, ["server"])
    }

    func testGlobIsSortedAndEmptyGlobIsFine() {
        let directory = temporaryTree([
            "main.conf": "include conf.d/*.conf;\ninclude none/*.conf;\n",
            "conf.d/b.conf": "b;\n", "conf.d/a.conf": "a;\n", "conf.d/c.txt": "c;\n", "conf.d/B.conf": "B;\n",
        ])
        let config = load(directory)
        XCTAssertTrue(config.diagnostics.isEmpty)
        XCTAssertEqual(PlacedDirective.splice(config.main.nodes).map(\.name), ["B", "a", "b"])
    }

    func testMissingPlainPathIsAnErrorAtTheArgument() {
        let directory = temporaryTree(["main.conf": "http {\n    include missing.conf;\n}\n"])
        let config = load(directory)
        XCTAssertEqual(config.diagnostics.map(\.code), ["include.unreadable"])
        XCTAssertEqual(config.diagnostics[0].location, SourceLocation(line: 2, column: 13))
        XCTAssertEqual(config.includeFailures.count, 1)
    }

    func testErrorsInIncludedFilesCarryTheirOwnPositionAndTheChain() {
        let directory = temporaryTree([
            "main.conf": "http {\n  include a.conf;\n}\n",
            "a.conf": "server {\n  include b.conf;\n}\n",
            "b.conf": "listen 80\n",
        ])
        let config = load(directory)
        XCTAssertEqual(config.diagnostics.map(\.code), ["syntax.missing-semicolon"])
        let diagnostic = config.diagnostics[0]
        XCTAssertTrue(diagnostic.range.file.path.hasSuffix("/b.conf"))
        XCTAssertEqual(diagnostic.location, SourceLocation(line: 1, column: 10))
        XCTAssertEqual(diagnostic.notes.map(\.message), ["'\(directory)/b.conf' is included here", "'\(directory)/a.conf' is included here"])
        XCTAssertEqual(diagnostic.notes.compactMap { $0.range?.startLocation }, [SourceLocation(line: 2, column: 3), SourceLocation(line: 2, column: 3)])
    }

    func testCycleIsReportedAtTheIncludeThatClosesIt() {
        let directory = temporaryTree([
            "main.conf": "include a.conf;\n",
            "a.conf": "include b.conf;\n",
            "b.conf": "x;\ninclude a.conf;\n",
        ])
        let config = load(directory)
        XCTAssertEqual(config.diagnostics.map(\.code), ["include.cycle"])
        let cycle = config.diagnostics[0]
        XCTAssertTrue(cycle.range.file.path.hasSuffix("/b.conf"))
        XCTAssertEqual(cycle.location, SourceLocation(line: 2, column: 9))
        XCTAssertEqual(cycle.notes.count, 2)
        XCTAssertTrue(cycle.message.contains("a.conf -> \(directory)/b.conf -> \(directory)/a.conf"), cycle.message)
        // Walkers terminate: the cut include is not followed.
        XCTAssertEqual(PlacedDirective.splice(config.main.nodes).map(\.name), ["x"])
    }

    func testSelfInclude() {
        let directory = temporaryTree(["main.conf": "a;\ninclude main.conf;\n"])
        XCTAssertEqual(load(directory).diagnostics.map(\.code), ["include.cycle"])
    }

    func testDiamondIsNotACycle() {
        let directory = temporaryTree([
            "main.conf": "include a.conf;\ninclude b.conf;\n",
            "a.conf": "include common.conf;\n", "b.conf": "include common.conf;\n", "common.conf": "c;\n",
        ])
        let config = load(directory)
        XCTAssertTrue(config.diagnostics.isEmpty)
        XCTAssertEqual(config.files.count, 4, "common.conf is parsed once")
        XCTAssertEqual(PlacedDirective.splice(config.main.nodes).map(\.name), ["c", "c"])
    }

    func testBreadthFirstOrderLikeCrossplane() {
        let directory = temporaryTree([
            "main.conf": "include a.conf;\ninclude b.conf;\n",
            "a.conf": "include a2.conf;\n", "a2.conf": "x;\n", "b.conf": "y;\n",
        ])
        XCTAssertEqual(relative(load(directory).files.map(\.path), to: directory), ["main.conf", "a.conf", "b.conf", "a2.conf"])
    }

    func testIncludeNeedsOneArgument() {
        let directory = temporaryTree(["main.conf": "include a b;\n"])
        XCTAssertEqual(load(directory).diagnostics.map(\.code), ["include.arguments"])
    }

    func testSpecialFilesAreRefusedWithoutReading() throws {
        // A FIFO would block open/read forever; /dev/zero would never end.
        let directory = temporaryTree(["main.conf": "include pipe.conf;\ninclude /dev/zero;\ninclude p*.conf;\n"])
        XCTAssertEqual(mkfifo(directory + "/pipe.conf", 0o644), 0)
        let config = load(directory)
        let messages = config.diagnostics.map(\.message)
        XCTAssertEqual(config.diagnostics.map(\.code), ["include.unreadable", "include.unreadable", "include.unreadable"], "\(messages)")
        XCTAssertEqual(messages[0], "cannot read included file '\(directory)/pipe.conf': it is a FIFO, not a regular file")
        XCTAssertEqual(messages[1], "cannot read included file '/dev/zero': it is a character device, not a regular file")
        XCTAssertEqual(config.diagnostics[1].location, SourceLocation(line: 2, column: 9))
    }

    func testFilesLargerThanTheLimitAreRefused() throws {
        let directory = temporaryTree(["main.conf": "include big.conf;\n", "big.conf": ""])
        // A sparse file: its size is past the limit without using the disk.
        XCTAssertEqual(truncate(directory + "/big.conf", off_t(FileAccess.maxConfigurationSize + 1)), 0)
        let config = load(directory)
        XCTAssertEqual(config.diagnostics.map(\.message),
                       ["cannot read included file '\(directory)/big.conf': it is larger than 64 MiB, the limit for a configuration file"])
        guard case .failure(let error) = FileAccess.readFile(directory + "/big.conf") else { return XCTFail("read a too-large file") }
        XCTAssertEqual(error.refusal, .tooLarge)
        XCTAssertEqual(truncate(directory + "/big.conf", off_t(FileAccess.maxConfigurationSize)), 0)
        guard case .success(let bytes) = FileAccess.readFile(directory + "/big.conf") else { return XCTFail("the limit itself is allowed") }
        XCTAssertEqual(bytes.count, FileAccess.maxConfigurationSize)
    }
}
