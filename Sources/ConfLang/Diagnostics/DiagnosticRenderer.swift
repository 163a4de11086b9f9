/// The one place diagnostics become text, in each output format of the
/// contract (text, json, sarif, github). confcheck and `webserv -t` both use it.
public struct DiagnosticRenderer {
    public enum Format: String, CaseIterable {
        case text, json, sarif, github
    }

    public var format: Format
    /// Text format: show the source line and a caret under the range.
    public var showSnippets: Bool
    /// Text format: ANSI colours (the caller decides: terminal and no NO_COLOR).
    public var useColor: Bool
    public var toolVersion: String

    public init(format: Format = .text, showSnippets: Bool = false, useColor: Bool = false, toolVersion: String = ConfLangVersion.current) {
        self.format = format
        self.showSnippets = showSnippets
        self.useColor = useColor
        self.toolVersion = toolVersion
    }

    /// The whole output for a run (empty for text/github with no findings).
    public func render(_ diagnostics: [Diagnostic]) -> String {
        switch format {
        case .text: return diagnostics.map(text).joined()
        case .github: return diagnostics.map(github).joined()
        case .json: return json(diagnostics).serialized(indent: 2) + "\n"
        case .sarif: return sarif(diagnostics).serialized(indent: 2) + "\n"
        }
    }

    // MARK: text

    public func text(_ diagnostic: Diagnostic) -> String {
        var output = line(severity: diagnostic.severity, message: diagnostic.message, code: diagnostic.code, range: diagnostic.range)
        if showSnippets { output += snippet(diagnostic.range, severity: diagnostic.severity) }
        for note in diagnostic.notes {
            if let range = note.range {
                output += line(severity: .note, message: note.message, code: nil, range: range)
                if showSnippets { output += snippet(range, severity: .note) }
            } else {
                output += paint("note: ", .note) + DiagnosticRenderer.visible(note.message) + "\n"
            }
        }
        return output
    }

    private enum Style { case bold, error, warning, note }

