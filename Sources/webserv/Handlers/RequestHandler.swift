import ConfLang

/// Acts on the answer to one request: ConfLang's `Router` chooses the server
/// and location, and `RequestDecision.decide` (ConfLang/Routing, shared with
/// `confcheck --explain`) decides in nginx's order what answers; this turns
/// that into a response or a handler. Error statuses get their `error_page`
/// at the event loop's one exit (ConnectionDriver+Exit). A class: the loop asks it
/// about every request, and a struct holding the router would be copied each time.
final class RequestHandler {
    let router: Router
    /// Shared by every request of the event loop (and across reloads: each use is checked by stat).
    let files: OpenFileCache
    /// Small files in memory, kept fresh by inotify (SmallFileCache); shared likewise.
    let smallFiles: SmallFileCache

    /// `auth_basic_user_file`s, read again when they change.
    let userFiles = UserFiles()
    /// Where the access phase's error lines go (the event loop's logs).
    var logs: Logs?

    /// Some location runs FastCGI: only then may a directory's index file be a
    /// script (`scriptIndex`); every other configuration pays one check.
    private let runsFastCGI: Bool

    init(router: Router, files: OpenFileCache = OpenFileCache(), smallFiles: SmallFileCache = SmallFileCache()) {
        self.router = router
        self.files = files
        self.smallFiles = smallFiles
        runsFastCGI = router.servers.contains { server in server.everyLocation.contains { $0.settings.fastcgi.pass != nil } }
    }

    /// What to do with a request: answer now, or first receive its body.
    enum Action {
        case respond(Response)
        case receive(BodyConsumer, maxBodySize: Int)
        /// Run a CGI script; its body limit is the location's.
        case cgi(CGIRequest, maxBodySize: Int)
        /// Forward to the upstream of proxy_pass.
        case proxy(ProxyRequest, maxBodySize: Int)
        /// Send to the FastCGI application of fastcgi_pass.
        case fastcgi(FastCGIRequest, maxBodySize: Int)
        /// An internal redirect (try_files' fallback, an index file a FastCGI location runs): the request decided again from the start.
        case redirect(RequestHead)
    }

    /// The server and location settings that answer a request.
    func settings(for head: RequestHead?, on listener: Listener) -> (VirtualServer, Router.Route)? {
        router.settings(in: listener.servers, host: head?.host, path: head?.path)
    }

