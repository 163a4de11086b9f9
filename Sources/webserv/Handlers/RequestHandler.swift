import ConfLang

/// Decides the answer to one request, in nginx's order: server, server-level
/// `return`, location, body size (413), method (501/405), location `return`,
/// then the handler; error statuses go through `error_page`.
struct RequestHandler {
    let router: Router

    static let knownMethods: Set<String> = Set(Values.knownMethods)

    func respond(to head: RequestHead, on address: Values.ListenAddress) -> Response {
        guard let server = router.server(for: address, host: head.host) else { return Response(status: 500) }
        if let action = server.base.returnAction {
            return withErrorPage(answer(action, head: head), head: head, server: server, settings: server.base)
        }
        let route = router.route(head.path, in: server)
        return withErrorPage(decide(head, route: route), head: head, server: server, settings: route.settings)
    }

    private func decide(_ head: RequestHead, route: Router.Route) -> Response {
        let settings = route.settings
        if let length = head.contentLength, settings.clientMaxBodySize > 0, length > settings.clientMaxBodySize {
            var response = Response(status: 413)
            response.closeConnection = true
            return response
        }
        guard RequestHandler.knownMethods.contains(head.method) else {
            // RFC 9110 §15.6.2: a method the server does not implement is 501.
            return Response(status: 501)
        }
        guard settings.allowedMethods.contains(head.method) else { return notAllowed(settings) }
        if let action = settings.returnAction { return answer(action, head: head) }
        switch head.method {
        case "GET", "HEAD":
            if settings.proxyPass != nil || settings.cgiPath != nil {
                // Dynamic content (CGI, proxy) is not served yet: say so rather than leak sources.
                return Response(status: 501)
            }
            return StaticFileHandler(head: head, route: route).respond()
        default:
            // Allowed here, but nothing in this location handles it (contract §3).
            if settings.uploadStore != nil || settings.cgiPath != nil || settings.proxyPass != nil { return Response(status: 501) }
            return notAllowed(settings)
        }
    }

    private func notAllowed(_ settings: LocationConfig) -> Response {
        let order = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
        let allow = order.filter(settings.allowedMethods.contains).joined(separator: ", ")
        return Response(status: 405, headers: [("Allow", allow)])
    }

    /// `return CODE [URL|TEXT]`: redirects carry Location, other codes the text as body.
    private func answer(_ action: ReturnAction, head: RequestHead) -> Response {
        var response = Response(status: action.code)
        if (300...399).contains(action.code), let url = action.text {
            response.headers.append(("Location", url))
            response.headers.append(("Content-Type", "text/html"))
            response.body = .bytes(StatusCode.defaultPage(action.code))
        } else if let text = action.text {
            response.headers.append(("Content-Type", "text/plain"))
            response.body = .bytes(Array(text.utf8))
        }
        return response
    }

    /// An error status with an `error_page`: an internal redirect to that page
    /// (one level: a failing error page falls back to the built-in one), or a
    /// 302 to a full URL. Without one: nginx's built-in page.
    private func withErrorPage(_ response: Response, head: RequestHead, server: ServerConfig, settings: LocationConfig) -> Response {
        guard response.status >= 400, response.bodyLength == 0 else { return response }
        var result = response
        if let page = settings.errorPages[response.status] {
            if Values.isHTTPURL(page.target) {
                response.discard()
                return Response(status: 302, headers: [("Location", page.target), ("Content-Type", "text/html")],
                                body: .bytes(StatusCode.defaultPage(302)))
            }
            var redirected = head
            redirected.method = "GET"
            let path = page.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? page.target
            redirected.path = PathNormalizer.normalize(path) ?? "/"
            redirected.headers = HTTPHeaders()
            let route = router.route(redirected.path, in: server)
            let pageResponse = StaticFileHandler(head: redirected, route: route).respond()
            if pageResponse.status == 200 {
                result.body = pageResponse.body
                result.headers = response.headers + pageResponse.headers.filter { $0.name == "Content-Type" }
                switch page.response {
                case .original: break
                case .code(let code): result.status = code
                case .target: result.status = pageResponse.status
                }
                return result
            }
            pageResponse.discard()
        }
        result.headers.append(("Content-Type", "text/html"))
        result.body = .bytes(StatusCode.defaultPage(response.status))
        return result
    }
}
