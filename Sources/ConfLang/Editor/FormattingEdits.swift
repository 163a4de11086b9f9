/// The formatter's result as edits an editor can apply: one edit per run of
/// changed lines (the same line diff as `--fmt --diff`), so the cursor and
/// the undo history keep their place outside the changed lines.
public enum FormattingEdits {
    /// Replace bytes `range` of the original with `replacement`.
    public struct Edit: Equatable {
        public let range: Range<Int>
        public let replacement: [UInt8]
    }

    /// nil when the file has syntax errors: it is not formatted then, as with `--fmt`.
    public static func edits(for source: SourceFile) -> [Edit]? {
        let (parsed, diagnostics) = Parser.parse(source)
        guard !diagnostics.hasErrors else { return nil }
        return edits(from: source.bytes, to: Formatter.format(parsed))
    }

    /// Only the edits that touch 0-based lines `lines` of the original. Each
    /// edit stands alone, so any subset still leaves a consistent file.
    public static func edits(for source: SourceFile, lines: ClosedRange<Int>) -> [Edit]? {
        guard let all = edits(for: source) else { return nil }
        return all.filter { edit in
            let first = source.location(of: edit.range.lowerBound).line - 1
            // The last byte replaced (a line break) is on the last changed line.
            let last = source.location(of: max(edit.range.lowerBound, edit.range.upperBound - 1)).line - 1
            return first <= lines.upperBound && last >= lines.lowerBound
        }
    }

    static func edits(from old: [UInt8], to new: [UInt8]) -> [Edit] {
        guard old != new else { return [] }
        let oldLines = lines(old), newLines = lines(new)
        let script = UnifiedDiff.editScript(oldLines.map(\.line), newLines.map(\.line))
        var result: [Edit] = []
        var index = 0
        while index < script.count {
            guard script[index].kind != .keep else { index += 1; continue }
            let oldStart = script[index].oldIndex
            var oldEnd = oldStart
            var replacement: [UInt8] = []
            while index < script.count && script[index].kind != .keep {
                let edit = script[index]
                if edit.kind == .delete { oldEnd = edit.oldIndex + 1 } else { replacement += newLines[edit.newIndex].bytes }
                index += 1
            }
            let start = oldStart < oldLines.count ? oldLines[oldStart].start : old.count
            let end = oldEnd > oldStart ? oldLines[oldEnd - 1].end : start
            result.append(Edit(range: start..<end, replacement: replacement))
        }
        return result
    }

    /// Lines with their byte span, line break included.
    private static func lines(_ bytes: [UInt8]) -> [(line: UnifiedDiff.Line, start: Int, end: Int, bytes: ArraySlice<UInt8>)] {
        var result: [(line: UnifiedDiff.Line, start: Int, end: Int, bytes: ArraySlice<UInt8>)] = []
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: ASCII.lf) else {
                result.append((UnifiedDiff.Line(bytes: bytes[start...], terminated: false), start, bytes.count, bytes[start...]))
                break
            }
            result.append((UnifiedDiff.Line(bytes: bytes[start..<newline], terminated: true), start, newline + 1,
                           bytes[start...newline]))
            start = newline + 1
        }
        return result
    }
}
