import Glibc

/// `confcheck --explain`: what webserv would do with a request, and why,
/// decided offline by webserv's own code. The server and location come from
/// `Router` (watched through a `RouteTrace`), the answer from
/// `RequestDecision.decide`, the path from `PathNormalizer`, the file, script
/// and upstream from `Router.Route`'s targets; only the file system is looked
/// at (stat, never read), as the user running confcheck sees it.
public enum Explainer {
    /// The model to explain with: `path` and `bytes` loaded, checked and built
    /// with every setting's origin, as webserv would load it (a configuration
    /// with errors, even ignored ones, is refused the same way).
    /// `certificateInspector`: the certificate files are checked too, as webserv checks them.
    public static func model(path: String, bytes: [UInt8],
                             certificateInspector: (any CertificateInspector)? = nil) -> Result<(WebservConfig, [Diagnostic]), ModelBuilder.BuildFailure> {
        ModelBuilder.build(path: path, bytes: bytes, recordingOrigins: true, certificateInspector: certificateInspector)
    }

    /// `tls`: which addresses listen with `ssl` and what each server presents
    /// (`TLSServerMap` of the same configuration); without it, TLS is not explained.
    /// `certificateInspector`: read the certificate chosen, to say whether it covers the name.
    public static func explain(_ request: ExplainRequest, config: WebservConfig, tls: TLSServerMap? = nil,
                               certificateInspector: (any CertificateInspector)? = nil) -> Result<Explanation, ExplainRequest.Problem> {
        request.parse().map { parsed in
            var explaining = Explaining(request: request, parsed: parsed, router: Router(config: config))
            explaining.tlsMap = tls
            explaining.certificateInspector = certificateInspector
            return explaining.run()
        }
    }
}

/// One explanation being put together.
struct Explaining {
    let request: ExplainRequest
    let parsed: ExplainRequest.Parsed
    let router: Router
    var tlsMap: TLSServerMap?
    var certificateInspector: (any CertificateInspector)?
    var notes: [String] = []

    init(request: ExplainRequest, parsed: ExplainRequest.Parsed, router: Router) {
        self.request = request
        self.parsed = parsed
        self.router = router
    }

    mutating func run() -> Explanation {
        var explanation = explain()
        explanation.notes = notes
        return explanation
    }

    private mutating func explain() -> Explanation {
        let path = PathNormalizer.normalize(parsed.rawPath)
        var explanation = Explanation(
            request: .init(method: request.method, url: request.url, target: parsed.target, path: path, query: parsed.query,
                           host: parsed.host, contentLength: parsed.contentLength),
            address: nil, tls: nil, server: nil, location: nil, settings: [], target: nil,
            answer: .init(status: nil, headers: [], decidedBy: "network", reason: "", errorPage: nil, finalStatus: nil), notes: [])
        if parsed.host == nil {
            notes.append("no Host: an HTTP/1.1 request without one is 400; explained as HTTP/1.0 would be (the default server)")
        }
        guard let address = chooseAddress() else {
            let port = parsed.connectPort ?? 80
            explanation.answer.reason = "no server listens on \(parsed.connectHost ?? "*"):\(port): the connection is refused"
            return explanation
        }
        explanation.address = address
        if let tlsMap {
            let listensWithTLS = tlsMap.tlsAddresses.contains(address.listen)
            if parsed.tls && !listensWithTLS {
                explanation.answer.reason = "\(address.listen) does not listen with 'ssl': the TLS handshake fails (webserv reads the client's hello as a bad request)"
                return explanation
            }
            if !parsed.tls && listensWithTLS {
                explanation.answer = answer(400, by: "configuration",
                                            "\(address.listen) listens with 'ssl': a plain HTTP request gets 400 \"The plain HTTP request was sent to HTTPS port\" and the connection is closed, as in nginx")
                return explanation
            }
            if parsed.tls { explanation.tls = tlsReport(tlsMap, on: address.listen) }
        } else if parsed.tls {
            notes.append("TLS is not explained here: the certificate the handshake presents is not known")
        }
        var trace = RouteTrace()
        guard let choice = router.chooseServer(for: address.listen, host: parsed.host),
              let (server, route) = router.settings(on: address.listen, host: parsed.host, path: path, observer: &trace) else {
            explanation.answer.reason = "no server listens on \(address.listen)"
            return explanation
        }
        explanation.server = serverReport(choice, on: address.listen)
        if let tls = explanation.tls, let chosen = explanation.server?.entries.first, tls.server != chosen.place {
            notes.append("the certificate was chosen by SNI" + (tls.serverName.map { " ('\($0)')" } ?? "")
                         + "; the request's Host chooses the server that answers, another one")
        }
        explanation.settings = Explaining.settings(route: route, server: server.config)
        guard let path else {
            explanation.answer = answer(400, by: "configuration",
                                        "the path has a bad %-escape or a NUL, or climbs above '/' (webserv answers 400 before routing)")
            return explanation
        }
        if server.base.settings.returnAction != nil {
            notes.append("the server's own 'return' answers before any location is chosen (nginx's server rewrite phase)")
        } else {
            explanation.location = Explanation.LocationReport(entries: trace.entries(for: path, in: server),
                                                              scriptPath: route.scriptPath, pathInfo: route.pathInfo)
        }
        let decision = RequestDecision.decide(method: request.method, contentLength: parsed.contentLength, server: server, route: route)
        (explanation.target, explanation.answer) = outcome(of: decision, path: path, route: route, server: server)
        applyAccessPhase(to: &explanation.answer, decision: decision, route: route)
        applyErrorPage(to: &explanation.answer, decision: decision, route: route, server: server)
        addHeaders(to: &explanation.answer, path: path, route: route, server: server)
        return explanation
    }

