import ConfLang
import Glibc

// Thin shell: gather the process's inputs, run, print, exit.
let arguments = Array(CommandLine.arguments.dropFirst())
// The language server streams until the client says exit; everything else runs once.
if let options = try? Options.parse(arguments), options.mode == .languageServer, !options.showHelp, !options.showVersion {
    exit(StandardIOTransport.run())
}
let environment = Confcheck.Environment(
    variables: ProcessInfoLite.environment(),
    standardOutputIsTerminal: isatty(STDOUT_FILENO) == 1,
    readStandardInput: FileAccess.readStandardInput)
let outcome = Confcheck(environment: environment).run(arguments)
// fwrite, not fputs: the output may hold NUL bytes (a formatted file's own).
_ = outcome.output.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, stdout) }
fputs(outcome.errors, stderr)
fflush(stdout)
exit(outcome.status)
