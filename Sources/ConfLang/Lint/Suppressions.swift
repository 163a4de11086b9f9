/// `# confcheck: ignore[CODE, ...]` comments. The language ignores comments;
/// confcheck reads these: one on the line of a finding, or alone on the line
/// above it, hides findings of the codes it names on that line only.
struct Suppressions {
    private struct Line: Hashable {
        let file: ObjectIdentifier
        let line: Int
    }

    private var ignored: [Line: Set<DiagnosticCode>] = [:]
    /// Findings about the comments themselves (unknown codes, bad syntax).
    private(set) var diagnostics: [Diagnostic] = []

    init(_ files: [ConfigFile]) {
        for file in files { collect(file.nodes) }
    }

    func hides(_ diagnostic: Diagnostic) -> Bool {
        let line = Line(file: ObjectIdentifier(diagnostic.range.file), line: diagnostic.location.line)
        return ignored[line]?.contains(diagnostic.id) ?? false
    }

    private mutating func collect(_ nodes: [Node]) {
        for node in nodes {
            switch node {
            case .comment(let comment): read(comment)
            case .directive(let directive):
                for inner in directive.innerComments { read(inner.comment) }
                if let block = directive.block { collect(block.nodes) }
            }
        }
    }

    private static let marker = Array("confcheck:".utf8)
    private static let ignore = Array("ignore[".utf8)

    private mutating func read(_ comment: Comment) {
        let range = comment.range
        let bytes = range.file.bytes
        var index = skipBlanks(bytes, from: range.start + 1, to: range.end)
        guard bytes[index..<min(range.end, index + Suppressions.marker.count)].elementsEqual(Suppressions.marker) else { return }
        index = skipBlanks(bytes, from: index + Suppressions.marker.count, to: range.end)
        let listStart = index + Suppressions.ignore.count
        guard bytes[index..<min(range.end, listStart)].elementsEqual(Suppressions.ignore),
              let close = bytes[listStart..<range.end].firstIndex(of: UInt8(ascii: "]")) else {
            diagnostics.append(.warning(.suppressionMalformed,
                                        "a '# confcheck:' comment must be 'confcheck: ignore[CODE, ...]'; this one is not read",
                                        at: range))
            return
        }
        let (codes, named) = readCodes(range.file, from: listStart, to: close)
        if named == 0 {
            diagnostics.append(.warning(.suppressionMalformed, "'ignore[]' names no code; write ignore[CODE]",
                                        at: SourceRange(file: range.file, start: index, end: close + 1)))
            return
        }
        let line = range.startLocation.line
        // Alone on its line, the comment speaks for the next line.
        let target = isAloneOnLine(range) ? line + 1 : line
        ignored[Line(file: ObjectIdentifier(range.file), line: target), default: []].formUnion(codes)
    }

    /// The known codes of a comma-separated list and how many it names;
    /// unknown ones are reported.
    private mutating func readCodes(_ file: SourceFile, from start: Int, to end: Int) -> (Set<DiagnosticCode>, named: Int) {
        var codes = Set<DiagnosticCode>()
        var named = 0
        var itemStart = start
        while itemStart <= end {
            let itemEnd = file.bytes[itemStart..<end].firstIndex(of: UInt8(ascii: ",")) ?? end
            let first = skipBlanks(file.bytes, from: itemStart, to: itemEnd)
            var last = itemEnd
            while last > first && isBlank(file.bytes[last - 1]) { last -= 1 }
            itemStart = itemEnd + 1
            guard first < last else { continue }
            named += 1
            let name = file.text(first..<last)
            if let code = DiagnosticCode(code: name) {
                codes.insert(code)
                continue
            }
            let at = SourceRange(file: file, start: first, end: last)
            if let suggestion = Suppressions.closestCode(to: name) {
                diagnostics.append(.warning(.suppressionUnknownCode,
                                            "unknown diagnostic code '\(name)' in ignore[...]; did you mean '\(suggestion)'?",
                                            at: at, fixIt: .init(range: at, replacement: suggestion)))
            } else {
                diagnostics.append(.warning(.suppressionUnknownCode,
                                            "unknown diagnostic code '\(name)' in ignore[...] (confcheck --list-codes lists them)", at: at))
            }
        }
        return (codes, named)
    }

    static func closestCode(to name: String) -> String? {
        let limit = max(2, name.count / 4)
        let scored = DiagnosticCode.allCases.map { ($0.code, Suggestions.editDistance(name.lowercased(), $0.code)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    private func isAloneOnLine(_ range: SourceRange) -> Bool {
        let file = range.file
        let lineStart = max(file.offset(ofLine: range.startLocation.line), file.contentStart)
        return file.bytes[lineStart..<range.start].allSatisfy(isBlank)
    }

    private func isBlank(_ byte: UInt8) -> Bool { byte == ASCII.space || byte == ASCII.tab }

    private func skipBlanks(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var index = start
        while index < end && isBlank(bytes[index]) { index += 1 }
        return index
    }
}
