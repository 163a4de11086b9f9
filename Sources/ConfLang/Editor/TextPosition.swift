/// A position as an editor counts it: a 0-based line, and a 0-based column
/// in the code units of `PositionEncoding` (LSP's `Position`).
public struct TextPosition: Equatable, Comparable, CustomStringConvertible {
    public let line: Int
    public let character: Int

    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    public static func < (a: TextPosition, b: TextPosition) -> Bool {
        (a.line, a.character) < (b.line, b.character)
    }

    public var description: String { "\(line):\(character)" }
}

/// What an editor's column counts. LSP's default is UTF-16; a client may
/// offer UTF-8 (byte offsets, the cheapest for us) or UTF-32 (scalars).
public enum PositionEncoding: String, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf32 = "utf-32"
}

/// Converts between byte offsets of a `SourceFile` and editor positions.
/// Lines come from the file's own line table; only the column is counted
/// here, by decoding the line's UTF-8 (an invalid byte counts as one unit,
/// as the U+FFFD an editor shows for it).
extension SourceFile {
    public func position(of offset: Int, encoding: PositionEncoding) -> TextPosition {
        let clamped = min(max(offset, 0), bytes.count)
        let line = location(of: clamped).line
        let start = editorLineStart(line)
        return TextPosition(line: line - 1, character: units(from: start, to: max(start, clamped), encoding))
    }

    /// The byte offset of a position; a column past the end of its line is
    /// the line's end (as LSP asks), a line past the last is the end of file.
    public func offset(of position: TextPosition, encoding: PositionEncoding) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < lineCount else { return bytes.count }
        let start = editorLineStart(position.line + 1)
        let end = lineContentEnd(position.line + 1)
        var index = start
        var counted = 0
        while index < end && counted < position.character {
            let length = scalarLength(at: index, limit: end)
            let width = encoding == .utf8 ? length : (encoding == .utf16 && length == 4 ? 2 : 1)
            // A column inside a character (half a surrogate pair) stays before it.
            if counted + width > position.character { break }
            counted += width
            index += length
        }
        return index
    }

    /// Line 1 starts at byte 0 even after a byte order mark: an editor that
    /// sent the mark in its text counts it as a character.
    fileprivate func editorLineStart(_ line: Int) -> Int {
        line <= 1 ? 0 : offset(ofLine: line)
    }

    /// Where a line's text ends: before its `\n` (and a `\r` before it).
    func lineContentEnd(_ line: Int) -> Int {
        var end = line < lineCount ? offset(ofLine: line + 1) - 1 : bytes.count
        let start = editorLineStart(line)
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return max(start, end)
    }

    private func units(from start: Int, to end: Int, _ encoding: PositionEncoding) -> Int {
        if encoding == .utf8 { return end - start }
        var index = start
        var count = 0
        while index < end {
            let length = scalarLength(at: index, limit: bytes.count)
            count += encoding == .utf16 && length == 4 ? 2 : 1
            index += length
        }
        return count
    }

    /// Bytes of the UTF-8 sequence starting at `index`; 1 for a byte that
    /// does not start a well-formed sequence.
    fileprivate func scalarLength(at index: Int, limit: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 1
        }
        guard index + length <= limit else { return 1 }
        for next in (index + 1)..<(index + length) where bytes[next] & 0xC0 != 0x80 { return 1 }
        return length
    }
}

/// Converts the many offsets of one answer (an outline, a file's findings)
/// to positions. `position(of:encoding:)` decodes from the line's start for
/// each offset: fine for one, quadratic for a long line holding thousands.
/// Here a line is decoded once, in one pass that notes its units every
/// `checkpointStride` bytes; an offset then decodes from the checkpoint
/// before it, so a position costs at most a stride (plus a character).
public final class PositionConverter {
    public let file: SourceFile
    public let encoding: PositionEncoding
    /// Bytes decoded to count columns so far (tests hold it to linear work).
    public private(set) var bytesDecoded = 0
    /// Line tables by 1-based line, made when a line's first offset comes.
    private var tables: [Int: LineTable] = [:]
    static let checkpointStride = 64

    /// Checkpoint k is the first character start at or after `start + k * stride`,
    /// with the units before it. Empty when every byte is one unit (UTF-8
    /// columns, or an ASCII line).
    private struct LineTable {
        let start: Int
        var indices: [Int] = []
        var units: [Int] = []
    }

    public init(file: SourceFile, encoding: PositionEncoding) {
        self.file = file
        self.encoding = encoding
    }

    /// The same position as `file.position(of:encoding:)`.
    public func position(of offset: Int) -> TextPosition {
        let bytes = file.bytes
        let clamped = min(max(offset, 0), bytes.count)
        let line = file.location(of: clamped).line
        let table = lineTable(line)
        let end = max(table.start, clamped)
        guard !table.indices.isEmpty else { return TextPosition(line: line - 1, character: end - table.start) }
        var checkpoint = min((end - table.start) / PositionConverter.checkpointStride, table.indices.count - 1)
        // A character across the stride's boundary puts the checkpoint after `end`.
        while table.indices[checkpoint] > end { checkpoint -= 1 }
        var index = table.indices[checkpoint]
        var count = table.units[checkpoint]
        while index < end {
            let length = file.scalarLength(at: index, limit: bytes.count)
            count += width(length)
            index += length
        }
        bytesDecoded += index - table.indices[checkpoint]
        return TextPosition(line: line - 1, character: count)
    }

    private func width(_ length: Int) -> Int { encoding == .utf16 && length == 4 ? 2 : 1 }

    private func lineTable(_ line: Int) -> LineTable {
        if let known = tables[line] { return known }
        let bytes = file.bytes
        var table = LineTable(start: file.editorLineStart(line))
        if encoding != .utf8 {
            // Up to the next line's start: an offset on this line is at most its `\n`.
            let limit = line < file.lineCount ? file.offset(ofLine: line + 1) : bytes.count
            var index = table.start
            while index < limit && bytes[index] < 0x80 { index += 1 }
            bytesDecoded += index - table.start
            if index < limit {
                index = table.start
                var count = 0
                while index < limit {
                    if index - table.start >= table.indices.count * PositionConverter.checkpointStride {
                        table.indices.append(index)
                        table.units.append(count)
                    }
                    let length = file.scalarLength(at: index, limit: bytes.count)
                    count += width(length)
                    index += length
                }
                bytesDecoded += index - table.start
            }
        }
        tables[line] = table
        return table
    }
}
