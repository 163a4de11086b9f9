import Glibc
import ConfLang

/// The values of nginx's variables for one request, read from it only when
/// a compiled value (`VariableTemplate`) asks: made when a `return`, an
/// `add_header`, a `log_format`, a `proxy_set_header` or the parameters of
/// a FastCGI request hold variables, never for other answers.
/// It keeps copies of the connection's facts, not the connection (a log
/// record holding it would hold the connection from its own request).
struct RequestVariables {
    let head: RequestHead?
    let peerHost: String
    let peerPort: Int
    let connectionID: UInt64
    let listenAddress: Values.ListenAddress
    /// The request came over TLS (`$scheme`, `$https`).
    let secure: Bool
    /// The client socket, read for `$server_addr` behind a wildcard address only (-1: none).
    let socket: Int32
    /// The request's context (server, route, start); nil for a request refused before routing.
    let context: RequestContext?
    /// The answering location's settings are read through it.
    let location: ResolvedLocation?
    /// `$fastcgi_script_name` and `$fastcgi_path_info` when the FastCGI request
    /// has worked them out already; otherwise from the route when asked for.
    var fastcgiScript: (scriptName: String, pathInfo: String)?
    /// The answer's status and body bytes, for `$status` and `$body_bytes_sent` (a log line's).
    var status = 0
    var bodyBytesSent = 0
    /// The loop's clock now, for `$request_time`.
    var nowMilliseconds = 0

    init(head: RequestHead?, connection: Connection, location: ResolvedLocation?) {
        self.init(head: head, peer: (connection.peerHost, connection.peerPort), connectionID: connection.identity,
                  listenAddress: connection.listenAddress, secure: connection.transport.isSecure,
                  socket: connection.transport.stream?.socket ?? connection.fd,
                  context: connection.request.context, location: location)
    }

    /// From its parts, without a connection (a request built in a test; what a connection gives, given).
    init(head: RequestHead?, peer: (host: String, port: Int), connectionID: UInt64, listenAddress: Values.ListenAddress,
         secure: Bool, socket: Int32, context: RequestContext?, location: ResolvedLocation?) {
        self.head = head
        peerHost = peer.host
        peerPort = peer.port
        self.connectionID = connectionID
        self.listenAddress = listenAddress
        self.secure = secure
        self.socket = socket
        self.context = context
        self.location = location ?? context?.route.location
    }

    /// `template`'s value for this request.
    func evaluate(_ template: VariableTemplate) -> String {
        evaluate(template, depth: 0)
    }

    /// A value for a response field: never a CR or LF (`VariableTemplate.fieldValue`).
    func fieldValue(_ template: VariableTemplate) -> String {
        template.isLiteral ? template.source : VariableTemplate.fieldValue(evaluate(template))
    }

    /// A `map` or `set` value may name others; nginx stops a cycle, so does this (empty).
    private static let maxDepth = 16

    private func evaluate(_ template: VariableTemplate, depth: Int) -> String {
        template.evaluate { value($0, depth: depth) }
    }

    func value(_ variable: Variable) -> String { value(variable, depth: 0) }

