import ConfLang
import Glibc

// Thin shell: parse the command line, check the configuration, then serve,
// or signal the running instance (-s).
let options: WebservOptions
do {
    options = try WebservOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch let error as WebservOptions.UsageError {
    fputs("webserv: \(error.message)\n", stderr)
    fputs(WebservOptions.usage, stderr)
    exit(2)
}

switch options.show {
case .version?: fputs(BuildInfo.version, stderr); exit(0)
case .versionAndBuild?: fputs(BuildInfo.details, stderr); exit(0)
case .help?: fputs(WebservOptions.usage, stderr); exit(0)
case nil: break
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
    if let signal = options.signal {
        if let problem = SignalCommand.send(signal, config: config) {
            fputs("webserv: \(problem)\n", stderr)
            exit(1)
        }
        exit(0)
    }
    if let warning = Privileges.warning(config), getenv(MasterProcess.workerVariable) == nil { fputs("webserv: \(warning)\n", stderr) }
    if let problem = StartupFiles.prepare(config) ?? (options.testOnly ? StartupFiles.check(config) ?? TLSAddress.check(config) ?? UpstreamTLSContext.check(config) : nil)
        ?? Privileges.problem(config) {
        fputs("webserv: \(problem)\n", stderr)
        fputs("webserv: configuration \(options.configPath) \(options.testOnly ? "test failed" : "cannot be started")\n", stderr)
        exit(1)
    }
    if options.testOnly {
        fputs("webserv: configuration \(options.configPath) is valid\n", stderr)
        exit(0)
    }
    exit(Server.start(config: config, configPath: options.configPath))
}
