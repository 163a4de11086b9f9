/// nginx's `proxy_ssl_*` (http, server, location, each inherited on its own):
/// how webserv speaks TLS to a `proxy_pass https://` upstream. webserv builds
/// one client context per distinct `contextKey` when a configuration is
/// applied; the name (SNI and the host check) is the request's.
public struct ProxySSLSettings: Equatable {
    /// `proxy_ssl_server_name`: send the name as SNI (nginx's default: off).
    public var serverName = false
    /// `proxy_ssl_name`: the name sent and checked; nil: `$proxy_host` (its port left out).
    public var name: VariableTemplate?
    /// `proxy_ssl_verify`: the upstream's chain and name are checked (nginx's default: off).
    public var verify = false
    /// `proxy_ssl_trusted_certificate`: the CA certificates (PEM) verify trusts.
    public var trustedCertificate: String?
    /// `proxy_ssl_verify_depth` (nginx's default: 1, a leaf a trusted CA issued).
    public var verifyDepth = 1
    /// `proxy_ssl_session_reuse`: a new connection offers the last session of its server.
    public var sessionReuse = true
    /// `proxy_ssl_protocols`, as nginx names them.
    public var protocols = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    /// `proxy_ssl_ciphers`: an OpenSSL cipher list (nginx's default: DEFAULT).
    public var ciphers = "DEFAULT"
    /// `proxy_ssl_certificate` and `proxy_ssl_certificate_key`: the client certificate, if any.
    public var certificate: String?
    public var certificateKey: String?

    public init() {}

    /// What a client context is built from (all but the name, which is each
    /// connection's): two locations with the same key share one context, and
    /// the key is part of the keep-alive pool's, so a pooled connection is only
    /// taken by a request that would have made it alike.
    public var contextKey: String {
        [serverName ? "sni" : "nosni", verify ? "verify" : "noverify", trustedCertificate ?? "", String(verifyDepth), sessionReuse ? "reuse" : "noreuse",
         protocols.joined(separator: ","), ciphers, certificate ?? "", certificateKey ?? ""].joined(separator: "|")
    }

    /// The name a request's TLS connection uses (SNI and the host check):
    /// proxy_ssl_name's value, or proxy_pass's host; any port is left out, as nginx does.
    public static func sslName(_ value: String) -> String {
        if value.hasPrefix("[") { return String(value.prefix { $0 != "]" }) + (value.contains("]") ? "]" : "") }
        return String(value.prefix { $0 != ":" })
    }

    /// Whether a name may be sent as SNI: RFC 6066 leaves IP addresses out (nginx skips them too).
    public static func sendsAsServerName(_ name: String) -> Bool {
        !name.isEmpty && !isIPAddress(name)
    }

    /// An IPv4 address, or an IPv6 one in brackets: checked as the certificate's IP SAN, never sent as SNI.
    public static func isIPAddress(_ name: String) -> Bool {
        name.hasPrefix("[") || Values.isIPv4Address(name)
    }

    /// The value syntax of `proxy_ssl_protocols`, for the checker, hover and completion.
    static let protocolValue = TLSSettings.protocolValue(for: "proxy_ssl_protocols")
}