    /// The location's `add_header` fields on an answer it gives itself (an
    /// error page's answer gets the page's location's, which is not explained here).
    func addHeaders(to answer: inout Explanation.Answer, path: String, route: Router.Route, server: VirtualServer) {
        guard answer.errorPage == nil, let status = answer.status else { return }
        let variables = ExplainVariables(method: request.method, target: parsed.target, path: path, query: parsed.query,
                                         host: parsed.host, headers: request.headers,
                                         serverName: server.config.names.first ?? "", location: route.location)
        for header in route.settings.addedHeaders where header.always || AddedHeader.applies(toStatus: status) {
            let value = header.value.isLiteral ? header.value.source : VariableTemplate.fieldValue(variables.evaluate(header.value))
            if !value.isEmpty { answer.headers.append((header.name, value)) }
        }
    }

    // MARK: TLS

    /// The server SNI picks on `address` (nginx's servername callback: the
    /// same name rules as Host), and the certificate it presents; a server
    /// without one leaves the default server's in place, as in nginx.
    func tlsReport(_ map: TLSServerMap, on address: Values.ListenAddress) -> Explanation.TLS? {
        guard map.servers.count == router.config.servers.count else { return nil }
        let sni = parsed.connectHost.flatMap { Explaining.isNumericHost($0) ? nil : $0 }
        guard let choice = router.chooseServer(for: address, host: sni) else { return nil }
        var index = choice.index
        var reason: String
        switch choice.choice {
        case .exactName: reason = "SNI '\(sni ?? "")' is a server_name of this server"
        case .wildcardName(let name): reason = "SNI '\(sni ?? "")' matches server_name '\(name)'"
        case .defaultServer, .firstServer:
            let which = choice.choice == .defaultServer ? "its default_server's" : "no server there is default_server: the first server's"
            reason = (sni.map { "no server_name on \(address) matches SNI '\($0)'" } ?? "no SNI is sent for an IP address") + "; \(which) certificate"
        }
        if map.servers[index].effective.certificates.isEmpty, let fallback = router.chooseServer(for: address, host: nil) {
            reason += "; that server has no ssl_certificate, so the default server's stays"
            index = fallback.index
        }
        let server = map.servers[index]
        let resolve = { (item: PlacedDirective) -> String in
            let value = item.arguments[0].value
            return value.hasPrefix("/") || value.hasPrefix("data:") ? value : router.config.baseDirectory + "/" + value
        }
        var report = Explanation.TLS(serverName: sni, certificates: server.effective.certificates.map(resolve),
                                     keys: server.effective.keys.map(resolve),
                                     place: server.effective.certificates.first.map { Explanation.Place($0.directive.name.range) },
                                     server: server.block.map { Explanation.Place($0.directive.name.range) }, reason: reason)
        if let certificateInspector, let first = report.certificates.first, !first.hasPrefix("data:"), !first.contains("$"),
           case .success(let chain) = certificateInspector.chain(at: first),
           let leaf = chain.certificates.first(where: { !$0.isCA }) ?? chain.certificates.first {
            report.certificateNames = leaf.names
            report.coversServerName = sni.map { CertificateNames.certificate(names: leaf.names, cover: $0) }
        }
        return report
    }

    // MARK: address and server