    /// `routing`: what `settings(for:on:)` chose for it; `connection` gives a
    /// CGI script's environment its addresses (read only then: copying them
    /// out for every request cost reference counting).
    /// `afterTryFiles`: the location's try_files found the file `head` now names.
    func action(for head: RequestHead, routing: (VirtualServer, Router.Route), from connection: Connection,
                afterTryFiles: Bool = false) -> Action {
        let (server, route) = routing
        // Read through the location (a class): binding its settings would copy them per request.
        let location = route.location
        // nginx's rewrite phase, before anything is decided: once, not again for the file try_files found.
        if !afterTryFiles, !location.settings.setVariables.isEmpty { rewritePhase(head, location: location, from: connection) }
        let decision = RequestDecision.decide(method: head.method, contentLength: head.contentLength, server: server, route: route,
                                              afterTryFiles: afterTryFiles)
        // nginx's access phase runs before its try-files phase: once, not again for the file try_files found.
        if decision.passesAccessPhase, !afterTryFiles, let refusal = checkAccess(head, location: location, from: connection) {
            return .respond(refusal)
        }
        switch decision {
        case .tryFiles(let tryFiles):
            let variables = RequestVariables(head: head, connection: connection, location: location)
            let names = tryFiles.candidates.map { (name: variables.evaluate($0.name), directory: $0.directory) }
            var observer = IgnoringFileLookupObserver()
            if let found = route.lookUpTryFiles(names, in: StaticFileSystem(smallFiles: smallFiles), observer: &observer) {
                let rewritten = found == head.path ? head : head.rewritten(path: found, query: head.query)
                return action(for: rewritten, routing: routing, from: connection, afterTryFiles: true)
            }
            switch tryFiles.fallback {
            case .status(let code): return .respond(Response(status: code))
            case .uri(let template):
                let parts = variables.evaluate(template).split(separator: "?", maxSplits: 1).map(String.init)
                guard let path = PathNormalizer.normalize(parts.first ?? "/") else { return .respond(Response(status: 400)) }
                return .redirect(head.rewritten(path: path, query: parts.count > 1 ? parts[1] : nil))
            }
        case .serverReturn(let action):
            return .respond(answer(action) { RequestVariables(head: head, connection: connection, location: server.base) })
        case .locationReturn(let action):
            return .respond(answer(action) { RequestVariables(head: head, connection: connection, location: location) })
        case .contentTooLarge:
            var response = Response(status: 413)
            response.closeConnection = true
            return .respond(response)
        case .redirectToSlash:
            return .respond(StaticFileHandler.redirectToSlash(head))
        case .notImplemented:
            return .respond(Response(status: 501))
        case .methodNotAllowed, .unhandledMethod:
            return .respond(Response(status: 405, headers: [("Allow", RequestDecision.allowHeader(for: location.settings))]))
        case .cgi(let interpreter):
            switch CGIRequest.make(head: head, route: route, interpreter: interpreter, server: server.config,
                                   address: connection.listenAddress, peer: (connection.peerHost, connection.peerPort),
                                   secure: connection.transport.isSecure) {
            case .success(let request): return .cgi(request, maxBodySize: location.settings.clientMaxBodySize)
            case .failure(.status(let status)): return .respond(Response(status: status))
            }
        case .proxy(let upstream):
            return .proxy(ProxyRequest.make(head: head, route: route, upstream: upstream, clientAddress: connection.peerHost,
                                            secure: connection.transport.isSecure,
                                            variables: { RequestVariables(head: head, connection: connection, location: location) }),
                          maxBodySize: location.settings.clientMaxBodySize)
        case .fastcgi(let address):
            return .fastcgi(FastCGIRequest.make(head: head, route: route, address: address,
                                                variables: RequestVariables(head: head, connection: connection, location: location)),
                            maxBodySize: location.settings.clientMaxBodySize)
        case .staticFile:
            if runsFastCGI, head.path.hasSuffix("/"), let index = scriptIndex(head, route: route, server: server) {
                return .redirect(ErrorPages.request(for: head.path + index + (head.query.map { "?" + $0 } ?? ""), replacing: head,
                                                    keepingFields: true))
            }
            return .respond(StaticFileHandler(head: head, route: route, files: files, smallFiles: smallFiles).respond())
        case .upload(let store):
            return upload(head, route: route, store: store)
        }
    }

    /// nginx's rewrite phase: the server's `set`s, then the location's, each
    /// taking its value in turn (a later one reads an earlier one's), before
    /// try_files changes the path: Debian's fastcgi-php.conf keeps PATH_INFO
    /// so. The values are the request's (`RequestContext.setValues`).
    private func rewritePhase(_ head: RequestHead, location: ResolvedLocation, from connection: Connection) {
        guard let context = connection.request.context else { return }
        if context.setValues == nil { context.setValues = [:] }
        // Made with the context, whose values each evaluation reads as they are set.
        let variables = RequestVariables(head: head, connection: connection, location: location)
        for set in location.settings.setVariables {
            let value = variables.evaluate(set.value)   // reads the values set so far: not inside the write below
            context.setValues?[set.name] = value
        }
    }

    /// nginx's access phase (`AccessPhase`): the refusal, or nil to go on. Most
    /// locations have neither rules nor a password: nothing is read then.
    /// Takes the location, not its settings: a `LocationConfig` passed by value
    /// is copied, every reference in it retained and released, per request.
    private func checkAccess(_ head: RequestHead, location: ResolvedLocation, from connection: Connection) -> Response? {
        // Fields read in place, not BasicAuth.isOn: a call into ConfLang copies the value (two strings retained, released).
        if location.settings.accessRules.rules.isEmpty, case .none = location.settings.basicAuth.realm { return nil }
        let settings = location.settings
        let errorLog = settings.errorLog
        return AccessPhase.check(settings, client: connection.peerHost, authorization: head.headers["Authorization"],
                                 userFiles: userFiles) { [logs] level, message in
            logs?.error(level, "\(message), request: \"\(head.method) \(head.target) \(head.version.rawValue)\"", to: errorLog)
        }
    }

