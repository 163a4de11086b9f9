import ConfLang
import Glibc

/// Starts the event loop for a checked configuration.
enum Server {
    static func start(config: WebservConfig, configPath: String) -> Int32 {
        do {
            let loop = try EventLoop(config: config, configPath: configPath)
            if let problem = loop.apply(config) {
                fputs("webserv: \(problem)\n", stderr)
                return 1
            }
            return loop.run()
        } catch {
            fputs("webserv: \(error)\n", stderr)
            return 1
        }
    }
}