    /// The listening address the connection reaches: the one naming the
    /// URL's host on its port, else the wildcard of its family on that port
    /// (nginx binds only the wildcard and picks by the connection's local address).
    mutating func chooseAddress() -> Explanation.Address? {
        let addresses = router.config.listenAddresses
        guard let host = parsed.connectHost, let port = parsed.connectPort else {
            guard let first = addresses.first else { return nil }
            notes.append("the URL has no host: the connection is taken to reach the first listen address, \(first)")
            return .init(listen: first, reason: "the first address listened on (the URL names none)")
        }
        let onPort = addresses.filter { $0.port == port }
        if let exact = onPort.first(where: { $0.host.lowercased() == host }) {
            return .init(listen: exact, reason: "'listen \(exact)' is the address the URL names")
        }
        // The wildcard of the host's family (`[::]` for an IPv6 host), as webserv's socket for it accepts.
        let wildcard = Values.ListenAddress(host: host, port: port).wildcard
        if onPort.contains(wildcard) {
            let specific = onPort.filter { !$0.isWildcard && $0.wildcard == wildcard }
            if !specific.isEmpty && !Explaining.isNumericHost(host) {
                notes.append("if '\(host)' resolves to \(specific.map(\.host).joined(separator: " or ")), the servers of that address answer instead of the wildcard's")
            }
            return .init(listen: wildcard, reason: "no listen names \(host):\(port); the wildcard address \(wildcard) takes it")
        }
        guard !Explaining.isNumericHost(host), let first = onPort.first else { return nil }
        notes.append("'\(host)' is taken to resolve to \(first.host), the \(onPort.count == 1 ? "only" : "first") address listened on with port \(port)")
        return .init(listen: first, reason: "assumed: '\(host)' reaches \(first)")
    }

    /// An IPv6 address in brackets or a dotted IPv4 address: no name to resolve.
    static func isNumericHost(_ host: String) -> Bool {
        host.hasPrefix("[") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }

    func serverReport(_ choice: (index: Int, choice: Router.ServerChoice), on address: Values.ListenAddress) -> Explanation.ServerReport {
        let host = parsed.host.map(Router.normalizedHost) ?? ""
        let servers = router.config.servers
        let onAddress = Set(router.serverIndices(on: address))
        func entry(_ index: Int, chosen: Bool, reason: String) -> Explanation.ServerEntry {
            let server = servers[index]
            return .init(place: Explanation.Place(server.origins.block), names: server.names,
                         listens: server.listens.map { $0.description + (server.defaultFor.contains($0) ? " default_server" : "") },
                         chosen: chosen, reason: reason)
        }
        let kind: String
        let reason: String
        switch choice.choice {
        case .exactName:
            kind = "exact-name"
            reason = "server_name '\(host)' is the host"
        case .wildcardName(let name):
            kind = "wildcard-name"
            reason = "server_name '\(name)' matches '\(host)', the longest wildcard that does"
        case .defaultServer:
            kind = "default-server"
            reason = (host.isEmpty ? "no Host to match names against" : "no server_name on \(address) matches '\(host)'")
                + "; this is its default_server"
        case .firstServer:
            kind = "first-server"
            reason = (host.isEmpty ? "no Host to match names against" : "no server_name on \(address) matches '\(host)'")
                + ", and no server there is default_server: the first server on it answers"
        }
        var entries = [entry(choice.index, chosen: true, reason: reason)]
        for index in servers.indices where index != choice.index {
            let server = servers[index]
            let lost: String
            if !onAddress.contains(index) {
                lost = "does not listen on \(address)"
            } else if host.isEmpty {
                lost = choice.choice == .defaultServer ? "not the default_server" : "comes after the first server on \(address)"
            } else {
                let wildcards = server.names.filter { Router.wildcard($0, matches: host) }
                switch choice.choice {
                case .exactName:
                    lost = server.names.isEmpty ? "has no server_name" : "its names (\(server.names.joined(separator: " "))) do not include '\(host)'"
                case .wildcardName(let name):
                    if let best = wildcards.max(by: { $0.count < $1.count }) {
                        lost = best.count < name.count ? "'\(best)' matches too, but '\(name)' is longer"
                            : "'\(best)' matches too and is as long, but that server comes first"
                    } else {
                        lost = server.names.isEmpty ? "has no server_name" : "none of its names (\(server.names.joined(separator: " "))) match '\(host)'"
                    }
                case .defaultServer:
                    lost = (server.names.isEmpty ? "has no server_name" : "none of its names match '\(host)'") + ", and it is not the default_server"
                case .firstServer:
                    lost = (server.names.isEmpty ? "has no server_name" : "none of its names match '\(host)'") + ", and it comes later"
                }
            }
            entries.append(entry(index, chosen: false, reason: lost))
        }
        return .init(choice: kind, entries: entries)
    }

