import ConfLang
import Glibc
import TLSInspection

/// Everything confcheck does, callable in-process by tests: arguments and
/// input in, text and an exit status out. main.swift only does the I/O.
struct Confcheck {
    struct Environment {
        var variables: [String: String] = [:]
        var standardOutputIsTerminal = false
        var readStandardInput: () -> [UInt8] = { [] }
    }

    struct Outcome {
        var status: Int32 = 0
        /// Bytes, not text: a formatted file goes out exactly as formatted.
        var output: [UInt8] = []
        var errors = ""

        mutating func fail(_ status: Int32) { self.status = max(self.status, status) }
        mutating func write(_ text: String) { output += text.utf8 }
        var outputText: String { String(decoding: output, as: UTF8.self) }
    }

    let environment: Environment

    func run(_ arguments: [String]) -> Outcome {
        var outcome = Outcome()
        let options: Options
        do {
            options = try Options.parse(arguments)
        } catch let error as Options.UsageError {
            outcome.errors = "confcheck: \(error.message)\nTry 'confcheck --help'.\n"
            outcome.status = 2
            return outcome
        } catch {
            outcome.status = 2
            return outcome
        }
        if options.showHelp { outcome.write(Options.help + "\n"); return outcome }
        if options.showVersion { outcome.write("confcheck \(ConfLangVersion.current)\n"); return outcome }

        let colour = environment.standardOutputIsTerminal && environment.variables["NO_COLOR"] == nil
        let renderer = DiagnosticRenderer(format: options.outputFormat,
                                          showSnippets: options.snippets || environment.standardOutputIsTerminal,
                                          useColor: colour && options.outputFormat == .text)
        switch options.mode {
        case .lint: lint(options, renderer, &outcome)
        case .dump: dump(options, &outcome)
        case .listCodes: outcome.write(ListCodesCommand.render(options.outputFormat))
        case .explain: ExplainCommand(confcheck: self, options: options).run(&outcome)
        case .format: FormatCommand(environment: environment, renderer: renderer, options: options).run(&outcome)
        case .languageServer:
            // The server streams; main.swift runs it before calling run().
            outcome.errors = "confcheck: --lsp talks over standard input and output; run it as a process\n"
            outcome.fail(2)
        }
        return outcome
    }

    /// Reads a FILE argument ('-' is standard input); a failure is exit 2.
    func read(_ file: String, _ outcome: inout Outcome) -> (path: String, bytes: [UInt8])? {
        if file == "-" {
            let bytes = environment.readStandardInput()
            guard bytes.count <= FileAccess.maxConfigurationSize else {
                let error = FileAccess.ReadError(path: "<stdin>", errorNumber: EFBIG, refusal: .tooLarge)
                outcome.errors += "confcheck: cannot read standard input: \(error.reason)\n"
                outcome.fail(2)
                return nil
            }
            return ("<stdin>", bytes)
        }
        switch FileAccess.readFile(file) {
        case .success(let bytes): return (file, bytes)
        case .failure(let error):
            let hint = error.isDirectory ? " (pass the main configuration file: its includes are followed)" : ""
            outcome.errors += "confcheck: cannot read '\(file)': \(error.reason)\(hint)\n"
            outcome.fail(2)
            return nil
        }
    }

    private func lint(_ options: Options, _ renderer: DiagnosticRenderer, _ outcome: inout Outcome) {
        var all: [Diagnostic] = []
        for file in options.files {
            guard let (path, bytes) = read(file, &outcome) else { continue }
            let result = Linter.lint(path: path, bytes: bytes,
                                     options: .init(context: options.context, syntaxOnly: options.syntaxOnly,
                                                    certificateInspector: OpenSSLCertificateInspector()))
            all += result.diagnostics
        }
        outcome.write(renderer.render(all))
        if all.hasErrors || (options.strict && all.hasWarnings) { outcome.fail(1) }
    }

    private func dump(_ options: Options, _ outcome: inout Outcome) {
        guard let (path, bytes) = read(options.files[0], &outcome) else { return }
        let config = ConfigLoader().load(path: path, bytes: bytes)
        outcome.write(CrossplaneDump.payload(for: config).serialized() + "\n")
        if config.diagnostics.hasErrors { outcome.fail(1) }
    }
}
