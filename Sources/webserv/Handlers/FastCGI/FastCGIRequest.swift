import ConfLang

/// What `fastcgi_pass` sends its application for one request: BEGIN_REQUEST
/// and the parameters (PARAMS records); the body follows as STDIN records.
/// The parameters are the CGI/1.1 meta-variables (RFC 3875) a CGI script gets,
/// with nginx's fastcgi.conf names, then the location's `fastcgi_param`s
/// (replacing one of the same name), then the request's fields as `HTTP_*`
/// unless a `fastcgi_param` set that name (`HTTP_HOST $host`), as nginx.
struct FastCGIRequest {
    let address: FastCGIAddress
    /// BEGIN_REQUEST and PARAMS, ready to send.
    let records: [UInt8]
    let params: [(name: String, value: String)]
    let settings: FastCGISettings
    var errorLog = LogTarget(path: "stderr", level: "error")
    /// For the error log, as nginx's `client: 127.0.0.1, request: "GET /x.php HTTP/1.1"`.
    let client: String
    let requestLine: String

    /// Debian's fastcgi.conf, and SCRIPT_FILENAME and PATH_INFO, as the parameters every request gets.
    static let defaultParams: [(name: String, value: String, ifNotEmpty: Bool)] = [
        ("QUERY_STRING", "$query_string", false), ("REQUEST_METHOD", "$request_method", false),
        ("CONTENT_TYPE", "$content_type", false), ("CONTENT_LENGTH", "$content_length", false),
        ("SCRIPT_FILENAME", "$request_filename", false), ("SCRIPT_NAME", "$fastcgi_script_name", false),
        ("PATH_INFO", "$fastcgi_path_info", false), ("REQUEST_URI", "$request_uri", false),
        ("DOCUMENT_URI", "$document_uri", false), ("DOCUMENT_ROOT", "$document_root", false),
        ("SERVER_PROTOCOL", "$server_protocol", false), ("REQUEST_SCHEME", "$scheme", false), ("HTTPS", "$https", true),
        ("GATEWAY_INTERFACE", "CGI/1.1", false), ("SERVER_SOFTWARE", "webserv", false),
        ("REMOTE_ADDR", "$remote_addr", false), ("REMOTE_PORT", "$remote_port", false),
        ("SERVER_ADDR", "$server_addr", false), ("SERVER_PORT", "$server_port", false),
        ("SERVER_NAME", "$server_name", false), ("REDIRECT_STATUS", "200", false),
    ]

    static func make(head: RequestHead, route: Router.Route, address: FastCGIAddress, server: ServerConfig,
                     local: @escaping () -> (host: String, port: Int), peer: (host: String, port: Int),
                     secure: Bool = false) -> FastCGIRequest {
        let settings = route.settings.fastcgi
        let (scriptName, pathInfo) = route.fastcgiScript(for: head.path)
        let variables = FastCGIVariables(head: head, route: route, server: server, scriptName: scriptName,
                                         pathInfo: pathInfo, local: local, peer: peer, secure: secure)
        var params: [(name: String, value: String)] = []
        var configured = Set<String>()
        func set(_ name: String, _ value: String, ifNotEmpty: Bool) {
            let index = params.firstIndex { $0.name == name }
            if ifNotEmpty && value.isEmpty {
                if let index { params.remove(at: index) }
            } else if let index {
                params[index].value = value
            } else {
                params.append((name, value))
            }
        }
        for param in defaultParams { set(param.name, variables.expand(param.value), ifNotEmpty: param.ifNotEmpty) }
        for param in settings.params {
            set(param.name, variables.expand(param.value), ifNotEmpty: param.ifNotEmpty)
            configured.insert(param.name)
        }
        for (name, value) in CGIRequest.httpVariables(head) where !configured.contains(name) { set(name, value, ifNotEmpty: false) }
        return FastCGIRequest(address: address, records: records(params, settings), params: params, settings: settings,
                              errorLog: route.settings.errorLog, client: peer.host,
                              requestLine: "\(head.method) \(head.target) \(head.version.rawValue)")
    }

    private static func records(_ params: [(name: String, value: String)], _ settings: FastCGISettings) -> [UInt8] {
        var records: [UInt8] = []
        FastCGIEncoder.beginRequest(keepConnection: settings.keepConnection, into: &records)
        FastCGIEncoder.params(params, into: &records)
        return records
    }

    /// The request with CONTENT_LENGTH known (a chunked body, spooled).
    func withContentLength(_ length: Int) -> FastCGIRequest {
        var params = self.params
        if let index = params.firstIndex(where: { $0.name == "CONTENT_LENGTH" }) {
            params[index].value = String(length)
        } else {
            params.append(("CONTENT_LENGTH", String(length)))
        }
        return FastCGIRequest(address: address, records: FastCGIRequest.records(params, settings), params: params, settings: settings,
                              errorLog: errorLog, client: client, requestLine: requestLine)
    }
}
