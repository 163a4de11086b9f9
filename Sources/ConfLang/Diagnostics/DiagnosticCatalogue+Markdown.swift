extension DiagnosticCatalogue {
    /// README's diagnostics reference: one row per code, in catalogue order.
    /// A test keeps README's copy (between `<!-- codes:begin -->` and
    /// `<!-- codes:end -->`) equal to this.
    public static func markdownTable() -> String {
        var lines = ["| code | severity | meaning | how to fix |", "| --- | --- | --- | --- |"]
        for entry in all {
            let cells = ["`\(entry.code)`", entry.severity.rawValue, entry.summary, entry.help].map(escapeCell)
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A `|` would end the cell, even inside backticks.
    private static func escapeCell(_ text: String) -> String {
        text.replacing("|", with: "\\|")
    }
}
