import XCTest
@testable import ConfLang

final class UnifiedDiffTests: XCTestCase {
    func testEqualTextsGiveNothing() {
        XCTAssertEqual(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", oldName: "a", newName: "b"), "")
    }

    func testGoldenHunk() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        XCTAssertEqual(UnifiedDiff.diff(old: old, new: new, oldName: "a/x.conf", newName: "b/x.conf"), """
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
        let diff = UnifiedDiff.diff(old: old, new: new, oldName: "a", newName: "b")
        XCTAssertTrue(diff.contains("@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"), diff)
        XCTAssertTrue(diff.contains("@@ -15,6 +16,5 @@\n 15\n 16\n 17\n-18\n 19\n 20\n"), diff)
    }

    func testMissingFinalNewline() {
        let diff = UnifiedDiff.diff(old: "a\nb", new: "a\nb\n", oldName: "a", newName: "b")
        XCTAssertEqual(diff, "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
    }

    func testFromEmpty() {
        XCTAssertEqual(UnifiedDiff.diff(old: "", new: "x\n", oldName: "a", newName: "b"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n")
    }
}
