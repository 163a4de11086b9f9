import ConfLang
import Glibc

// Thin shell: parse the command line, check the configuration, serve.
let options: WebservOptions
do {
    options = try WebservOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch let error as WebservOptions.UsageError {
    if !error.message.isEmpty { fputs("webserv: \(error.message)\n", stderr) }
    fputs(WebservOptions.usage, stderr)
    exit(error.message.isEmpty ? 0 : 2)
}

let snippets = isatty(STDERR_FILENO) == 1
let check = ConfigurationCheck(renderer: DiagnosticRenderer(format: .text, showSnippets: snippets,
                                                            useColor: snippets && getenv("NO_COLOR") == nil))
switch check.run(path: options.configPath) {
case .invalid(let report):
    fputs(report, stderr)
    fputs("webserv: configuration \(options.configPath) is invalid\n", stderr)
    exit(1)
case .valid(let config, let report):
    fputs(report, stderr)
    if options.testOnly {
        fputs("webserv: configuration \(options.configPath) is valid\n", stderr)
        exit(0)
    }
    exit(Server.start(config: config, configPath: options.configPath))
}
