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

    init(server: VirtualServer, route: Router.Route, redirects: Int, errorPage: ErrorPages.Redirect?) {
        self.server = server
        self.route = route
        self.redirects = redirects
        self.errorPage = errorPage
    }
}
