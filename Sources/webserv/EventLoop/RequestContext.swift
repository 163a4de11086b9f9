import ConfLang

/// One request as it is decided: the server and route it was given when it
/// started (so a SIGHUP meanwhile changes nothing about it), and the internal
/// redirects (error_page, a CGI script's local `Location`) that led to it.
final class RequestContext {
    let server: VirtualServer
    let route: Router.Route
    /// Internal redirects so far; nginx stops a cycle after 10.
    let redirects: Int
    static let maxRedirects = 10
    /// Set while an error_page answers for an error.
    let errorPage: ErrorPages.Redirect?
    /// The loop's clock when the request's head was complete (an internal redirect keeps it): `$request_time`.
    let started: Int
    /// The values `set` gave, by name, once nginx's rewrite phase has run
    /// (`RequestHandler.rewritePhase`; nil before): taken before try_files
    /// changes the path, and kept across internal redirects, as nginx keeps them.
    var setValues: [String: String]?
    /// nginx's `$request_id`: 32 hex digits, made when first asked for.
    private(set) lazy var requestID: String = {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16), low = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }()

    init(server: VirtualServer, route: Router.Route, redirects: Int, errorPage: ErrorPages.Redirect?, started: Int = 0) {
        self.server = server
        self.route = route
        self.redirects = redirects
        self.errorPage = errorPage
        self.started = started
    }
}