    private func value(_ variable: Variable, depth: Int) -> String {
        switch variable {
        case .host: return host
        case .uri: return head?.path ?? ""
        case .requestURI: return head?.target ?? ""
        case .args: return head?.query ?? ""
        case .isArgs: return head?.query == nil ? "" : "?"
        case .scheme: return secure ? "https" : "http"
        case .https: return secure ? "on" : ""   // nginx's: "on" over TLS
        case .request: return head.map { "\($0.clientMethod) \($0.target) \($0.version.rawValue)" } ?? ""
        // nginx's r->method_name: an error page's internal redirect is a GET (what a FastCGI page must be told).
        case .requestMethod: return head?.method ?? ""
        case .remoteAddr: return peerHost
        case .remotePort: return String(peerPort)
        case .remoteUser: return ""
        case .serverName: return context?.server.config.names.first ?? ""
        case .serverPort: return String(listenAddress.port)
        case .serverAddr:
            let host = listenAddress.host
            if host != "*" && !host.hasPrefix("0.") && host != "[::]" { return host }
            return (try? Socket.localAddress(socket))?.host ?? ""
        case .serverProtocol: return head?.version.rawValue ?? ""
        case .header(let name): return head?.headers.values(name).joined(separator: name == "cookie" ? "; " : ", ") ?? ""
        case .cookie(let name): return cookie(name)
        case .argument(let name): return argument(name)
        case .contentType: return head?.headers["Content-Type"] ?? ""
        // The body's length as parsed: none after an internal redirect, which drops the body.
        case .contentLength: return head?.contentLength.map(String.init) ?? ""
        case .documentRoot: return documentRoot
        case .realpathRoot: return RealPath.resolve(documentRoot) ?? ""
        case .requestFilename:
            guard let route = context?.route, let path = head?.path else { return "" }
            return route.filesystemPath(for: path)
        case .status: return String(status)
        case .bodyBytesSent: return String(bodyBytesSent)
        case .requestTime:
            let elapsed = max(0, nowMilliseconds - (context?.started ?? nowMilliseconds))
            let milliseconds = String(elapsed % 1000)
            return "\(elapsed / 1000)." + String(repeating: "0", count: 3 - milliseconds.count) + milliseconds
        case .timeLocal: return Logs.localTime(Clock.wallSeconds())
        case .timeISO8601: return Logs.iso8601(Clock.wallSeconds())
        case .msec:
            let now = Clock.wallMilliseconds(), milliseconds = String(now % 1000)
            return "\(now / 1000)." + String(repeating: "0", count: 3 - milliseconds.count) + milliseconds
        case .connection: return String(connectionID)
        case .requestID: return context?.requestID ?? ""
        case .hostname: return RequestVariables.hostname
        case .proxyHost: return location?.settings.proxyPass.map(ProxyRequest.hostField) ?? ""
        case .proxyAddXForwardedFor:
            let forwarded = head?.headers.values("X-Forwarded-For").joined(separator: ", ") ?? ""
            return forwarded.isEmpty ? peerHost : forwarded + ", " + peerHost
        case .fastcgiScriptName: return script.scriptName
        case .fastcgiPathInfo: return script.pathInfo
        case .nginxVersion: return ConfLangVersion.current
        case .defined(let name): return defined(name, depth: depth)
        }
    }

    /// nginx's `$host`: the request line's or Host's name, lower case, without
    /// its port or a trailing dot (ngx_http_validate_host), as server_name
    /// matching reads it (`Router.normalizedHost`); else the server's first name.
    private var host: String {
        guard let host = head?.host, !host.isEmpty else { return context?.server.config.names.first ?? "" }
        return Router.normalizedHost(host)
    }

    private var script: (scriptName: String, pathInfo: String) {
        if let fastcgiScript { return fastcgiScript }
        guard let route = context?.route, let path = head?.path else { return (head?.path ?? "", "") }
        return route.fastcgiScript(for: path)
    }

    private var documentRoot: String {
        guard let settings = location?.settings else { return "" }
        return settings.alias ?? settings.root
    }

    private func cookie(_ name: String) -> String {
        for field in head?.headers.values("Cookie") ?? [] {
            for pair in field.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " || $0 == "\t" }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals].lowercased() == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return ""
    }

    private func argument(_ name: String) -> String {
        for pair in (head?.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0].lowercased() == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return ""
    }

    /// A `set`'s value first, then a `map`'s. The values `set` took in the
    /// rewrite phase (`RequestHandler.rewritePhase`) are the request's; without
    /// that phase (a request built in a test), the location's `set` is evaluated now.
    private func defined(_ name: String, depth: Int) -> String {
        guard depth < RequestVariables.maxDepth, let settings = location?.settings else { return "" }
        if let values = context?.setValues {
            if let value = values[name] { return value }
        } else if let set = settings.setVariables.last(where: { $0.name == name }) {
            return evaluate(set.value, depth: depth + 1)
        }
        guard let map = settings.variableMaps.byName[name] else { return "" }
        let key = evaluate(map.source, depth: depth + 1)
        return evaluate(map.value(for: key), depth: depth + 1)
    }

    static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