    // MARK: settings

    /// Settings a location reads from its server's head (they stop at server level).
    static let headSettings = DirectiveTable.all.filter { $0.setting?.server != nil }.map(\.name)
    /// These first, in this order, with their defaults; then every other
    /// setting of the table, in its order, where a block sets it.
    static let shownSettings = [
        "root", "alias", "index", "autoindex", "allow_methods", "client_max_body_size", "client_body_timeout",
        "client_header_timeout", "keepalive_timeout", "send_timeout", "large_client_header_buffers", "error_page",
        "types", "default_type", "charset", "access_log", "error_log", "cgi_path", "cgi_timeout", "upload_store",
        "proxy_pass", "return",
    ]
    static let shownSettingsInOrder = shownSettings + DirectiveTable.all
        .filter { ($0.setting?.location != nil || $0.setting?.server != nil) && !shownSettings.contains($0.name) }.map(\.name)

    static func settings(route: Router.Route, server: ServerConfig) -> [Explanation.Setting] {
        var result: [Explanation.Setting] = []
        for name in shownSettingsInOrder {
            if name == "root" && route.settings.alias != nil { continue }
            let origin = headSettings.contains(name) ? server.origins[name] : route.settings.origins[name]
            if let origin {
                for directive in origin.directives {
                    // A proxy or FastCGI location's methods come from its proxy_pass or fastcgi_pass (ModelBuilder.patch): all of them.
                    let byProxy = name == "allow_methods" && (directive.name.value == "proxy_pass" || directive.name.value == "fastcgi_pass")
                    let value = name == "types" ? "{ \(route.settings.mimeTypes.types.count) extensions }"
                        : byProxy ? Values.knownMethods.filter(route.settings.allowedMethods.contains).joined(separator: " ")
                        : directive.arguments.map(\.raw).joined(separator: " ")
                    result.append(.init(directive: name, value: value, place: Explanation.Place(directive),
                                        from: origin.level.rawValue + (byProxy ? ", by \(directive.name.value)" : "")))
                }
            } else if name == "return" || name == "alias" || name == "error_page"
                        || name == "cgi_timeout" && route.settings.cgiPath == nil
                        || !shownSettings.contains(name) {   // a later directive: shown where it is set
                continue
            } else if let spec = DirectiveTable.spec(named: name), !spec.defaultValue.isEmpty {
                result.append(.init(directive: name, value: spec.defaultValue, place: nil, from: "default"))
            }
        }
        return result
    }

    // MARK: the answer

    func answer(_ status: Int?, by decider: String, _ reason: String,
                headers: [(name: String, value: String)] = []) -> Explanation.Answer {
        .init(status: status, headers: headers, decidedBy: decider, reason: reason, errorPage: nil, finalStatus: status)
    }

    /// A `Location` as webserv sends it: a path becomes an absolute URL with the
    /// request's host and the port connected to.
    func absolute(_ location: String) -> String {
        RedirectLocation.absolute(location, requestHost: parsed.host, local: {
            let host = parsed.connectHost ?? "127.0.0.1"
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return (bare, parsed.connectPort ?? 80)
        })
    }

    func slashRedirect(_ path: String) -> String {
        absolute(PercentEncoding.path(path) + "/" + (parsed.query.map { "?" + $0 } ?? ""))
    }

