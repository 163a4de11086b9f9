/// `diff -u` output between two files' bytes (Myers' algorithm over lines).
/// It works on bytes so that a file with NUL or invalid UTF-8 diffs exactly.
public enum UnifiedDiff {
    public static let context = 3
    /// Beyond this many differing lines the minimal script costs D² memory;
    /// the changed middle is then shown as one delete and one insert, which
    /// is still a correct diff (GNU diff makes the same trade for large files).
    static let maxEditDistance = 1000

    /// Empty when the contents are equal.
    public static func diff(old: [UInt8], new: [UInt8], oldName: String, newName: String) -> [UInt8] {
        guard old != new else { return [] }
        let a = lines(old), b = lines(new)
        let script = editScript(a, b)
        var output = Array("--- \(oldName)\n+++ \(newName)\n".utf8)
        for hunk in hunks(script) {
            let oldStart = hunk.first.map { $0.oldIndex } ?? 0
            let newStart = hunk.first.map { $0.newIndex } ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            output += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n".utf8
            for edit in hunk {
                switch edit.kind {
                case .keep: append(UInt8(ascii: " "), a[edit.oldIndex], to: &output)
                case .delete: append(UInt8(ascii: "-"), a[edit.oldIndex], to: &output)
                case .insert: append(UInt8(ascii: "+"), b[edit.newIndex], to: &output)
                }
            }
        }
        return output
    }

    struct Line: Equatable {
        let bytes: ArraySlice<UInt8>
        /// A last line without its newline differs from the same line with one.
        let terminated: Bool
    }

    private static func append(_ marker: UInt8, _ line: Line, to output: inout [UInt8]) {
        output.append(marker)
        output += line.bytes
        output.append(ASCII.lf)
        if !line.terminated { output += "\\ No newline at end of file\n".utf8 }
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        // diff -u numbers lines from 1; an empty range names the line before it.
        let first = count == 0 ? start : start + 1
        return count == 1 ? "\(first)" : "\(first),\(count)"
    }

    private static func lines(_ bytes: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: ASCII.lf) else {
                result.append(Line(bytes: bytes[start...], terminated: false))
                break
            }
            result.append(Line(bytes: bytes[start..<newline], terminated: true))
            start = newline + 1
        }
        return result
    }

    struct Edit {
        enum Kind { case keep, delete, insert }
        let kind: Kind
        /// For insert: the old position it is inserted at; for delete/keep: the old line.
        let oldIndex: Int
        let newIndex: Int
    }

    /// Common leading and trailing lines are kept as they are; the middle
    /// gets the shortest edit script when it is small enough.
    static func editScript(_ a: [Line], _ b: [Line]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix
                && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middleA = a[prefix..<(a.count - suffix)], middleB = b[prefix..<(b.count - suffix)]
        var edits = (0..<prefix).map { Edit(kind: .keep, oldIndex: $0, newIndex: $0) }
        edits += myers(middleA, middleB) ?? replaceAll(middleA, middleB)
        let oldEnd = a.count - suffix, newEnd = b.count - suffix
        edits += (0..<suffix).map { Edit(kind: .keep, oldIndex: oldEnd + $0, newIndex: newEnd + $0) }
        return edits
    }

    private static func replaceAll(_ a: ArraySlice<Line>, _ b: ArraySlice<Line>) -> [Edit] {
        a.indices.map { Edit(kind: .delete, oldIndex: $0, newIndex: b.startIndex) }
            + b.indices.map { Edit(kind: .insert, oldIndex: a.endIndex, newIndex: $0) }
    }

    /// Shortest edit script (Myers 1986), or nil past `maxEditDistance`.
    /// Indices are those of the slices (absolute line numbers).
    private static func myers(_ a: ArraySlice<Line>, _ b: ArraySlice<Line>) -> [Edit]? {
        let n = a.count, m = b.count
        let limit = min(n + m, maxEditDistance)
        let offset = limit + 1
        var frontier = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found = n == 0 && m == 0
        outer: for d in 0...limit where !found {
            trace.append(frontier)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
                    x = frontier[offset + k + 1]
                } else {
                    x = frontier[offset + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && a[a.startIndex + x] == b[b.startIndex + y] { x += 1; y += 1 }
                frontier[offset + k] = x
                if x >= n && y >= m { trace.append(frontier); found = true; break outer }
            }
        }
        guard found else { return nil }
        // Walk back through the saved frontiers.
        var edits: [Edit] = []
        var x = n, y = m
        func edit(_ kind: Edit.Kind, _ x: Int, _ y: Int) -> Edit {
            Edit(kind: kind, oldIndex: a.startIndex + x, newIndex: b.startIndex + y)
        }
        for d in stride(from: trace.count - 2, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1; y -= 1
                edits.append(edit(.keep, x, y))
            }
            if d > 0 {
                if x == previousX { y -= 1; edits.append(edit(.insert, x, y)) }
                else { x -= 1; edits.append(edit(.delete, x, y)) }
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
