/// A server's TLS settings (nginx's `ssl_*`, http and server level): what
/// webserv builds the server's OpenSSL context from. Set through the
/// directive table's entries (`sets:`), inherited from http as nginx does.
public struct TLSSettings: Equatable {
    /// `ssl_certificate`, in order (a full chain, leaf first, per file), absolute.
    public var certificates: [String] = []
    /// `ssl_certificate_key`, paired with `certificates` by position.
    public var certificateKeys: [String] = []
    /// `ssl_protocols`: names as nginx writes them (`TLSv1.2`, `TLSv1.3`).
    public var protocols: [String] = []
    /// `ssl_ciphers`: an OpenSSL cipher list (TLS 1.2 and below).
    public var ciphers = ""
    /// `ssl_prefer_server_ciphers`: on by default here (nginx: off).
    public var preferServerCiphers = true
    public var sessionCache: SessionCache = .none
    public var sessionTimeoutSeconds = 300
    public var sessionTickets = true

    public init() {}

    /// `ssl_session_cache off | none | [builtin[:SIZE]] [shared:NAME:SIZE]`.
    public enum SessionCache: Equatable {
        /// `off`: no session is stored; `none` (nginx's default) is the same here.
        case off, none
        /// OpenSSL's cache in each worker, of at most this many sessions
        /// (`builtin`), or a cache shared by name (`shared:NAME:SIZE`, SIZE in bytes).
        case cache(builtinSessions: Int?, sharedBytes: Int?)

        public static func parse(_ values: [String]) -> SessionCache? {
            guard let first = values.first else { return nil }
            if values.count == 1 && first == "off" { return .off }
            if values.count == 1 && first == "none" { return SessionCache.none }
            var builtin: Int?, shared: Int?
            for value in values {
                if value == "builtin" && builtin == nil {
                    builtin = 20_480   // OpenSSL's default, as nginx's bare `builtin`
                } else if value.hasPrefix("builtin:"), builtin == nil,
                          let count = Values.wholeNumber(value.dropFirst("builtin:".count)), count > 0 {
                    builtin = count
                } else if value.hasPrefix("shared:"), shared == nil {
                    let parts = value.split(separator: ":", omittingEmptySubsequences: false)
                    guard parts.count == 3, !parts[1].isEmpty, let size = Values.size(String(parts[2])), size >= 8192 else { return nil }
                    shared = size
                } else {
                    return nil
                }
            }
            return .cache(builtinSessions: builtin, sharedBytes: shared)
        }
    }

    /// nginx's protocol names.
    public static let protocolNames = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

    /// Mozilla's "intermediate" cipher list (guideline 5.7), `ssl_ciphers`'s default here:
    /// forward secrecy and AEAD only, for TLS 1.2 (TLS 1.3's suites are OpenSSL's).
    public static let intermediateCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

    /// The value syntax of `ssl_protocols`, for the checker, hover and completion.
    static let protocolValue = protocolValue(for: "ssl_protocols")

    /// The value syntax of a list of TLS protocols (`ssl_protocols`, `proxy_ssl_protocols`).
    static func protocolValue(for directive: String) -> DirectiveSpec.CustomValue {
        DirectiveSpec.CustomValue(
            placeholder: "PROTOCOL...",
            completions: [("TLSv1.2", "TLS 1.2"), ("TLSv1.3", "TLS 1.3"), ("TLSv1.1", "TLS 1.1 (obsolete, RFC 8996)"),
                          ("TLSv1", "TLS 1.0 (obsolete, RFC 8996)")],
            code: .valueSSL,
            problem: { values, index in
                let value = values[index]
                guard protocolNames.contains(value) else {
                    return "unknown protocol '\(value)' in '\(directive)': use \(protocolNames.joined(separator: ", "))"
                }
                return values[..<index].contains(value) ? "'\(value)' is given twice in '\(directive)'" : nil
            })
    }

    /// The value syntax of `ssl_session_cache`.
    static let sessionCacheValue = DirectiveSpec.CustomValue(
        placeholder: "off|none|[builtin[:N]] [shared:NAME:SIZE]",
        completions: [("shared:SSL:10m", "a cache of about 40,000 sessions"), ("none", "no cache (nginx's default)"),
                      ("off", "no cache"), ("builtin", "OpenSSL's cache in each worker")],
        code: .valueSSL,
        problem: { values, index in
            // Judged once, on the first argument, for the whole list.
            guard index == 0, SessionCache.parse(values) == nil else { return nil }
            return "invalid 'ssl_session_cache \(values.joined(separator: " "))': use off, none, or builtin[:N] and/or shared:NAME:SIZE (SIZE at least 8k)"
        })
}