    func outcome(of decision: RequestDecision, path: String, route: Router.Route,
                 server: VirtualServer) -> (Explanation.Target?, Explanation.Answer) {
        let settings = route.settings
        let method = request.method
        switch decision {
        case .serverReturn(let action), .locationReturn(let action):
            let level = decision == .serverReturn(action) ? "the server's" : "the location's"
            if (300...399).contains(action.code), let url = action.text {
                // Its variables with the values this request gives them.
                let variables = ExplainVariables(method: method, target: parsed.target, path: path, query: parsed.query,
                                                 host: parsed.host, headers: request.headers,
                                                 serverName: server.config.names.first ?? "",
                                                 location: decision == .serverReturn(action) ? server.base : route.location)
                let location = action.template.map { VariableTemplate.fieldValue(variables.evaluate($0)) } ?? url
                return (nil, answer(action.code, by: "configuration", "\(level) 'return \(action.code) \(url)'",
                                    headers: [("Location", absolute(location))]))
            }
            let body = action.text == nil ? "" : ", with the text as its body"
            return (nil, answer(action.code, by: "configuration", "\(level) 'return \(action.code)'\(body)"))
        case .contentTooLarge(let limit):
            return (nil, answer(413, by: "configuration",
                                "Content-Length \(parsed.contentLength ?? 0) is more than client_max_body_size (\(limit) bytes); the connection is closed",
                                headers: [("Connection", "close")]))
        case .redirectToSlash:
            return (nil, answer(301, by: "configuration", "the path names a proxy_pass or cgi_path location without its final '/'",
                                headers: [("Location", slashRedirect(path))]))
        case .notImplemented:
            return (nil, answer(501, by: "configuration", "webserv does not implement \(method)"))
        case .methodNotAllowed:
            return (nil, answer(405, by: "configuration", "allow_methods here does not include \(method)",
                                headers: [("Allow", RequestDecision.allowHeader(for: settings))]))
        case .unhandledMethod:
            return (nil, answer(405, by: "configuration",
                                "\(method) is allowed here, but nothing handles it (no upload_store, cgi_path or proxy_pass)",
                                headers: [("Allow", RequestDecision.allowHeader(for: settings))]))
        case .cgi(let interpreter):
            guard let (script, pathInfo) = route.cgiScript(for: path) else {
                return (nil, answer(403, by: "configuration", "a CGI location, but the path names no script after its prefix"))
            }
            let file = route.filesystemPath(for: script)
            let (kind, failure) = Explaining.kind(of: file)
            let target = Explanation.Target.script(interpreter: interpreter, scriptName: script, file: file, kind: kind, pathInfo: pathInfo)
            if let failure { return (target, answer(failure, by: "file system", "the script \(file) is \(kind)")) }
            guard kind == "regular file" else { return (target, answer(403, by: "file system", "the script \(file) is not a regular file")) }
            return (target, answer(nil, by: "script", "\(interpreter) runs \(file); the script's output is the answer"))
        case .proxy(let upstream):
            let origin = upstream.origin
            let url = origin + route.upstreamTarget(target: parsed.target, path: path, query: parsed.query, upstream: upstream)
            let tls = upstream.secure ? Explaining.proxyTLS(settings.proxySSL, upstream: upstream) : ""
            let fields = sentFields(route: route, upstream: upstream, path: path, server: server)
            let listed = fields.map { field in field.value.map { "\(field.name): \($0)" } ?? "no \(field.name) (empty)" }
            let with = "the fields " + listed.joined(separator: ", ")
            let sent = fields.compactMap { field in field.value.map { (name: field.name, value: $0) } }
            guard let group = router.config.upstreamGroup(for: upstream) else {
                return (.upstream(url: url, fields: sent), answer(nil, by: "upstream", "forwarded to \(url)\(tls) with \(with); the upstream's answer is relayed"))
            }
            let servers = group.servers.map { server in
                [server.address, server.weight == 1 ? nil : "weight=\(server.weight)", server.backup ? "backup" : nil, server.down ? "down" : nil]
                    .compactMap { $0 }.joined(separator: " ")
            }.joined(separator: ", ")
            return (.upstream(url: url, fields: sent), answer(nil, by: "upstream",
                                                "forwarded to \(url)\(tls) with \(with), upstream group '\(group.name)' (\(group.balancing.directive)): \(servers)\(chosenServer(group, path: path)); the chosen server's answer is relayed"))
        case .fastcgi(let address):
            let (scriptName, pathInfo) = route.fastcgiScript(for: path)
            let file = route.filesystemPath(for: scriptName)
            // The configured parameters as written: webserv expands their variables per request.
            let params = settings.fastcgi.params.map { (name: $0.name, value: $0.value.source + ($0.ifNotEmpty ? " if_not_empty" : "")) }
            return (.fastcgi(address: address.description, scriptName: scriptName, scriptFilename: file, pathInfo: pathInfo, params: params),
                    answer(nil, by: "upstream", "sent to the FastCGI application at \(address) with SCRIPT_FILENAME \(file); its answer is relayed"))
        case .upload(let store):
            let what: String
            switch method {
            case "PUT": what = "PUT writes the file the path names (201, or 204 when it replaced one)"
            case "POST": what = "POST stores the body or its multipart files (201; 303 for a browser form)"
            default: what = "DELETE removes the file the path names (204; 404 when absent)"
            }
            return (.uploadStore(directory: store), answer(nil, by: "upload store", "upload_store \(store): \(what)"))
        case .staticFile:
            let (target, answer) = staticFile(path, route: route)
            // An index file a FastCGI location runs: webserv redirects to it internally, as nginx's index module.
            if case .file(_, _, let index?)? = target, answer.status == 200 {
                let indexRoute = router.route(path + index, in: server)
                if let address = indexRoute.settings.fastcgi.pass {
                    var (target, answer) = outcome(of: .fastcgi(address), path: path + index, route: indexRoute, server: server)
                    answer.reason = "the index file \(index) is run by FastCGI (an internal redirect to \(path + index), as nginx's index module): " + answer.reason
                    return (target, answer)
                }
            }
            return (target, answer)
        case .tryFiles(let tryFiles):
            return self.tryFiles(tryFiles, path: path, route: route, server: server)
        }
    }

