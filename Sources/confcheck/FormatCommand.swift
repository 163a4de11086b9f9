import ConfLang

/// `confcheck --fmt`: formats each file on its own (includes are separate
/// files, formatted when named). A file that does not parse is left
/// untouched and its syntax errors are printed as lint prints them.
struct FormatCommand {
    let environment: Confcheck.Environment
    let renderer: DiagnosticRenderer
    let options: Options

    func run(_ outcome: inout Confcheck.Outcome) {
        for file in expandedFiles() {
            guard let (path, bytes) = Confcheck(environment: environment).read(file, &outcome) else { continue }
            let source = SourceFile(path: path, bytes: bytes)
            let (parsed, diagnostics) = Parser.parse(source)
            let toStandardOutput = file == "-" || options.formatOutput == .standardOutput
            if diagnostics.hasErrors {
                // Where stdout is the formatted file (an editor's format-on-save
                // pipe), findings must not be mistaken for it: they go to stderr.
                let report = renderer.render(diagnostics.sortedByPosition())
                if toStandardOutput { outcome.errors += report } else { outcome.write(report) }
                outcome.fail(1)
                continue
            }
            let formatted = Formatter.format(parsed)
            let changed = formatted != bytes
            switch toStandardOutput ? .standardOutput : options.formatOutput {
            case .standardOutput:
                outcome.output += formatted
            case .check:
                if changed { outcome.write("\(path)\n"); outcome.fail(1) }
            case .diff:
                if changed {
                    outcome.output += UnifiedDiff.diff(old: bytes, new: formatted, oldName: "a/\(path)", newName: "b/\(path)")
                    outcome.fail(1)
                }
            case .inPlace:
                guard changed else { continue }
                if let error = FileAccess.writeFileAtomically(path, formatted) {
                    outcome.errors += "confcheck: cannot write '\(path)': \(error.reason)\n"
                    outcome.fail(2)
                } else {
                    outcome.errors += "reformatted \(path)\n"
                }
            }
        }
    }

    /// A directory argument stands for every `*.conf` file under it.
    private func expandedFiles() -> [String] {
        options.files.flatMap { file in
            file != "-" && FileAccess.isDirectory(file) ? FileAccess.configurationFiles(under: file) : [file]
        }
    }
}
