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

    /// Debian's fastcgi.conf, and PATH_INFO, as the parameters every request gets,
    /// compiled once. SCRIPT_FILENAME is webserv's own: the script's file as the
    /// location maps it, an `alias` included (which `$document_root$fastcgi_script_name` is not).
    static let defaultParams: [FastCGIParam] = [
        ("QUERY_STRING", "$query_string", false), ("REQUEST_METHOD", "$request_method", false),
        ("CONTENT_TYPE", "$content_type", false), ("CONTENT_LENGTH", "$content_length", false),
        ("SCRIPT_FILENAME", "", false), ("SCRIPT_NAME", "$fastcgi_script_name", false),
        ("PATH_INFO", "$fastcgi_path_info", false), ("REQUEST_URI", "$request_uri", false),
        ("DOCUMENT_URI", "$document_uri", false), ("DOCUMENT_ROOT", "$document_root", false),
        ("SERVER_PROTOCOL", "$server_protocol", false), ("REQUEST_SCHEME", "$scheme", false), ("HTTPS", "$https", true),
        ("GATEWAY_INTERFACE", "CGI/1.1", false), ("SERVER_SOFTWARE", "webserv", false),
        ("REMOTE_ADDR", "$remote_addr", false), ("REMOTE_PORT", "$remote_port", false),
        ("SERVER_ADDR", "$server_addr", false), ("SERVER_PORT", "$server_port", false),
        ("SERVER_NAME", "$server_name", false), ("REDIRECT_STATUS", "200", false),
    ].map { FastCGIParam(name: $0.0, value: $0.1, ifNotEmpty: $0.2) }

    /// `variables`: the request's (the connection's facts, its context), by which every value is evaluated.
    static func make(head: RequestHead, route: Router.Route, address: FastCGIAddress, variables: RequestVariables) -> FastCGIRequest {
        let settings = route.settings.fastcgi
        let script = route.fastcgiScript(for: head.path)
        var variables = variables
        variables.fastcgiScript = script
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
        for param in defaultParams {
            let value = param.name == "SCRIPT_FILENAME" ? route.filesystemPath(for: script.scriptName) : variables.evaluate(param.value)
            set(param.name, value, ifNotEmpty: param.ifNotEmpty)
        }
        for param in settings.params {
            set(param.name, variables.evaluate(param.value), ifNotEmpty: param.ifNotEmpty)
            configured.insert(param.name)
        }
        if settings.passRequestHeaders {
            for (name, value) in CGIRequest.httpVariables(head) where !configured.contains(name) { set(name, value, ifNotEmpty: false) }
        }
        return FastCGIRequest(address: address, records: records(params, settings), params: params, settings: settings,
                              errorLog: route.settings.errorLog, client: variables.peerHost,
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