    private func paint(_ text: String, _ style: Style) -> String {
        guard useColor else { return text }
        let code: String
        switch style {
        case .bold: code = "1"
        case .error: code = "1;31"
        case .warning: code = "1;35"
        case .note: code = "1;36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func style(for severity: Diagnostic.Severity) -> Style {
        switch severity {
        case .error: return .error
        case .warning: return .warning
        case .note: return .note
        }
    }

    private func line(severity: Diagnostic.Severity, message: String, code: String?, range: SourceRange) -> String {
        let location = range.startLocation
        let codeText = code.map { " [\($0)]" } ?? ""
        return paint("\(DiagnosticRenderer.visible(range.file.path)):\(location.line):\(location.column):", .bold) + " "
            + paint("\(severity.rawValue):", style(for: severity)) + " " + DiagnosticRenderer.visible(message) + codeText + "\n"
    }

    /// Control characters from a configuration (a quoted name holding a
    /// newline and `::error`, an ESC sequence) are shown escaped, never sent:
    /// raw, they would start a CI workflow command or drive the terminal.
    static func visible(_ text: String, keepingTabs: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t" where keepingTabs: result.unicodeScalars.append(scalar)
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private func snippet(_ range: SourceRange, severity: Diagnostic.Severity) -> String {
        let start = range.startLocation
        let end = range.endLocation
        let source = range.file.lineText(start.line)
        let scalars = Array(source.unicodeScalars)
        // Keep tabs so the caret lines up under the same columns.
        var pad = ""
        for scalar in scalars.prefix(max(0, start.column - 1)) { pad += scalar == "\t" ? "\t" : " " }
        let lastColumn = end.line == start.line ? end.column : scalars.count + 1
        let width = max(1, lastColumn - start.column)
        let marker = "^" + String(repeating: "~", count: width - 1)
        return "    " + DiagnosticRenderer.visible(source, keepingTabs: true) + "\n    " + pad + paint(marker, style(for: severity)) + "\n"
    }

    // MARK: json

    private func position(_ range: SourceRange) -> [(String, JSON)] {
        let start = range.startLocation, end = range.endLocation
        return [("file", .string(range.file.path)), ("line", .int(start.line)), ("column", .int(start.column)),
                ("endLine", .int(end.line)), ("endColumn", .int(end.column))]
    }

    /// The version of the JSON output's shape; it changes only when a field's meaning does.
    public static let jsonVersion = 1

    public func json(_ diagnostics: [Diagnostic]) -> JSON {
        .object([("version", .int(DiagnosticRenderer.jsonVersion)), ("diagnostics", .array(diagnostics.map { diagnostic in
            .object(position(diagnostic.range) + [
                ("severity", .string(diagnostic.severity.rawValue)),
                ("code", .string(diagnostic.code)),
                ("message", .string(diagnostic.message)),
                ("notes", .array(diagnostic.notes.map { note in
                    .object((note.range.map(position) ?? []) + [("message", .string(note.message))])
                })),
            ])
        }))])
    }

    // MARK: sarif

    private func sarifLocation(_ range: SourceRange, message: String? = nil) -> JSON {
        let start = range.startLocation, end = range.endLocation
        var members: [(String, JSON)] = [("physicalLocation", .object([
            ("artifactLocation", .object([("uri", .string(DiagnosticRenderer.artifactURI(range.file.path)))])),
            ("region", .object([("startLine", .int(start.line)), ("startColumn", .int(start.column)),
                                ("endLine", .int(end.line)), ("endColumn", .int(end.column))])),
        ]))]
        if let message { members.append(("message", .object([("text", .string(message))]))) }
        return .object(members)
    }

    /// A SARIF rule (reportingDescriptor) from the catalogue.
    private func sarifRule(_ entry: DiagnosticCatalogue.Entry) -> JSON {
        .object([
            ("id", .string(entry.code)),
            ("name", .string(entry.code)),
            ("shortDescription", .object([("text", .string(entry.plainSummary))])),
            ("fullDescription", .object([("text", .string(entry.plainHelp))])),
            ("help", .object([("text", .string(entry.plainHelp)), ("markdown", .string(entry.help))])),
            ("helpUri", .string(entry.helpURI)),
            ("defaultConfiguration", .object([("level", .string(entry.severity.rawValue))])),
        ])
    }

    public func sarif(_ diagnostics: [Diagnostic]) -> JSON {
        // The rules used, in order of first use; each result names its rule by index.
        var ruleIndex: [DiagnosticCode: Int] = [:]
        var rules: [JSON] = []
        for diagnostic in diagnostics where ruleIndex[diagnostic.id] == nil {
            ruleIndex[diagnostic.id] = rules.count
            rules.append(sarifRule(diagnostic.id.entry))
        }
        let results: [JSON] = diagnostics.map { diagnostic in
            var members: [(String, JSON)] = [
                ("ruleId", .string(diagnostic.code)),
                ("ruleIndex", .int(ruleIndex[diagnostic.id] ?? 0)),
                ("level", .string(diagnostic.severity.rawValue)),
                ("message", .object([("text", .string(diagnostic.message))])),
                ("locations", .array([sarifLocation(diagnostic.range)])),
            ]
            let related = diagnostic.notes.compactMap { note in note.range.map { sarifLocation($0, message: note.message) } }
            if !related.isEmpty { members.append(("relatedLocations", .array(related))) }
            return .object(members)
        }
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([
                // Columns count Unicode scalars, as everywhere in confcheck.
                ("columnKind", .string("unicodeCodePoints")),
                ("tool", .object([("driver", .object([
                    ("name", .string("confcheck")),
                    ("version", .string(toolVersion)),
                    ("rules", .array(rules)),
                ]))])),
                ("results", .array(results)),
            ])])),
        ])
    }

    // MARK: github

    /// GitHub Actions workflow commands; notes become `::notice` lines.
    public func github(_ diagnostic: Diagnostic) -> String {
        let command: String
        switch diagnostic.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .note: command = "notice"
        }
        var output = workflowCommand(command, diagnostic.range, "\(diagnostic.message) [\(diagnostic.code)]",
                                     title: "confcheck \(diagnostic.code)")
        for note in diagnostic.notes {
            if let range = note.range { output += workflowCommand("notice", range, note.message, title: "confcheck note") }
        }
        return output
    }

    private func workflowCommand(_ command: String, _ range: SourceRange, _ message: String, title: String) -> String {
        let start = range.startLocation, end = range.endLocation
        let file = escapeProperty(range.file.path)
        return "::\(command) file=\(file),line=\(start.line),col=\(start.column),endLine=\(end.line),endColumn=\(end.column)"
            + ",title=\(escapeProperty(title))::\(escapeData(message))\n"
    }

    /// GitHub's escapes for a command's data, and every other control
    /// character escaped so it cannot reach the log raw.
    private func escapeData(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            case _ where DiagnosticRenderer.isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A SARIF artifact URI: an absolute path as a `file:` URI, a relative
    /// one as a relative reference; either percent-encoded where a URI must be.
    static func artifactURI(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            let safe = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || "-._~/!$&'()*+,;=:@".utf8.contains(byte)
            let hex = Array("0123456789ABCDEF")
            encoded += safe ? String(UnicodeScalar(byte)) : "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
        }
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    private func escapeProperty(_ text: String) -> String {
        escapeData(text).replacing(":", with: "%3A").replacing(",", with: "%2C")
    }
}

public enum ConfLangVersion {
    public static let current = "0.1.0"
}
