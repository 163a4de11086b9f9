import Glibc

/// `webserv [-t] [-s SIGNAL] [-v|-V] [-h] [-c] CONFIG`, parsed by hand.
struct WebservOptions: Equatable {
    var testOnly = false
    var configPath = ""
    /// `-s`: signal the running instance instead of starting one.
    var signal: ControlSignal?
    /// `-v`, `-V`, `-h`: print, and exit 0.
    var show: Show?

    enum Show: Equatable { case version, versionAndBuild, help }

    /// nginx's `-s` names, and the signal each sends.
    enum ControlSignal: String, CaseIterable, Equatable {
        case stop, quit, reopen, reload

        var number: Int32 {
            switch self {
            case .stop: return SIGTERM
            case .quit: return SIGQUIT
            case .reopen: return SIGUSR1
            case .reload: return SIGHUP
            }
        }
    }

    struct UsageError: Error, Equatable { let message: String }

    static let usage = """
    usage: webserv [-t] [-s SIGNAL] [-v|-V] [-h] [-c] CONFIG
      -t         check the configuration (as confcheck does, and that its log and pid files can be opened), exit 0 or 1
      -s SIGNAL  send SIGNAL to the instance named by the configuration's pid file:
                 stop (SIGTERM), quit (SIGQUIT), reopen (SIGUSR1), reload (SIGHUP)
      -v         print the version; -V adds how it was built
      -h         print this help
      -c CONFIG  the configuration file (the same as giving it alone)

    """

    static func parse(_ arguments: [String]) throws -> WebservOptions {
        var options = WebservOptions()
        var paths: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-t": options.testOnly = true
            case "-c", "-s":
                index += 1
                guard index < arguments.count else {
                    throw UsageError(message: argument == "-c" ? "-c needs a configuration file" : "-s needs a signal")
                }
                if argument == "-c" {
                    paths.append(arguments[index])
                } else {
                    guard let signal = ControlSignal(rawValue: arguments[index]) else {
                        throw UsageError(message: "invalid signal '\(arguments[index])' for -s (stop, quit, reopen or reload)")
                    }
                    options.signal = signal
                }
            case "-v": options.show = options.show ?? .version
            case "-V": options.show = .versionAndBuild
            case "-h", "-?", "--help": options.show = .help
            default:
                if argument.hasPrefix("-") && argument != "-" { throw UsageError(message: "unknown option '\(argument)'") }
                paths.append(argument)
            }
            index += 1
        }
        if options.show != nil { return options }
        guard paths.count == 1 else {
            throw UsageError(message: paths.isEmpty ? "no configuration file given" : "only one configuration file may be given")
        }
        options.configPath = paths[0]
        return options
    }
}
