/// A configuration file as bytes, with the one line table that turns byte
/// offsets into line:column. Nothing else in ConfLang counts lines.
public final class SourceFile {
    /// The path as the user should see it (as given, or joined from an include).
    public let path: String
    public let bytes: [UInt8]
    /// Offset of the first byte after a UTF-8 byte order mark (0 or 3).
    public let contentStart: Int
    /// Byte offset where each line starts; line N (1-based) starts at lineStarts[N-1].
    private let lineStarts: [Int]
    /// For files with bytes >= 0x80: how many scalars start before each
    /// multiple of `scalarStride`, so a column costs O(stride), not O(line).
    /// Empty for ASCII files, where a column is a byte distance.
    private let scalarCheckpoints: [Int32]
    private static let scalarStride = 64

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        contentStart = hasBOM ? 3 : 0
        var starts = [contentStart]
        starts.reserveCapacity(bytes.count / 24 + 1)
        var index = contentStart
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { starts.append(index + 1) }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        lineStarts = starts
        scalarCheckpoints = ascii ? [] : SourceFile.checkpoints(bytes)
    }

    private static func checkpoints(_ bytes: [UInt8]) -> [Int32] {
        var result: [Int32] = [0]
        result.reserveCapacity(bytes.count / scalarStride + 1)
        var count: Int32 = 0
        for (index, byte) in bytes.enumerated() {
            // Continuation bytes (10xxxxxx) do not start a scalar.
            if byte & 0xC0 != 0x80 { count += 1 }
            if (index + 1) % scalarStride == 0 { result.append(count) }
        }
        return result
    }

    /// Scalars that start before `offset`.
    private func scalars(before offset: Int) -> Int {
        let block = offset / SourceFile.scalarStride
        var count = Int(scalarCheckpoints[block])
        var index = block * SourceFile.scalarStride
        while index < offset {
            if bytes[index] & 0xC0 != 0x80 { count += 1 }
            index += 1
        }
        return count
    }

    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    public var lineCount: Int { lineStarts.count }

    /// 1-based line and column of a byte offset. Columns count Unicode scalars
    /// (a tab is one), so a caret lines up with what an editor shows.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = min(max(offset, contentStart), bytes.count)
        // Binary search for the last line start <= offset.
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        let start = lineStarts[low]
        let column = scalarCheckpoints.isEmpty
            ? clamped - start + 1
            : scalars(before: clamped) - scalars(before: start) + 1
        return SourceLocation(line: low + 1, column: column)
    }

    /// The text of a line without its line break (CR before LF dropped too).
    public func lineText(_ line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// Byte offset of the start of a 1-based line.
    public func offset(ofLine line: Int) -> Int {
        lineStarts[min(max(line, 1), lineStarts.count) - 1]
    }

    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

public struct SourceLocation: Equatable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
    public var description: String { "\(line):\(column)" }
}

/// A half-open byte range in one file. Line and column are derived on demand.
public struct SourceRange: CustomStringConvertible {
    public let file: SourceFile
    public let start: Int
    public let end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    public var startLocation: SourceLocation { file.location(of: start) }
    public var endLocation: SourceLocation { file.location(of: end) }
    public var text: String { file.text(start..<end) }
    /// The bytes as written (what the formatter copies).
    public var bytes: ArraySlice<UInt8> { file.bytes[start..<end] }

    /// Covers both ranges (same file assumed).
    public func extended(to other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public var description: String { "\(file.path):\(startLocation)" }
}
