import ConfLang

/// confcheck's command line, parsed by hand (no dependencies).
struct Options: Equatable {
    enum Mode: Equatable { case lint, format, dump, languageServer, listCodes, explain }
    enum FormatOutput: Equatable { case inPlace, check, diff, standardOutput }

    var mode: Mode = .lint
    var formatOutput: FormatOutput = .inPlace
    var outputFormat: DiagnosticRenderer.Format = .text
    var snippets = false
    var context: Context = .main
    var syntaxOnly = false
    var strict = false
    var showHelp = false
    var showVersion = false
    var files: [String] = []
    /// `--explain URL [--method M] [--header 'Name: value']...`
    var explainURL: String?
    var explainMethod: String?
    var explainHeaders: [String] = []
    /// `--from ADDRESS`: the client's address, for allow/deny.
    var explainFrom: String?

    struct UsageError: Error, Equatable {
        let message: String
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var index = 0
        var onlyFiles = false
        func value(for option: String, inline: String?) throws -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else { throw UsageError(message: "option '\(option)' needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            defer { index += 1 }
            if onlyFiles || argument == "-" || !argument.hasPrefix("-") {
                options.files.append(argument)
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            let inline = parts.count > 1 ? parts[1] : nil
            switch name {
            case "--": onlyFiles = true
            case "--fmt": options.mode = options.mode == .dump ? .dump : .format
            case "--check": options.formatOutput = .check
            case "--diff": options.formatOutput = .diff
            case "--stdout": options.formatOutput = .standardOutput
            case "--dump": options.mode = .dump
            case "--lsp": options.mode = .languageServer
            case "--list-codes": options.mode = .listCodes
            case "--explain":
                options.mode = .explain
                options.explainURL = try value(for: name, inline: inline)
            case "--method": options.explainMethod = try value(for: name, inline: inline)
            case "--header": options.explainHeaders.append(try value(for: name, inline: inline))
            case "--from": options.explainFrom = try value(for: name, inline: inline)
            // LSP clients (vscode-languageclient) add --stdio; stdio is the only transport.
            case "--stdio": break
            case "--snippets": options.snippets = true
            case "--syntax-only": options.syntaxOnly = true
            case "--strict": options.strict = true
            case "-h", "--help": options.showHelp = true
            case "--version": options.showVersion = true
            case "--format":
                let text = try value(for: name, inline: inline)
                guard let format = DiagnosticRenderer.Format(rawValue: text) else {
                    throw UsageError(message: "unknown --format '\(text)': use text, json, sarif or github")
                }
                options.outputFormat = format
            case "--context":
                let text = try value(for: name, inline: inline)
                guard let context = Context(rawValue: text), context != .types, context != .upstream else {
                    throw UsageError(message: "unknown --context '\(text)': use main, events, http, server or location")
                }
                options.context = context
            default:
                throw UsageError(message: "unknown option '\(argument)'")
            }
        }
        if options.mode == .dump && options.files.count != 1 && !options.showHelp {
            throw UsageError(message: "--dump takes exactly one file")
        }
        if options.mode != .format && options.formatOutput != .inPlace {
            throw UsageError(message: "--check, --diff and --stdout go with --fmt")
        }
        if options.explainURL != nil || options.explainMethod != nil || !options.explainHeaders.isEmpty || options.explainFrom != nil {
            guard options.mode == .explain else {
                throw UsageError(message: options.explainURL == nil ? "--method, --header and --from go with --explain"
                                 : "--explain does not go with --fmt, --dump, --lsp or --list-codes")
            }
            guard options.files.count == 1 || options.showHelp else {
                throw UsageError(message: "--explain takes exactly one configuration file")
            }
            guard [.text, .json].contains(options.outputFormat) else {
                throw UsageError(message: "--explain prints --format text or json")
            }
            guard options.context == .main, !options.syntaxOnly else {
                throw UsageError(message: "--explain reads a whole configuration, as webserv does: no --context or --syntax-only")
            }
            return options
        }
        if options.mode == .listCodes {
            guard options.files.isEmpty else { throw UsageError(message: "--list-codes takes no files") }
            guard [.text, .json].contains(options.outputFormat) else {
                throw UsageError(message: "--list-codes prints --format text or json")
            }
            return options
        }
        if options.mode == .languageServer {
            guard options.files.isEmpty else { throw UsageError(message: "--lsp takes no files: the editor sends them") }
            return options
        }
        if options.files.isEmpty && !options.showHelp && !options.showVersion {
            throw UsageError(message: "no configuration file given")
        }
        return options
    }

    static let help = """
    usage: confcheck [OPTIONS] FILE...                   lint: parse + semantic checks
           confcheck --fmt [--check|--diff|--stdout] FILE...  format (in place by default)
           confcheck --dump FILE                        crossplane-compatible JSON of the parse
           confcheck --lsp                              language server on standard input and output
           confcheck --list-codes [--format json]       the diagnostic codes: severity and meaning
           confcheck --explain URL [--method M] [--header 'Name: value']... [--from ADDRESS] [--format json] FILE
                                                        what webserv would do with that request, and why

    FILE may be '-' for standard input. With --fmt, a directory means every *.conf file under it.
    '# confcheck: ignore[CODE, ...]' on a finding's line, or alone on the line above, hides it.

    options:
      --format text|json|sarif|github   diagnostics format (default text)
      --snippets                        show the source line and a caret (default on a terminal)
      --context main|events|http|server|location
                                        check a fragment as if it were included there
      --syntax-only                     skip the semantic checks (includes are still read)
      --strict                          warnings fail too (exit 1)
      --fmt                             format files in place
        --check                         write nothing; list files that would change (exit 1 if any)
        --diff                          write nothing; print a unified diff (exit 1 if any change)
        --stdout                        print the formatted result
      --dump                            print crossplane's JSON payload for FILE
      --list-codes                      list every diagnostic code (text, or a JSON array with --format json)
      --explain URL                     explain the server, location, settings and answer for URL
        --method M                      the request's method (default GET)
        --header 'Name: value'          a request header (Host chooses the server; Content-Length the 413)
        --from ADDRESS                  the client's address, for allow and deny
      --help, --version

    exit status: 0 clean, 1 findings (or files that would change), 2 usage or I/O error.
    With --explain: 0 explained (whatever the answer), 1 the configuration has errors, 2 usage or I/O error.
    Colour is used on a terminal unless NO_COLOR is set.
    """
}
