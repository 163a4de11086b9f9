import ConfLang

/// What `proxy_pass http://HOST:PORT[/PATH]` sends upstream for one request.
struct ProxyRequest {
    let upstream: Values.ProxyURL
    /// The request head bytes for the upstream (its body follows separately).
    let head: [UInt8]
    /// The body is re-chunked towards the upstream when the client sent it chunked.
    let chunkedBody: Bool
    /// The client's body goes up (false: `proxy_pass_request_body off` or
    /// `proxy_set_body`, whose body is in `head`): it is read and dropped.
    var passesBody = true
    /// Where upstream failures are logged (the location's error_log).
    var errorLog = LogTarget(path: "stderr", level: "error")
    /// How the upstream's own URLs in `Location` and `Refresh` are turned
    /// back into ours (`proxy_redirect`), the first that matches.
    var redirectRewrites: [RedirectRewrite] = []
    /// Fields of the answer not passed on (`proxy_hide_header`, nginx's X-Accel-*).
    var hiddenFields: Set<String> = ProxyAnswerRules.hiddenByDefault
    /// `proxy_pass https://`: the name this request's TLS connection asks for
    /// and checks (proxy_ssl_name, its port left out); nil for http://.
    var sslName: String?
    /// `proxy_pass https://`: the proxy_ssl_* settings' context (`ProxySSLSettings.contextKey`).
    var tlsContextKey: String?

    /// The keep-alive pool's key of a connection to `address` made for this request.
    func poolKey(_ address: String) -> String {
        UpstreamTransport.poolKey(address, tlsName: sslName, settings: tlsContextKey)
    }

    /// `proxy_http_version 1.0`: the connection carries one request, never pooled.
    var http10 = false

    /// One `proxy_redirect`: a `Location` that starts with `upstreamPrefix`
    /// gets `clientPrefix` instead. nginx's `default`: the proxy_pass URL
    /// becomes the location's prefix (without a PATH in proxy_pass,
    /// `http://HOST:PORT/` becomes `/`).
    struct RedirectRewrite: Equatable {
        let upstreamPrefix: String
        let clientPrefix: String

        init(from: String, to: String) {
            upstreamPrefix = from
            clientPrefix = to
        }

        init?(upstream: Values.ProxyURL, locationPrefix: String) {
            let origin = upstream.origin
            if let path = upstream.path {
                guard !locationPrefix.isEmpty else { return nil }
                upstreamPrefix = origin + path
                clientPrefix = locationPrefix
            } else {
                upstreamPrefix = origin + "/"
                clientPrefix = "/"
            }
        }

        func apply(_ location: String) -> String? {
            guard location.hasPrefix(upstreamPrefix) else { return nil }
            return clientPrefix + location.dropFirst(upstreamPrefix.count)
        }

        /// The rewrites of `rules` for a location with `prefix` proxying to `upstream`.
        static func list(_ rules: [ProxyAnswerRules.Redirect], upstream: Values.ProxyURL, locationPrefix: String) -> [RedirectRewrite] {
            rules.compactMap { rule in
                switch rule {
                case .default: return RedirectRewrite(upstream: upstream, locationPrefix: locationPrefix)
                case .replace(let from, let to): return RedirectRewrite(from: from, to: to)
                }
            }
        }
    }

    /// A `Location` value, or the URL of a `Refresh` value (`5; url=...`), rewritten by the first rule that matches.
    func rewrite(field name: String, _ value: String) -> String {
        if name.caseInsensitiveEquals("Location") {
            for rule in redirectRewrites { if let rewritten = rule.apply(value) { return rewritten } }
        } else if name.caseInsensitiveEquals("Refresh") {
            // The URL follows `url=` (any case): ASCII, so the bytes before it are a valid prefix.
            let bytes = Array(value.utf8), marker = Array("url=".utf8)
            guard let start = (0...max(0, bytes.count - marker.count)).first(where: { at in
                at + marker.count <= bytes.count && zip(bytes[at...], marker).allSatisfy { $0 | 0x20 == $1 }
            }) else { return value }
            let split = start + marker.count
            let url = String(decoding: bytes[split...], as: UTF8.self)
            for rule in redirectRewrites {
                if let rewritten = rule.apply(url) { return String(decoding: bytes[..<split], as: UTF8.self) + rewritten }
            }
        }
        return value
    }

    /// Hop-by-hop fields (RFC 9110 §7.6.1), as the field plan has them: an answer's are dropped too.
    static let hopByHop = UpstreamFieldPlan.hopByHop

    /// nginx's `$proxy_host`: proxy_pass's host, with its port unless the scheme's (80, or 443 for https).
    static func hostField(_ upstream: Values.ProxyURL) -> String { UpstreamFieldPlan.hostField(upstream) }

    /// `variables`: the request's, for `proxy_set_header` and `proxy_set_body` values (made only when the location has any).
    /// `secure`: the request came over TLS (`X-Forwarded-Proto: https`).
    static func make(head: RequestHead, route: Router.Route, upstream: Values.ProxyURL, clientAddress: String,
                     secure: Bool = false, variables: () -> RequestVariables) -> ProxyRequest {
        let rules = route.settings.proxyRequest
        var made: RequestVariables?
        func values() -> RequestVariables {
            if let made { return made }
            let values = variables()
            made = values
            return values
        }
        // proxy_http_version 1.0, except for a chunked body: webserv streams it up as it arrives, so it goes as HTTP/1.1 chunks.
        let http10 = route.settings.proxyHTTPMinorVersion == 0 && !head.isChunked
        var text = "\(head.method) \(route.upstreamTarget(target: head.target, path: head.path, query: head.query, upstream: upstream)) HTTP/1.\(http10 ? 0 : 1)\r\n"
        // proxy_set_body replaces the client's body; with either, the client's framing does not go up.
        let setBody = rules.body.map { $0.isLiteral ? $0.source : values().evaluate($0) }
        let passesBody = rules.passBody && setBody == nil
        let framing = UpstreamFieldPlan.framing(passBody: passesBody, setBodyLength: setBody?.utf8.count,
                                                clientChunked: head.isChunked, clientLength: head.contentLength)
        // The fields by the one plan `confcheck --explain` lists too.
        UpstreamFieldPlan.fields(setHeaders: route.settings.proxySetHeaders, passHeaders: rules.passHeaders, upstream: upstream,
                                 clientFields: head.headers.fields, clientAddress: clientAddress, secure: secure, framing: framing,
                                 evaluate: { values().fieldValue($0) }) { name, value in
            if let value { text += "\(name): \(value)\r\n" }
        }
        text += "\r\n"
        if let setBody { text += setBody }
        let answer = route.settings.proxyAnswer
        var sslName: String?
        if upstream.secure {
            // $proxy_host by default; the request's variables are made only for a name that needs them.
            var value = hostField(upstream)
            if let template = route.settings.proxySSL.name, template.segments != [.variable(.proxyHost)] {
                value = template.isLiteral ? template.evaluate { _ in "" } : variables().evaluate(template)
            }
            sslName = ProxySSLSettings.sslName(value)
        }
        return ProxyRequest(upstream: upstream, head: Array(text.utf8), chunkedBody: passesBody && head.isChunked,
                            passesBody: passesBody, errorLog: route.settings.errorLog,
                            redirectRewrites: RedirectRewrite.list(answer.redirects, upstream: upstream, locationPrefix: route.matchedPrefix),
                            hiddenFields: answer.hiddenFields, sslName: sslName,
                            tlsContextKey: upstream.secure ? route.settings.proxySSL.contextKey : nil, http10: http10)
    }
}
