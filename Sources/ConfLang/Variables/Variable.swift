/// An nginx variable webserv knows: the built-in ones configurations use,
/// the prefixed families (`$http_NAME`, `$cookie_NAME`, `$arg_NAME`) and
/// the ones a configuration defines itself (`map`, `set`). Values come from
/// the request when they are asked for (webserv's `RequestVariables`).
public enum Variable: Hashable {
    case host, uri, requestURI, args, isArgs, scheme, https, request, requestMethod
    case remoteAddr, remotePort, remoteUser, serverName, serverPort, serverAddr, serverProtocol
    case contentType, contentLength, documentRoot, realpathRoot, requestFilename
    case status, bodyBytesSent, requestTime
    case timeLocal, timeISO8601, msec, connection, requestID, hostname
    /// The proxy module's: proxy_pass's HOST[:PORT], and the request's
    /// `X-Forwarded-For` with the client's address added.
    case proxyHost, proxyAddXForwardedFor
    /// The FastCGI module's: the script's name and PATH_INFO (`Router.Route.fastcgiScript`).
    case fastcgiScriptName, fastcgiPathInfo
    /// nginx's own version; webserv's here (`SERVER_SOFTWARE nginx/$nginx_version` in fastcgi.conf).
    case nginxVersion
    /// `$http_user_agent`: the request field `User-Agent` (the name with `-` for `_`, any case).
    case header(String)
    /// `$cookie_NAME`: the cookie NAME of the request's `Cookie` fields.
    case cookie(String)
    /// `$arg_NAME`: the query argument NAME, as sent (not decoded).
    case argument(String)
    /// Defined by the configuration: a `map`'s result or a `set`'s value.
    case defined(String)

    /// The built-in names, without `$`, as nginx spells them.
    public static let builtIn: [String: Variable] = [
        "host": .host, "uri": .uri, "document_uri": .uri, "request_uri": .requestURI,
        "args": .args, "query_string": .args, "is_args": .isArgs, "scheme": .scheme, "https": .https,
        "request": .request, "request_method": .requestMethod, "remote_addr": .remoteAddr, "remote_port": .remotePort,
        "remote_user": .remoteUser, "server_name": .serverName, "server_port": .serverPort, "server_addr": .serverAddr,
        "server_protocol": .serverProtocol, "content_type": .contentType, "content_length": .contentLength,
        "document_root": .documentRoot, "realpath_root": .realpathRoot, "request_filename": .requestFilename,
        "status": .status, "body_bytes_sent": .bodyBytesSent, "request_time": .requestTime,
        "time_local": .timeLocal, "time_iso8601": .timeISO8601, "msec": .msec,
        "connection": .connection, "request_id": .requestID,
        "hostname": .hostname,
        "proxy_host": .proxyHost, "proxy_add_x_forwarded_for": .proxyAddXForwardedFor,
        "fastcgi_script_name": .fastcgiScriptName, "fastcgi_path_info": .fastcgiPathInfo, "nginx_version": .nginxVersion,
    ]

    /// The prefixed families, each with what the rest of the name means.
    public static let prefixes: [(prefix: String, make: (String) -> Variable)] = [
        ("http_", { .header($0.replacingOccurrences(of: "_", with: "-")) }),
        ("cookie_", { .cookie($0) }),
        ("arg_", { .argument($0) }),
    ]

    /// The built-in or prefixed variable `name` (without `$`; any case, as in nginx).
    public static func named(_ name: String) -> Variable? {
        let name = name.lowercased()
        if let variable = builtIn[name] { return variable }
        for family in prefixes where name.hasPrefix(family.prefix) && name.count > family.prefix.count {
            return family.make(String(name.dropFirst(family.prefix.count)))
        }
        return nil
    }

    /// Every name completion and the reference list: the built-in ones, then the families.
    public static var documentedNames: [String] {
        builtIn.keys.sorted() + prefixes.map { $0.prefix + "NAME" }
    }
}

extension String {
    /// `_` → `-` in a field name taken from a variable's; Foundation-free.
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
