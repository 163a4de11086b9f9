/// What of the client's request a proxied server gets, as nginx's
/// `proxy_pass_request_headers`, `proxy_pass_request_body` and `proxy_set_body`.
public struct ProxyRequestRules: Equatable {
    /// Off: none of the client's fields go up; `proxy_set_header`'s and webserv's own still do.
    public var passHeaders = true
    /// Off: the client's body is read and dropped, and goes up without its framing fields.
    public var passBody = true
    /// `proxy_set_body`: sent instead of the client's body, with its Content-Length.
    public var body: VariableTemplate?

    public init() {}
}
