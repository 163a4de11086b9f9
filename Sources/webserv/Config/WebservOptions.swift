/// `webserv [-t] [-c] CONFIG`, parsed by hand.
struct WebservOptions: Equatable {
    var testOnly = false
    var configPath = ""

    struct UsageError: Error, Equatable { let message: String }

    static let usage = "usage: webserv [-t] [-c] CONFIG\n  -t  check the configuration (as confcheck does) and exit 0 or 1\n"

    static func parse(_ arguments: [String]) throws -> WebservOptions {
        var options = WebservOptions()
        var paths: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-t": options.testOnly = true
            case "-c":
                index += 1
                guard index < arguments.count else { throw UsageError(message: "-c needs a configuration file") }
                paths.append(arguments[index])
            case "-h", "--help": throw UsageError(message: "")
            default:
                if argument.hasPrefix("-") && argument != "-" { throw UsageError(message: "unknown option '\(argument)'") }
                paths.append(argument)
            }
            index += 1
        }
        guard paths.count == 1 else {
            throw UsageError(message: paths.isEmpty ? "no configuration file given" : "only one configuration file may be given")
        }
        options.configPath = paths[0]
        return options
    }
}