    /// nginx's try-files phase, by the same lookup as webserv's
    /// (`Router.Route.lookUpTryFiles`): each file tried and what it was, then
    /// what the one found leads to, or the fallback.
    func tryFiles(_ tryFiles: TryFiles, path: String, route: Router.Route,
                  server: VirtualServer) -> (Explanation.Target?, Explanation.Answer) {
        let variables = ExplainVariables(method: request.method, target: parsed.target, path: path, query: parsed.query,
                                         host: parsed.host, headers: request.headers,
                                         serverName: server.config.names.first ?? "", location: route.location)
        let names = tryFiles.candidates.map { (name: variables.evaluate($0.name), directory: $0.directory) }
        var trace = FileLookupTrace()
        let found = route.lookUpTryFiles(names, in: ExplainFileSystem(), observer: &trace)
        let tried = trace.entries.map { entry -> String in
            guard case .tryFile(let name) = entry.candidate else { return "" }
            return "\(name) (\(entry.path)): \(Explaining.describe(entry.outcome))"
        }
        if let found {
            let next = RequestDecision.decide(method: request.method, contentLength: parsed.contentLength, server: server,
                                              route: route, afterTryFiles: true)
            var (target, answer) = outcome(of: next, path: found, route: route, server: server)
            answer.reason = "try_files took \(found) [\(tried.joined(separator: "; "))]; " + answer.reason
            return (target, answer)
        }
        let none = "try_files: none of its files exists [\(tried.joined(separator: "; "))]"
        switch tryFiles.fallback {
        case .status(let code):
            return (nil, answer(code, by: "configuration", "\(none); its last argument =\(code) answers"))
        case .uri(let template):
            let uri = variables.evaluate(template)
            return (nil, answer(nil, by: "configuration", "\(none); an internal redirect to \(uri), decided again from the start (explain \(uri) for its answer)"))
        }
    }

    /// For a hashed group, the server this request's key falls on while every
    /// server is up (PeerSelection, webserv's choice); one chosen by the
    /// client's address needs `--from`.
    func chosenServer(_ group: UpstreamGroup, path: String) -> String {
        let from = request.clientAddress
        var selection = PeerSelection(group)
        var attempt = PeerSelection.Attempt()
        switch group.balancing {
        case .roundRobin, .leastConnections: return ""
        case .ipHash:
            guard let from else { return ", the server chosen by the client's network (--from ADDRESS names it)" }
            guard let index = selection.select(&attempt, clientAddress: UpstreamGroup.ipHashBytes(from), key: [], now: 0) else { return ", no server available" }
            return ", the client \(from) goes to \(group.servers[index].address)"
        case .hash(let key, _):
            if from == nil && (key.contains("$remote_addr") || key.contains("${remote_addr}")) {
                return ", the server chosen by the key \(key), which holds the client's address (--from ADDRESS names it)"
            }
            let value = UpstreamGroup.hashKey(key, remoteAddress: from ?? "", target: parsed.target, path: path, query: parsed.query)
            guard let index = selection.select(&attempt, clientAddress: [], key: value, now: 0) else { return ", no server available" }
            return ", the key \(key) = '\(String(decoding: value, as: UTF8.self))' goes to \(group.servers[index].address)"
        }
    }

