/// The header fields of a request that `proxy_pass` sends upstream, in the
/// order they go: one statement of the rules, which webserv's `ProxyRequest`
/// writes and `confcheck --explain` lists, so the two cannot disagree.
///
/// nginx's rules, with webserv's own defaults: `Host` is proxy_pass's host
/// (nginx's default `Host $proxy_host`); the client's fields follow unless
/// hop-by-hop (RFC 9110 §7.6.1), named in its `Connection`, its `Host`,
/// `Content-Length` or `Expect` (webserv answers `100-continue` itself), or
/// `proxy_pass_request_headers off`; then `X-Forwarded-For` (the client's,
/// when its fields go, with the client's address appended) and
/// `X-Forwarded-Proto`, which nginx does not send by default; then each
/// `proxy_set_header`, which replaces the field of its name wherever it came
/// from, an empty value sending none. The body's framing is webserv's:
/// `proxy_set_header` cannot set it. Unlike nginx, no `Connection: close`:
/// webserv keeps its upstream connections alive (README, Coming from nginx).
public enum UpstreamFieldPlan {
    /// Hop-by-hop fields (RFC 9110 §7.6.1) are the proxy's own, never forwarded.
    public static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "proxy-authenticate",
                                               "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]

    /// The framing of the body is webserv's: `proxy_set_header` cannot set these.
    public static let framingFields: Set<String> = ["content-length", "transfer-encoding"]

    /// nginx's `$proxy_host`: proxy_pass's host, with its port unless the scheme's (80, or 443 for https).
    public static func hostField(_ upstream: Values.ProxyURL) -> String {
        upstream.port == upstream.defaultPort ? upstream.host : "\(upstream.host):\(upstream.port)"
    }

    /// What the request's body needs in the head: the framing fields (a
    /// `proxy_set_body` value's length, or the client's framing when its body goes up).
    public enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// The framing of the proxied request's body: `setBodyLength` for a
    /// `proxy_set_body` value, else the client's when `passBody`.
    public static func framing(passBody: Bool, setBodyLength: Int?, clientChunked: Bool, clientLength: Int?) -> BodyFraming {
        if let setBodyLength { return .length(setBodyLength) }
        guard passBody else { return .none }
        if clientChunked { return .chunked }
        return clientLength.map { .length($0) } ?? .none
    }

    /// Calls `emit` with each field in the order it goes up; a value of nil is
    /// a `proxy_set_header` whose value came out empty: not sent (`--explain`
    /// says so). `setHeaders` and `passHeaders`: the answering location's
    /// `proxy_set_header`s and `proxy_pass_request_headers` (not its whole
    /// settings: a copy of those would retain every reference they hold);
    /// `clientFields`: the client's, in order; `clientAddress`: `$remote_addr`;
    /// `secure`: the client came over TLS; `evaluate`: a `proxy_set_header`
    /// value for this request (asked only when the location has any).
    public static func fields(setHeaders: [ProxySetHeader], passHeaders: Bool, upstream: Values.ProxyURL,
                              clientFields: [(name: String, value: String)], clientAddress: String, secure: Bool,
                              framing: BodyFraming, evaluate: (VariableTemplate) -> String,
                              emit: (_ name: String, _ value: String?) -> Void) {
        // proxy_set_header's fields replace the client's and webserv's own of the same name.
        var configured: [(name: String, value: String)] = []
        var replaced: Set<String> = []
        for field in setHeaders {
            let lower = field.name.lowercased()
            guard !framingFields.contains(lower) else { continue }
            configured.append((field.name, evaluate(field.value)))
            replaced.insert(lower)
        }
        if !replaced.contains("host") { emit("Host", hostField(upstream)) }
        var forwardedFor = clientAddress
        if passHeaders {
            var connectionTokens: Set<String> = []
            for (name, value) in clientFields where name.caseInsensitiveEqualsASCII("connection") {
                for token in value.split(separator: ",") { connectionTokens.insert(token.trimmingSpacesAndTabs().lowercased()) }
            }
            for (name, value) in clientFields {
                let lower = name.lowercased()
                if hopByHop.contains(lower) || connectionTokens.contains(lower) || lower == "host" || lower == "content-length"
                    || lower == "expect" || replaced.contains(lower) { continue }
                if lower == "x-forwarded-for" { forwardedFor = value + ", " + clientAddress; continue }
                if lower == "x-forwarded-proto" { continue }
                emit(name, value)
            }
        }
        if !replaced.contains("x-forwarded-for") { emit("X-Forwarded-For", forwardedFor) }
        if !replaced.contains("x-forwarded-proto") { emit("X-Forwarded-Proto", secure ? "https" : "http") }
        for (name, value) in configured { emit(name, value.isEmpty ? nil : value) }
        switch framing {
        case .none: break
        case .length(let length): emit("Content-Length", String(length))
        case .chunked: emit("Transfer-Encoding", "chunked")
        }
    }
}

private extension String {
    func caseInsensitiveEqualsASCII(_ lowercase: String) -> Bool {
        utf8.count == lowercase.utf8.count && zip(utf8, lowercase.utf8).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
    }
}

private extension Substring {
    func trimmingSpacesAndTabs() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
