/// A finding about a configuration: a value, rendered in one place
/// (`DiagnosticRenderer`). Tests assert on these values.
public struct Diagnostic {
    public enum Severity: String, Comparable {
        case error, warning, note
        private var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public struct Note {
        public let message: String
        public let range: SourceRange?
        public init(_ message: String, at range: SourceRange?) {
            self.message = message
            self.range = range
        }
    }

    /// A suggested edit: replace `range` with `replacement`.
    public struct FixIt {
        public let range: SourceRange
        public let replacement: String
        public init(range: SourceRange, replacement: String) {
            self.range = range
            self.replacement = replacement
        }
    }

    public let severity: Severity
    /// What kind of finding this is: its entry in `DiagnosticCatalogue`.
    public let id: DiagnosticCode
    public let message: String
    public let range: SourceRange
    public var notes: [Note]
    public var fixIt: FixIt?

    /// `severity` is stated at the call site for the reader; it must be the
    /// catalogue's, which SARIF and `--list-codes` publish as the default.
    public init(_ severity: Severity, _ id: DiagnosticCode, _ message: String, at range: SourceRange,
                notes: [Note] = [], fixIt: FixIt? = nil) {
        assert(severity == id.defaultSeverity, "\(id.code) is catalogued as \(id.defaultSeverity)")
        self.severity = severity
        self.id = id
        self.message = message
        self.range = range
        self.notes = notes
        self.fixIt = fixIt
    }

    public static func error(_ id: DiagnosticCode, _ message: String, at range: SourceRange,
                             notes: [Note] = [], fixIt: FixIt? = nil) -> Diagnostic {
        Diagnostic(.error, id, message, at: range, notes: notes, fixIt: fixIt)
    }

    public static func warning(_ id: DiagnosticCode, _ message: String, at range: SourceRange,
                               notes: [Note] = [], fixIt: FixIt? = nil) -> Diagnostic {
        Diagnostic(.warning, id, message, at: range, notes: notes, fixIt: fixIt)
    }

    /// Stable identifier, shown as `[code]` (e.g. `syntax.missing-semicolon`).
    public var code: String { id.code }

    public var location: SourceLocation { range.startLocation }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var hasWarnings: Bool { contains { $0.severity == .warning } }

    /// Grouped by file (in `fileOrder`, then files in order of first
    /// appearance), then by position within each file; ties keep their order.
    public func sortedByPosition(fileOrder: [SourceFile] = []) -> [Diagnostic] {
        var fileRank: [ObjectIdentifier: Int] = [:]
        for file in fileOrder where fileRank[ObjectIdentifier(file)] == nil {
            fileRank[ObjectIdentifier(file)] = fileRank.count
        }
        for diagnostic in self where fileRank[ObjectIdentifier(diagnostic.range.file)] == nil {
            fileRank[ObjectIdentifier(diagnostic.range.file)] = fileRank.count
        }
        return enumerated().sorted { lhs, rhs in
            let a = lhs.element, b = rhs.element
            let rankA = fileRank[ObjectIdentifier(a.range.file)] ?? 0
            let rankB = fileRank[ObjectIdentifier(b.range.file)] ?? 0
            return (rankA, a.range.start, lhs.offset) < (rankB, b.range.start, rhs.offset)
        }.map(\.element)
    }
}
