import XCTest
@testable import ConfLang

/// Text with one `|` marking the cursor: the text without it, and the
/// cursor's byte offset.
func markedCursor(_ marked: String) -> (text: String, offset: Int) {
    let bytes = Array(marked.utf8)
    guard let offset = bytes.firstIndex(of: UInt8(ascii: "|")) else { return (marked, bytes.count) }
    var text = bytes
    text.remove(at: offset)
    return (String(decoding: text, as: UTF8.self), offset)
}

/// A file parsed alone (no includes), with the cursor offset of its `|`.
func parsedAtCursor(_ marked: String, path: String = "/srv/t.conf") -> (file: ConfigFile, offset: Int) {
    let (text, offset) = markedCursor(marked)
    return (Parser.parse(SourceFile(path: path, text: text)).0, offset)
}

/// Applies byte edits (non-overlapping, any order) to bytes.
func applying(_ edits: [FormattingEdits.Edit], to bytes: [UInt8]) -> [UInt8] {
    var result = bytes
    for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
        result.replaceSubrange(edit.range, with: edit.replacement)
    }
    return result
}