    /// The fields the proxied request carries, by the plan webserv's
    /// `ProxyRequest` writes them with (`UpstreamFieldPlan`), the client's
    /// given ones included; a nil value: a `proxy_set_header` that came out
    /// empty, not sent. What only a connection knows (`$remote_addr` without
    /// `--from`) is shown as written.
    func sentFields(route: Router.Route, upstream: Values.ProxyURL, path: String, server: VirtualServer) -> [(name: String, value: String?)] {
        var variables = ExplainVariables(method: request.method, target: parsed.target, path: path, query: parsed.query,
                                         host: parsed.host, headers: request.headers,
                                         serverName: server.config.names.first ?? "", location: route.location)
        variables.clientAddress = request.clientAddress
        variables.upstream = upstream
        variables.requestPath = PathNormalizer.normalize(parsed.rawPath)
        let settings = route.settings
        let chunked = request.headers.contains { field in
            field.name.lowercased() == "transfer-encoding" && field.value.lowercased().contains("chunked")
        }
        let setBody = settings.proxyRequest.body.map { variables.evaluate($0) }
        let framing = UpstreamFieldPlan.framing(passBody: settings.proxyRequest.passBody && setBody == nil,
                                                setBodyLength: setBody?.utf8.count, clientChunked: chunked,
                                                clientLength: parsed.contentLength)
        var fields: [(name: String, value: String?)] = []
        UpstreamFieldPlan.fields(setHeaders: settings.proxySetHeaders, passHeaders: settings.proxyRequest.passHeaders,
                                 upstream: upstream, clientFields: request.headers,
                                 clientAddress: request.clientAddress ?? "$remote_addr", secure: parsed.tls, framing: framing,
                                 evaluate: { VariableTemplate.fieldValue(variables.evaluate($0)) }) { name, value in
            fields.append((name, value))
        }
        return fields
    }

    /// What StaticFileHandler finds for GET and HEAD, by the same lookup
    /// (`Router.Route.lookUpFile`): the file, a directory's index file or
    /// listing, or the status of the failure and why.
    func staticFile(_ path: String, route: Router.Route) -> (Explanation.Target?, Explanation.Answer) {
        var trace = FileLookupTrace()
        let found = route.lookUpFile(path, in: ExplainFileSystem(), observer: &trace)
        let file = route.filesystemPath(for: path)
        switch found {
        case .file(let candidate, _, let index?):
            return (.file(path: candidate, kind: "regular file", index: index),
                    answer(200, by: "file system", "the directory's index file \(candidate)"))
        case .file:
            return (.file(path: file, kind: "regular file", index: nil), answer(200, by: "file system", "the file \(file)"))
        case .redirectToSlash(let directory, let index?):
            return (.file(path: directory, kind: "directory", index: index),
                    answer(301, by: "file system", "the index name \(index) is a directory, \(directory): 301 to its slash form, as nginx does",
                           headers: [("Location", slashRedirect(path + index))]))
        case .redirectToSlash:
            return (.file(path: file, kind: "directory", index: nil),
                    answer(301, by: "file system", "\(file) is a directory and the path has no final '/'",
                           headers: [("Location", slashRedirect(path))]))
        case .autoindex:
            return (.file(path: file, kind: "directory", index: nil), answer(200, by: "file system", "autoindex on: a listing of \(file)"))
        case .failed(let status, let candidate, .index(let index), .status(let error)):
            let kind = Explaining.kind(ofFailure: error)
            return (.file(path: candidate, kind: kind, index: index),
                    answer(status, by: "file system", "the directory's index file \(candidate) is \(kind)"))
        case .failed(let status, let candidate, .index(let index), .notRegular):
            return (.file(path: candidate, kind: "neither a file nor a directory", index: index),
                    answer(status, by: "file system", "the directory's index file \(candidate) is neither a file nor a directory"))
        case .failed(let status, _, _, .status(let error)):
            let kind = Explaining.kind(ofFailure: error)
            return (.file(path: file, kind: kind, index: nil), answer(status, by: "file system", "\(file) is \(kind)"))
        case .failed(let status, _, _, .notRegular):
            return (.file(path: file, kind: "neither a file nor a directory", index: nil),
                    answer(status, by: "file system", "\(file) is neither a file nor a directory, not a regular file"))
        case .failed(let status, let candidate, .index(let index), .unreadable):
            return (.file(path: candidate, kind: "regular file", index: index),
                    answer(status, by: "file system", "the directory's index file \(candidate) cannot be opened"))
        case .failed(let status, _, _, .unreadable):
            return (.file(path: file, kind: "regular file", index: nil), answer(status, by: "file system", "\(file) cannot be opened"))
        case .failed(let status, _, _, .noIndex):
            let tried = trace.entries.compactMap { entry -> String? in
                guard case .index(let name) = entry.candidate else { return nil }
                return "\(name): \(Explaining.describe(entry.outcome))"
            }
            return (.file(path: file, kind: "directory", index: nil),
                    answer(status, by: "file system", "\(file) has no index file (\(tried.joined(separator: "; "))) and autoindex is off"))
        }
    }

