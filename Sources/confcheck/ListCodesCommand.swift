import ConfLang

/// `confcheck --list-codes`: the diagnostic catalogue, as aligned text
/// (code, severity, meaning) or as a JSON array with the help for each code.
enum ListCodesCommand {
    static func render(_ format: DiagnosticRenderer.Format) -> String {
        let entries = DiagnosticCatalogue.all
        if format == .json {
            return JSON.array(entries.map { entry in
                .object([("code", .string(entry.code)), ("severity", .string(entry.severity.rawValue)),
                         ("description", .string(entry.plainSummary)), ("help", .string(entry.plainHelp)),
                         ("helpUri", .string(entry.helpURI))])
            }).serialized(indent: 2) + "\n"
        }
        let codeWidth = entries.map(\.code.count).max() ?? 0
        let severityWidth = entries.map(\.severity.rawValue.count).max() ?? 0
        return entries.map { entry in
            pad(entry.code, codeWidth) + "  " + pad(entry.severity.rawValue, severityWidth) + "  " + entry.plainSummary + "\n"
        }.joined()
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
