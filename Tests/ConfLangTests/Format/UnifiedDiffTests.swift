import XCTest
@testable import ConfLang

final class UnifiedDiffTests: XCTestCase {
    private func diff(_ old: String, _ new: String, _ oldName: String = "a", _ newName: String = "b") -> String {
        String(decoding: UnifiedDiff.diff(old: Array(old.utf8), new: Array(new.utf8), oldName: oldName, newName: newName),
               as: UTF8.self)
    }

    func testEqualTextsGiveNothing() {
        XCTAssertEqual(diff("a\nb\n", "a\nb\n"), "")
    }

    func testGoldenHunk() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        XCTAssertEqual(diff(old, new, "a/x.conf", "b/x.conf"), """
        --- a/x.conf
        +++ b/x.conf
        @@ -2,7 +2,7 @@
         line 2
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7
         line 8

        """)
    }

    func testSeparateHunksAndInsertions() {
        let old = (1...20).map(String.init).joined(separator: "\n") + "\n"
        let new = "0\n" + old.replacingOccurrences(of: "18\n", with: "")
        let diff = diff(old, new)
        XCTAssertTrue(diff.contains("@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"), diff)
        XCTAssertTrue(diff.contains("@@ -15,6 +16,5 @@\n 15\n 16\n 17\n-18\n 19\n 20\n"), diff)
    }

    func testMissingFinalNewline() {
        let diff = diff("a\nb", "a\nb\n")
        XCTAssertEqual(diff, "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
    }

    func testFromEmpty() {
        XCTAssertEqual(diff("", "x\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n")
    }

    func testBytesThatAreNotTextDiffExactly() {
        let old: [UInt8] = Array("a\0b;\n".utf8) + [0xF6] + Array(";\n".utf8)
        let new: [UInt8] = Array("a\0b;\n".utf8) + [0xF6] + Array(" ;\n".utf8)
        let output = UnifiedDiff.diff(old: old, new: new, oldName: "a", newName: "b")
        XCTAssertEqual(output, Array("--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\0b;\n-".utf8) + [0xF6] + Array(";\n+".utf8) + [0xF6] + Array(" ;\n".utf8))
    }

    func testLargeRewriteFallsBackToOneHunkQuickly() {
        // One line against 5,000: past the edit-distance bound, one delete and many inserts.
        let old = String(repeating: "a; ", count: 5000) + "\n"
        let new = String(repeating: "a;\n", count: 5000)
        let output = diff(old, new)
        XCTAssertTrue(output.hasPrefix("--- a\n+++ b\n@@ -1 +1,5000 @@\n-a; a; "), String(output.prefix(60)))
        XCTAssertEqual(output.split(separator: "\n").filter { $0 == "+a;" }.count, 5000)
    }

    func testChangesAroundAKeptMiddleStayMinimal() {
        let body = (1...50).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let output = diff("first\n" + body + "last\n", "FIRST\n" + body + "LAST\n")
        XCTAssertTrue(output.contains("@@ -1,4 +1,4 @@\n-first\n+FIRST\n line 1\n"), output)
        XCTAssertTrue(output.contains("-last\n+LAST\n"), output)
    }
}
