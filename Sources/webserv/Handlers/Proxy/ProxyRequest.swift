import ConfLang

/// What `proxy_pass http://HOST:PORT[/PATH]` sends upstream for one request.
struct ProxyRequest {
    let upstream: Values.ProxyURL
    /// The request head bytes for the upstream (its body follows separately).
    let head: [UInt8]
    /// The body is re-chunked towards the upstream when the client sent it chunked.
    let chunkedBody: Bool
    /// Where upstream failures are logged (the location's error_log).
    var errorLog = LogTarget(path: "stderr", level: "error")
    /// How the upstream's own URLs in `Location` are turned back into ours.
    var redirectRewrite: RedirectRewrite?

    /// nginx's `proxy_redirect default`: a `Location` that starts with the
    /// proxy_pass URL gets the location's prefix instead (without a PATH in
    /// proxy_pass, `http://HOST:PORT/` becomes `/`).
    struct RedirectRewrite: Equatable {
        let upstreamPrefix: String
        let clientPrefix: String

        init?(upstream: Values.ProxyURL, locationPrefix: String) {
            let origin = "http://\(upstream.host)\(upstream.port == 80 ? "" : ":\(upstream.port)")"
            if let path = upstream.path {
                guard !locationPrefix.isEmpty else { return nil }
                upstreamPrefix = origin + path
                clientPrefix = locationPrefix
            } else {
                upstreamPrefix = origin + "/"
                clientPrefix = "/"
            }
        }

        func apply(_ location: String) -> String {
            guard location.hasPrefix(upstreamPrefix) else { return location }
            return clientPrefix + location.dropFirst(upstreamPrefix.count)
        }
    }

    /// Hop-by-hop fields (RFC 9110 §7.6.1) are the proxy's own, never forwarded.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "proxy-authenticate",
                                        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]

    /// `secure`: the request came over TLS (`X-Forwarded-Proto: https`).
    static func make(head: RequestHead, route: Router.Route, upstream: Values.ProxyURL, clientAddress: String,
                     secure: Bool = false) -> ProxyRequest {
        let connectionTokens = Set(head.headers.values("Connection").flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingCharacters(in: " \t").lowercased() })
        var text = "\(head.method) \(route.upstreamTarget(target: head.target, path: head.path, query: head.query, upstream: upstream)) HTTP/1.1\r\n"
        text += "Host: \(upstream.host)\(upstream.port == 80 ? "" : ":\(upstream.port)")\r\n"
        var forwardedFor = clientAddress
        for (name, value) in head.headers.fields {
            let lower = name.lowercased()
            // Expect: webserv answers 100-continue itself and sends the body when it has it.
            if hopByHop.contains(lower) || connectionTokens.contains(lower) || lower == "host" || lower == "content-length"
                || lower == "expect" { continue }
            if lower == "x-forwarded-for" { forwardedFor = value + ", " + clientAddress; continue }
            if lower == "x-forwarded-proto" { continue }
            text += "\(name): \(value)\r\n"
        }
        text += "X-Forwarded-For: \(forwardedFor)\r\nX-Forwarded-Proto: \(secure ? "https" : "http")\r\n"
        if head.isChunked {
            text += "Transfer-Encoding: chunked\r\n"
        } else if let length = head.contentLength {
            text += "Content-Length: \(length)\r\n"
        }
        text += "\r\n"
        return ProxyRequest(upstream: upstream, head: Array(text.utf8), chunkedBody: head.isChunked, errorLog: route.settings.errorLog,
                            redirectRewrite: RedirectRewrite(upstream: upstream, locationPrefix: route.matchedPrefix))
    }
}