    /// The index file a directory request is answered by when a FastCGI location
    /// runs it: as nginx's index module, the first index name that exists is
    /// an internal redirect, so `index index.php` runs the script (served as a
    /// file, its source would go out). Looked at only when an index name routes
    /// to FastCGI, so static directories cost no more.
    private func scriptIndex(_ head: RequestHead, route: Router.Route, server: VirtualServer) -> String? {
        let names = route.settings.index
        guard names.contains(where: { router.route(head.path + $0, in: server).settings.fastcgi.pass != nil }) else { return nil }
        for name in names where !name.hasPrefix("/") {
            guard case .regular = StaticFileSystem(smallFiles: smallFiles).status(of: route.filesystemPath(for: head.path + name)) else { continue }
            return router.route(head.path + name, in: server).settings.fastcgi.pass != nil ? name : nil
        }
        return nil
    }

    /// PUT names the file, POST creates new ones (raw or multipart), DELETE removes.
    private func upload(_ head: RequestHead, route: Router.Route, store: String) -> Action {
        let relative = String(head.path.dropFirst(min(route.matchedPrefix.count, head.path.count)))
        if head.method == "DELETE" { return .respond(DeleteHandler.delete(relativePath: relative, store: store)) }
        guard head.contentLength != nil || head.isChunked else { return .respond(Response(status: 411)) }
        let prefix = String(head.path.prefix(route.matchedPrefix.count))
        let prefersJSON = head.headers["Accept"]?.contains("application/json") ?? false
        let mode: UploadConsumer.Mode
        var seeOther: String?
        if head.method == "PUT" {
            let name = relative.drop { $0 == "/" }
            guard !name.isEmpty, !name.hasSuffix("/"), !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else {
                return .respond(Response(status: 403))
            }
            mode = .put(path: store + "/" + name, url: PercentEncoding.path(head.path))
        } else if let contentType = head.headers["Content-Type"], contentType.lowercased().hasPrefix("multipart/") {
            guard let parser = MultipartParser(contentType: contentType) else { return .respond(Response(status: 400)) }
            mode = .multipart(parser)
            seeOther = RequestHandler.browserFormRedirect(head)
        } else {
            mode = .raw
        }
        do {
            let consumer = try UploadConsumer(mode: mode, store: store, urlPrefix: prefix, prefersJSON: prefersJSON,
                                              seeOther: seeOther)
            return .receive(consumer, maxBodySize: route.settings.clientMaxBodySize)
        } catch UploadFile.Failure.status(let status) {
            return .respond(Response(status: status))
        } catch {
            return .respond(Response(status: 500))
        }
    }

    /// A browser's form upload (it accepts text/html, not JSON) is answered
    /// 303 to the page it came from when that page is on this host (its
    /// Referer), else to the location that took the upload: Post/Redirect/Get.
    /// API clients get the 201 and the summary.
    static func browserFormRedirect(_ head: RequestHead) -> String? {
        guard let accept = head.headers["Accept"]?.lowercased(), accept.contains("text/html"),
              !accept.contains("application/json") else { return nil }
        if let referer = head.headers["Referer"], let host = head.host,
           let start = RequestParser.authorityStart(referer) {
            let rest = referer[start...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if authority.lowercased() == host.lowercased() {
                let path = rest.dropFirst(authority.count).prefix { $0 != "#" }
                return path.first == "/" ? String(path) : "/" + path
            }
        }
        return PercentEncoding.path(head.path)
    }

    /// `return CODE [URL|TEXT]`: redirects carry Location, other codes the text as body;
    /// either with its variables' values (`variables` is asked only when it has some).
    private func answer(_ action: ReturnAction, variables: () -> RequestVariables) -> Response {
        var response = Response(status: action.code)
        var text = action.text
        if let template = action.template, !template.isLiteral { text = variables().evaluate(template) }
        if (300...399).contains(action.code), let url = text {
            response.headers.append(("Location", VariableTemplate.fieldValue(url)))
            response.headers.append(("Content-Type", "text/html"))
            response.body = .bytes(StatusCode.defaultPage(action.code))
        } else if let text {
            response.headers.append(("Content-Type", "text/plain"))
            response.body = .bytes(Array(text.utf8))
        }
        return response
    }
}
