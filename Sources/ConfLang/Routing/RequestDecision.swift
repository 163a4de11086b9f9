/// What answers a request, decided from the configuration alone, in nginx's
/// order. This is the one statement of that order: webserv's `RequestHandler`
/// acts on it and `confcheck --explain` reports it.
///
/// 1. the server's own `return` (nginx's server rewrite phase, before any location);
/// 2. 413 when the Content-Length is above the location's `client_max_body_size`;
/// 3. 301 to the slash form for a proxy or CGI location's prefix without its `/`;
/// 4. 501 for a method webserv does not implement;
/// 5. 405 with `Allow` for a method the location does not allow;
/// 6. the location's `return`;
/// 6a. (nginx's access phase: `allow`/`deny`, `auth_basic`, `satisfy`, where
///    `passesAccessPhase` says, checked by the caller with the client's address)
/// 6b. `try_files` (nginx's try-files phase): the first file that exists
///    becomes the request's path and the decision goes on from 7 with it
///    (`afterTryFiles`); none: its fallback (an internal redirect or a status);
/// 7. CGI (`cgi_path`), then proxy (`proxy_pass`), then FastCGI (`fastcgi_pass`);
/// 8. GET and HEAD: a static file; PUT, POST and DELETE: the `upload_store`;
///    anything else, or those without a store: 405 (contract §3).
public enum RequestDecision: Equatable {
    case serverReturn(ReturnAction)
    case contentTooLarge(limit: Int)
    case redirectToSlash
    case notImplemented
    case methodNotAllowed
    case locationReturn(ReturnAction)
    case tryFiles(TryFiles)
    case cgi(interpreter: String)
    case proxy(Values.ProxyURL)
    case fastcgi(FastCGIAddress)
    case staticFile
    case upload(store: String)
    /// Allowed by the location, but nothing there handles it: 405 as well.
    case unhandledMethod

    /// `route` is the one `Router.settings(on:host:path:)` (or `Router.route`) gave.
    /// `afterTryFiles`: the location's `try_files` found its file, whose path the request now has.
    public static func decide(method: String, contentLength: Int?, server: VirtualServer,
                              route: Router.Route, afterTryFiles: Bool = false) -> RequestDecision {
        if let action = server.base.settings.returnAction { return .serverReturn(action) }
        // Read through the location (a class): binding its settings would copy them.
        let location = route.location
        if let length = contentLength, location.settings.clientMaxBodySize > 0, length > location.settings.clientMaxBodySize {
            return .contentTooLarge(limit: location.settings.clientMaxBodySize)
        }
        if route.redirectsToSlash { return .redirectToSlash }
        // RFC 9110 §15.6.2: a method the server does not implement is 501.
        // Seven short names: comparing them is cheaper than hashing one.
        guard Values.knownMethods.contains(method) else { return .notImplemented }
        guard location.allows(method) else { return .methodNotAllowed }
        if let action = location.settings.returnAction { return .locationReturn(action) }
        if !afterTryFiles, let tryFiles = location.settings.tryFiles { return .tryFiles(tryFiles) }
        if let interpreter = location.settings.cgiPath { return .cgi(interpreter: interpreter) }
        if let upstream = location.settings.proxyPass { return .proxy(upstream) }
        if let application = location.settings.fastcgi.pass { return .fastcgi(application) }
        switch method {
        case "GET", "HEAD": return .staticFile
        case "PUT", "POST", "DELETE":
            guard let store = location.settings.uploadStore else { return .unhandledMethod }
            return .upload(store: store)
        default: return .unhandledMethod
        }
    }

    /// Whether `allow`/`deny` and `auth_basic` are checked before this
    /// decision is carried out: nginx's access phase comes after its rewrite
    /// phase (`return`) and before the content handlers; webserv's own 405
    /// for `allow_methods` (nginx's `limit_except` denies in that phase too) comes before.
    public var passesAccessPhase: Bool {
        switch self {
        case .tryFiles, .cgi, .proxy, .fastcgi, .staticFile, .upload, .unhandledMethod: return true
        case .serverReturn, .contentTooLarge, .redirectToSlash, .notImplemented, .methodNotAllowed, .locationReturn: return false
        }
    }

    /// The status this decision answers with by itself; nil when a handler
    /// (files, a script, an upstream, the upload store) decides.
    public var status: Int? {
        switch self {
        case .serverReturn(let action), .locationReturn(let action): return action.code
        case .contentTooLarge: return 413
        case .redirectToSlash: return 301
        case .notImplemented: return 501
        case .methodNotAllowed, .unhandledMethod: return 405
        case .cgi, .proxy, .fastcgi, .staticFile, .upload, .tryFiles: return nil
        }
    }

    /// The `Allow` field of a 405: the location's methods, in the contract's order.
    public static func allowHeader(for settings: LocationConfig) -> String {
        Values.knownMethods.filter(settings.allowedMethods.contains).joined(separator: ", ")
    }
}
