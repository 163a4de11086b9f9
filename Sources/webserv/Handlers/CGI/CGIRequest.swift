import Glibc
import ConfLang

/// Everything needed to start one CGI script (RFC 3875): the interpreter, the
/// script, its directory, its environment and its time limit.
struct CGIRequest {
    let interpreter: String
    let scriptFile: String
    let workingDirectory: String
    var environment: [String: String]
    let timeoutMilliseconds: Int
    /// Where the script's stderr and failures are logged (the location's error_log).
    var errorLog = LogTarget(path: "stderr", level: "error")

    enum Problem: Error, Equatable { case status(Int) }

    /// Resolves the script file and builds the environment, or the status to answer.
    /// `secure`: the request came over TLS (`HTTPS=on`, as nginx's fastcgi_params give it).
    static func make(head: RequestHead, route: Router.Route, interpreter: String, server: ServerConfig,
                     address: Values.ListenAddress, peer: (host: String, port: Int), secure: Bool = false) -> Result<CGIRequest, Problem> {
        guard let (script, pathInfo) = route.cgiScript(for: head.path) else { return .failure(.status(403)) }
        let file = route.filesystemPath(for: script)
        var info = stat()
        guard stat(file, &info) == 0 else { return .failure(.status(Router.Route.status(forFileError: errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.status(403)) }
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        var environment: [String: String] = [
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": head.version.rawValue,
            "SERVER_SOFTWARE": "webserv",
            "SERVER_NAME": server.names.first.flatMap { $0.isEmpty ? nil : $0 } ?? (head.host.map(Router.normalizedHost) ?? "localhost"),
            "SERVER_PORT": String(address.port),
            "REQUEST_METHOD": head.method,
            "REQUEST_URI": head.target,
            "QUERY_STRING": head.query ?? "",
            "SCRIPT_NAME": script,
            "SCRIPT_FILENAME": file,
            "PATH_INFO": pathInfo,
            "REMOTE_ADDR": peer.host,
            "REMOTE_PORT": String(peer.port),
            "REDIRECT_STATUS": "200",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        ]
        if secure { environment["HTTPS"] = "on" }
        if !pathInfo.isEmpty { environment["PATH_TRANSLATED"] = route.filesystemPath(for: pathInfo) }
        if let type = head.headers["Content-Type"] { environment["CONTENT_TYPE"] = type }
        // A chunked body reaches the script de-chunked; its length is only known
        // at the end, so CONTENT_LENGTH is set only when the client sent one.
        if let length = head.contentLength { environment["CONTENT_LENGTH"] = String(length) }
        for (key, value) in httpVariables(head) { environment[key] = value }
        return .success(CGIRequest(interpreter: interpreter, scriptFile: file, workingDirectory: directory,
                                   environment: environment, timeoutMilliseconds: route.settings.cgiTimeoutMilliseconds,
                                   errorLog: route.settings.errorLog))
    }

    /// The request's fields as `HTTP_*` meta-variables (RFC 3875 §4.1.18), in
    /// the order they first came; a CGI script's and a FastCGI application's.
    static func httpVariables(_ head: RequestHead) -> [(name: String, value: String)] {
        var variables: [(name: String, value: String)] = []
        for (name, value) in head.headers.fields {
            let key = "HTTP_" + name.uppercased().map { $0 == "-" ? "_" : $0 }.map(String.init).joined()
            if key == "HTTP_CONTENT_TYPE" || key == "HTTP_CONTENT_LENGTH" || key == "HTTP_PROXY" { continue }
            // Cookie pairs are joined with "; " (one Cookie field, RFC 6265 §5.4), other fields with ", ".
            let separator = key == "HTTP_COOKIE" ? "; " : ", "
            if let index = variables.firstIndex(where: { $0.name == key }) {
                variables[index].value += separator + value
            } else {
                variables.append((key, value))
            }
        }
        return variables
    }
}
