/// `diff -u` output between two texts (Myers' algorithm over lines).
public enum UnifiedDiff {
    public static let context = 3

    /// Empty when the texts are equal.
    public static func diff(old: String, new: String, oldName: String, newName: String) -> String {
        guard old != new else { return "" }
        let a = splitLines(old), b = splitLines(new)
        let script = editScript(comparable(a), comparable(b))
        var output = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks(script) {
            let oldStart = hunk.first.map { $0.oldIndex } ?? 0
            let newStart = hunk.first.map { $0.newIndex } ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            output += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in hunk {
                switch edit.kind {
                case .keep: output += " " + a.lines[edit.oldIndex] + "\n"
                case .delete:
                    output += "-" + a.lines[edit.oldIndex] + "\n"
                    if edit.oldIndex == a.lines.count - 1 && !a.endsWithNewline { output += "\\ No newline at end of file\n" }
                case .insert:
                    output += "+" + b.lines[edit.newIndex] + "\n"
                    if edit.newIndex == b.lines.count - 1 && !b.endsWithNewline { output += "\\ No newline at end of file\n" }
                }
            }
        }
        return output
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        // diff -u numbers lines from 1; an empty range names the line before it.
        let first = count == 0 ? start : start + 1
        return count == 1 ? "\(first)" : "\(first),\(count)"
    }

    private static func splitLines(_ text: String) -> (lines: [String], endsWithNewline: Bool) {
        guard !text.isEmpty else { return ([], true) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        return (lines, endsWithNewline)
    }

    /// A last line without its newline differs from the same line with one.
    private static func comparable(_ split: (lines: [String], endsWithNewline: Bool)) -> [String] {
        guard !split.endsWithNewline, let last = split.lines.last else { return split.lines }
        return split.lines.dropLast() + [last + "\u{0}"]
    }

    struct Edit {
        enum Kind { case keep, delete, insert }
        let kind: Kind
        /// For insert: the old position it is inserted at; for delete/keep: the old line.
        let oldIndex: Int
        let newIndex: Int
    }

    /// Shortest edit script (Myers 1986), as keep/delete/insert per line.
    static func editScript(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        let maxD = n + m
        let offset = maxD + 1
        var frontier = [Int](repeating: 0, count: 2 * maxD + 3)
        var trace: [[Int]] = []
        outer: for d in 0...maxD {
            trace.append(frontier)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
                    x = frontier[offset + k + 1]
                } else {
                    x = frontier[offset + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                frontier[offset + k] = x
                if x >= n && y >= m { trace.append(frontier); break outer }
            }
        }
        // Walk back through the saved frontiers.
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 2, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1; y -= 1
                edits.append(Edit(kind: .keep, oldIndex: x, newIndex: y))
            }
            if d > 0 {
                if x == previousX { y -= 1; edits.append(Edit(kind: .insert, oldIndex: x, newIndex: y)) }
                else { x -= 1; edits.append(Edit(kind: .delete, oldIndex: x, newIndex: y)) }
            }
        }
        return edits.reversed()
    }

    /// Groups changes with up to `context` unchanged lines around them.
    private static func hunks(_ script: [Edit]) -> [[Edit]] {
        var result: [[Edit]] = []
        let changes = script.indices.filter { script[$0].kind != .keep }
        guard !changes.isEmpty else { return [] }
        var start = max(0, changes[0] - context)
        var end = min(script.count, changes[0] + context + 1)
        for change in changes.dropFirst() {
            if change - context <= end {
                end = min(script.count, change + context + 1)
            } else {
                result.append(Array(script[start..<end]))
                start = max(0, change - context)
                end = min(script.count, change + context + 1)
            }
        }
        result.append(Array(script[start..<end]))
        return result
    }
}
