import ConfLang
import Glibc

/// Entry point of the serving side. The event loop is being built (issue 5);
/// until it lands, say so plainly instead of pretending to serve.
enum Server {
    static func start(config: WebservConfig, configPath: String) -> Int32 {
        let addresses = config.listenAddresses.map { "http://\($0.host == "*" ? "localhost" : $0.host):\($0.port)/" }
        fputs("webserv: configuration is valid; it would listen on \(addresses.joined(separator: ", "))\n", stderr)
        fputs("webserv: the HTTP server is not implemented yet (use -t to check configurations)\n", stderr)
        return 1
    }
}
