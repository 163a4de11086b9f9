import ConfLang

/// The one exit of every request: answers, and failures from any state
/// (408, 413, 502, 504...), leave through `deliver`, which applies
/// `error_page` by sending the page's request through the whole decision
/// again (a file, a script, a proxy, a return), as nginx's internal redirect.
extension ConnectionDriver {
    func deliver(_ response: consuming Response, head: RequestHead?, on connection: Connection, keepAlive: Bool) {
        // nginx's 444 (`return 444;`, even from an error page): no answer at all.
        if response.status == 444 { return closeWithoutAnswer(connection, head: head) }
        guard let head, let context = connection.request.context else {
            // Refused before it was routed (a malformed head): the built-in page.
            ErrorPages.addBuiltIn(to: &response)
            return respond(connection, with: response, head: head, keepAlive: keepAlive)
        }
        var keepAlive = keepAlive
        if let redirect = context.errorPage {
            // The page answers for an error; a page that fails gives way to the built-in one.
            response = redirect.accepts(response) ? ErrorPages.answer(response, for: redirect) : redirect.original
            keepAlive = keepAlive && !redirect.closeAfter
        } else if response.status >= 400, response.bodyLength == 0, !response.streamed,
                  let page = context.route.settings.errorPages[response.status] {
            if Values.isHTTPURL(page.target) {
                response = ErrorPages.externalRedirect(to: page.target)
            } else {
                abortBody(connection)
                let error = ErrorPages.Redirect(original: response, mode: page.response, closeAfter: !keepAlive)
                return redirect(ErrorPages.request(for: page.target, replacing: head), on: connection, errorPage: error)
            }
        }
        ErrorPages.addBuiltIn(to: &response)
        respond(connection, with: response, head: head, keepAlive: keepAlive, location: context.route.location)
    }

    /// Logs the request as 444 with nothing sent, and closes the connection.
    private func closeWithoutAnswer(_ connection: Connection, head: RequestHead?) {
        let location = connection.request.context?.route.location ?? handler.settings(for: head, on: connection.listener)?.1.location
        if let location, let path = location.settings.accessLog {
            var record = AccessLogRecord(path: path, remoteAddress: connection.peerHost, head: head, rejected: nil,
                                         status: 444, bytesSent: 0)
            if let format = location.settings.accessLogFormat {
                record.formatted = .init(format: format, variables: RequestVariables(head: head, connection: connection, location: location))
            }
            logs.access(record, now: loop.now())
        }
        close(connection)
    }

    /// An internal redirect of the connection's request: decided again from the
    /// start on the same server, at most `RequestContext.maxRedirects` times.
    func redirect(_ head: RequestHead, on connection: Connection, errorPage: ErrorPages.Redirect?) {
        guard let context = connection.request.context, context.redirects < RequestContext.maxRedirects else {
            logs.error("error", "rewrite or internal redirection cycle while processing \"\(head.path)\"",
                       to: connection.request.context?.route.settings.errorLog)
            connection.request.context = nil
            var failure = Response(status: 500)
            ErrorPages.addBuiltIn(to: &failure)
            return respond(connection, with: failure, head: head, keepAlive: false)
        }
        start(head, on: connection, after: context, errorPage: errorPage)
    }
}