    /// What stat(2) says about a path, and the status webserv answers when it fails.
    static func kind(of path: String) -> (kind: String, failure: Int?) {
        switch ExplainFileSystem().status(of: path) {
        case .failed(let error): return (kind(ofFailure: error), Router.Route.status(forFileError: error))
        case .regular: return ("regular file", nil)
        case .directory: return ("directory", nil)
        case .other: return ("neither a file nor a directory", nil)
        }
    }

    /// A path stat(2) failed on, by the status webserv answers for it.
    static func kind(ofFailure error: Int32) -> String {
        switch Router.Route.status(forFileError: error) {
        case 404: return "missing"
        case 403: return "not accessible (\(String(cString: strerror(error))))"
        default: return "unreadable (\(String(cString: strerror(error))))"
        }
    }

    /// Why an index candidate did not answer, or that it did.
    static func describe(_ outcome: CandidateOutcome) -> String {
        switch outcome {
        case .found: return "a regular file"
        case .directory: return "a directory"
        case .notRegular: return "neither a file nor a directory"
        case .failed(let error): return kind(ofFailure: error)
        case .unreadable(let error): return "cannot be opened (\(String(cString: strerror(error))))"
        case .notDirectory: return "not a directory"
        }
    }

    // MARK: error pages

    /// An error without a body of its own gets the location's `error_page`:
    /// a URL is a 302 to it; a path is an internal GET on the same server,
    /// whose answer becomes the error's (ConnectionDriver+Exit, ErrorPages).
    func applyErrorPage(to answer: inout Explanation.Answer, decision: RequestDecision, route: Router.Route, server: VirtualServer) {
        guard let status = answer.status, status >= 400, let page = route.settings.errorPages[status] else { return }
        switch decision {
        case .serverReturn(let action), .locationReturn(let action):
            if action.text != nil { return }   // the text is the body: no error page
        default: break
        }
        let place = route.settings.origins["error_page"]?.directives
            .first { directive in directive.arguments.dropLast().contains { $0.value == String(status) } }
            .flatMap { Explanation.Place($0) }
        if Values.isHTTPURL(page.target) {
            answer.errorPage = .init(status: status, target: page.target, mode: "redirect", place: place, pageStatus: nil)
            answer.finalStatus = 302
            answer.headers = [("Location", page.target)]
            return
        }
        let mode: String
        switch page.response {
        case .original: mode = "original"
        case .code(let code): mode = "=\(code)"
        case .target: mode = "="
        }
        let pageStatus = self.pageStatus(page.target, server: server)
        answer.errorPage = .init(status: status, target: page.target, mode: mode, place: place, pageStatus: pageStatus)
        switch page.response {
        case .original: answer.finalStatus = status
        case .code(let code): answer.finalStatus = pageStatus.map { $0 < 300 ? code : status }
        case .target: answer.finalStatus = pageStatus
        }
    }

    /// The status of the error page's own request (a GET decided from the
    /// start on the same server), where the configuration and files decide it.
    func pageStatus(_ target: String, server: VirtualServer) -> Int? {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let path = PathNormalizer.normalize(parts.first ?? "/") ?? "/"
        let route = router.route(path, in: server)
        let decision = RequestDecision.decide(method: "GET", contentLength: nil, server: server, route: route)
        if decision == .staticFile { return staticFile(path, route: route).1.status }
        return decision.status
    }
}

extension Explaining {
    /// What an https upstream's TLS will be: the name asked for and checked
    /// (proxy_ssl_name, `$proxy_host` by default, shown as written when it
    /// holds other variables), whether SNI carries it, whether the certificate is verified.
    static func proxyTLS(_ ssl: ProxySSLSettings, upstream: Values.ProxyURL) -> String {
        let proxyHost = upstream.host + (upstream.port == upstream.defaultPort ? "" : ":\(upstream.port)")
        var name = proxyHost
        if let template = ssl.name, template.segments != [.variable(.proxyHost)] {
            name = template.isLiteral ? template.evaluate { _ in "" } : template.source
        }
        name = ProxySSLSettings.sslName(name)
        let sni = ssl.serverName && ProxySSLSettings.sendsAsServerName(name) ? "sent as SNI" : "no SNI"
        let verify = ssl.verify ? "certificate verified against \(ssl.trustedCertificate ?? "nothing") for that name" : "certificate not verified (proxy_ssl_verify off)"
        return " over TLS, SSL name '\(name)' (\(sni)), \(verify)"
    }
}
