import ConfLang

/// What the header filters decide for one answer, beside the answer itself.
struct OutputDecision {
    /// The connection stays open after the answer; filters may only turn it off.
    var keepAlive: Bool
    /// The connection's address is still listened on (a reload may have dropped it).
    let listening: Bool
    /// The body goes out in chunks: its length is known only at its end.
    var chunked = false
    /// The body is compressed on its way out, by this stream (`GzipFilter`, `BodyFilters`).
    var gzip: GzipStream?
    /// The answer carries `add_trailer` fields after its body (`TrailerFilter`, nginx's expect_trailers).
    var trailers = false

    init(keepAlive: Bool, listening: Bool) {
        self.keepAlive = keepAlive
        self.listening = listening
    }
}

/// The header filters, in order, each skipping itself when it has nothing to
/// do (nginx's header filter chain). A fixed chain of static functions, not a
/// list of values: it runs for every answer. A new filter (add_header,
/// expires, gzip's fields) is one more small type and one more line in `run`.
/// A filter that would change a cached file's prepared head lines moves the
/// answer to the general path first (`Response.fields`, `removeEncodedHeaders`).
///
/// Each sees the request (`head`, nil when refused before its head was
/// complete), the answering `location` (read through it: binding its settings
/// would copy them) and the connection's `transport`, as arguments: a value
/// holding them would retain each, for every answer.
enum HeaderFilters {
    /// `connection`: for the values of `add_header`'s variables (read only when one has some).
    static func run(_ response: inout Response, head: RequestHead?, location: ResolvedLocation, transport: Transport,
                    connection: Connection? = nil, _ decision: inout OutputDecision) {
        AbsoluteLocationFilter.apply(&response, head: head, transport: transport)
        CharsetFilter.apply(&response, location: location)
        ExpiresFilter.apply(&response, location: location)
        AddHeaderFilter.apply(&response, head: head, location: location, connection: connection)
        // After add_header and expires, as nginx's gzip filter comes after its headers filter (gzip_proxied reads their fields).
        GzipFilter.apply(&response, head: head, location: location, &decision)
        // After gzip (which reads the length it would clear): an answer with trailers is chunked over HTTP/1.1.
        TrailerFilter.apply(&response, head: head, location: location, &decision)
        KeepAliveFilter.apply(location: location, &decision)
        FramingFilter.apply(response, head: head, &decision)
    }
}

/// A redirect's `Location` made absolute from the request's Host or the address the client reached.
enum AbsoluteLocationFilter {
    static func apply(_ response: inout Response, head: RequestHead?, transport: Transport) {
        guard response.status >= 201, response.status < 400,
              let index = response.headers.firstIndex(where: { $0.name.caseInsensitiveEquals("Location") }) else { return }
        response.headers[index].value = RedirectLocation.absolute(
            response.headers[index].value, requestHost: head?.host, secure: transport.isSecure, local: { transport.localAddress() })
    }
}

/// nginx's `charset`: added to a text answer's Content-Type.
enum CharsetFilter {
    static func apply(_ response: inout Response, location: ResolvedLocation) {
        guard let charset = location.settings.charset else { return }
        if !response.encodedHeaders.isEmpty {
            // Prepared lines hold the Content-Type: this answer takes the general path.
            response.headers = response.fields
            response.removeEncodedHeaders()
        }
        Charset.apply(charset, to: &response.headers)
    }
}

/// nginx's `expires`: Expires and Cache-Control on 2xx/3xx answers (`Response.applyExpires`).
enum ExpiresFilter {
    static func apply(_ response: inout Response, location: ResolvedLocation) {
        // A pattern, not `!=`: ConfLang's `==` would be a call on every answer.
        if case .off = location.settings.expires { return }
        response.applyExpires(location.settings.expires, now: Clock.wallSeconds())
    }
}

/// nginx's `add_header`: each field of the location's list on 200, 201, 204,
/// 206, 301, 302, 303, 304, 307 and 308 answers, on every answer with
/// `always`; a value that comes out empty adds nothing, as in nginx. The
/// fields go before a cached file's prepared lines, which stay as they are.
enum AddHeaderFilter {
    static func apply(_ response: inout Response, head: RequestHead?, location: ResolvedLocation, connection: Connection?) {
        // The one check a location without add_header pays, inlined into the chain (as a call, with its arguments, it cost about 20 instructions).
        if location.settings.addedHeaders.isEmpty { return }
        add(&response, head: head, location: location, connection: connection)
    }

    @inline(never)
    private static func add(_ response: inout Response, head: RequestHead?, location: ResolvedLocation, connection: Connection?) {
        if response.addedHeadersIn { return }   // a cached file's prepared lines hold them (StaticFileHandler)
        let success = AddedHeader.applies(toStatus: response.status)
        // Values without variables: their lines, made once for the location. Not where gzip
        // is on: its filter reads the answer's fields (Content-Encoding, gzip_proxied's Cache-Control).
        if let lines = location.literalAddedLines, !location.settings.gzip.enabled, response.encodedHeaders.isEmpty {
            response.encodedHeaders = success ? lines.success : lines.always
            response.addedHeadersIn = true
            return
        }
        var variables: RequestVariables?
        for header in location.settings.addedHeaders where header.always || success {
            let value: String
            if header.value.isLiteral {
                value = header.value.source
            } else {
                guard let connection else { continue }
                if variables == nil { variables = RequestVariables(head: head, connection: connection, location: location) }
                variables?.status = response.status
                value = variables?.fieldValue(header.value) ?? ""
            }
            if !value.isEmpty { response.headers.append((header.name, value)) }
        }
    }
}

/// `keepalive_timeout 0` turns keep-alive off, as in nginx; so does a reload
/// that stopped listening on the connection's address.
enum KeepAliveFilter {
    static func apply(location: ResolvedLocation, _ decision: inout OutputDecision) {
        decision.keepAlive = decision.keepAlive && location.settings.keepaliveTimeoutMilliseconds > 0 && decision.listening
    }
}

/// nginx's chunked filter: a body of unknown length (streamed, or compressed
/// on the way) goes in chunks to an HTTP/1.1 client; an HTTP/1.0 client learns its end from the close.
enum FramingFilter {
    static func apply(_ response: Response, head: RequestHead?, _ decision: inout OutputDecision) {
        // A HEAD answer has no body to frame; its fields are a GET's (no Content-Length when that has none).
        guard response.lengthUnknown, head?.method != "HEAD" else {
            // After a 101 the connection is not HTTP any more: never kept for another request.
            if response.status == 101 { decision.keepAlive = false }
            return
        }
        if head?.version == .http11 { decision.chunked = true } else { decision.keepAlive = false }
    }
}
