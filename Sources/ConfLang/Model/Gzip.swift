/// nginx's gzip module settings of a location (`gzip`, `gzip_types`,
/// `gzip_min_length`, `gzip_comp_level`, `gzip_vary`, `gzip_proxied`,
/// `gzip_disable msie6`, `gzip_http_version`) and of its static module
/// (`gzip_static`). Each directive sets one field; each field is inherited
/// on its own, as nginx merges them.
public struct GzipSettings: Equatable {
    /// `gzip on`: answers are compressed by the gzip filter.
    public var enabled = false
    /// `gzip_types`: the MIME types compressed besides text/html (lower case, without parameters).
    public var types: Set<String> = []
    /// `gzip_types *`: every type.
    public var anyType = false
    /// `gzip_min_length`: an answer whose length is known and smaller goes plain.
    public var minLength = 20
    /// `gzip_comp_level` 1...9.
    public var level = 1
    /// `gzip_vary on`: `Vary: Accept-Encoding` on answers that could be compressed.
    public var vary = false
    /// `gzip_proxied`: which answers to a request that came through a proxy (`Via`) are compressed.
    public var proxied: Proxied = .off
    /// `gzip_disable msie6`: not for Internet Explorer 4 to 6 (nginx's built-in test).
    public var disableMSIE6 = false
    /// `gzip_http_version 1.0 | 1.1`: the oldest HTTP version whose requests get gzip.
    public var minimumHTTPMinorVersion = 1
    /// `gzip_static`.
    public var staticFiles: Static = .off

    public init() {}

    public enum Static: Equatable {
        case off
        /// `FILE.gz` beside `FILE` for a client that takes gzip.
        case on
        /// `FILE.gz` for every client.
        case always
    }

    /// `gzip_proxied`'s values, nginx's flags.
    public struct Proxied: OptionSet, Equatable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let off = Proxied([])
        public static let expired = Proxied(rawValue: 1 << 0)
        public static let noCache = Proxied(rawValue: 1 << 1)
        public static let noStore = Proxied(rawValue: 1 << 2)
        public static let `private` = Proxied(rawValue: 1 << 3)
        public static let noLastModified = Proxied(rawValue: 1 << 4)
        public static let noETag = Proxied(rawValue: 1 << 5)
        public static let auth = Proxied(rawValue: 1 << 6)
        public static let any = Proxied(rawValue: 1 << 7)

        static let names: [(name: String, flag: Proxied, detail: String)] = [
            ("off", .off, "never for a request that came through a proxy (Via)"),
            ("expired", .expired, "when the answer's Expires is past"),
            ("no-cache", .noCache, "when Cache-Control says no-cache"),
            ("no-store", .noStore, "when Cache-Control says no-store"),
            ("private", .private, "when Cache-Control says private"),
            ("no_last_modified", .noLastModified, "when the answer has no Last-Modified"),
            ("no_etag", .noETag, "when the answer has no ETag"),
            ("auth", .auth, "when the request has Authorization"),
            ("any", .any, "always"),
        ]

        /// The flags of `gzip_proxied VALUES`; nil when one is not a value.
        public static func parse(_ values: [String]) -> Proxied? {
            var flags = Proxied.off
            for value in values {
                guard let entry = names.first(where: { $0.name == value }) else { return nil }
                flags.insert(entry.flag)
            }
            return flags
        }
    }

    /// Whether `type` (a Content-Type value, parameters allowed) is compressed:
    /// text/html always, as nginx, then `gzip_types`.
    public func compresses(contentType type: String) -> Bool {
        if anyType { return true }
        var bare = Substring(type)
        if let semicolon = bare.firstIndex(of: ";") { bare = bare[..<semicolon] }
        while bare.last == " " || bare.last == "\t" { bare = bare.dropLast() }
        while bare.first == " " || bare.first == "\t" { bare = bare.dropFirst() }
        // Types from the types table are lower case already; a script's may not be.
        let name = bare.utf8.contains(where: { (65...90).contains($0) }) ? bare.lowercased() : String(bare)
        return name == "text/html" || types.contains(name)
    }
}

extension GzipSettings {
    /// `gzip_types`' values: `*` or MIME types.
    static let typesValue = DirectiveSpec.CustomValue(
        placeholder: "TYPE/SUBTYPE...|*", completions: [("*", "every type"), ("text/css", ""), ("application/javascript", ""),
                                                          ("application/json", ""), ("image/svg+xml", ""), ("text/plain", "")],
        code: .valueMimeType,
        problem: { values, index in
            let value = values[index]
            return value == "*" || Values.isMimeType(value) ? nil
                : "invalid MIME type '\(value)' for 'gzip_types': use type/subtype (e.g. text/css), or * for every type"
        })

    static let levelValue = DirectiveSpec.CustomValue(
        placeholder: "1..9", completions: (1...9).map { ("\($0)", $0 == 1 ? "fastest (the default)" : $0 == 9 ? "smallest" : "") },
        code: .valueNumber,
        problem: { values, index in
            (Values.wholeNumber(Substring(values[index])).map { (1...9).contains($0) } ?? false) ? nil
                : "invalid level '\(values[index])' for 'gzip_comp_level': use a number from 1 (fastest) to 9 (smallest)"
        })

    static let proxiedValue = DirectiveSpec.CustomValue(
        placeholder: "off|expired|no-cache|no-store|private|no_last_modified|no_etag|auth|any...",
        completions: Proxied.names.map { ($0.name, $0.detail) }, code: .directiveArguments,
        problem: { values, index in
            Proxied.parse([values[index]]) != nil ? nil
                : "invalid value '\(values[index])' for 'gzip_proxied': use off, expired, no-cache, no-store, private, no_last_modified, no_etag, auth or any"
        })

    static let disableValue = DirectiveSpec.CustomValue(
        placeholder: "msie6", completions: [("msie6", "not for Internet Explorer 4 to 6")], code: .directiveArguments,
        problem: { values, index in
            values[index] == "msie6" ? nil
                : "'gzip_disable \(values[index])': only nginx's 'msie6' is supported here (regular expressions on User-Agent are not)"
        })

    static let httpVersionValue = DirectiveSpec.CustomValue(
        placeholder: "1.0|1.1", completions: [("1.0", "HTTP/1.0 requests too"), ("1.1", "HTTP/1.1 requests only")],
        code: .directiveArguments,
        problem: { values, index in
            ["1.0", "1.1"].contains(values[index]) ? nil : "invalid value '\(values[index])' for 'gzip_http_version': use 1.0 or 1.1"
        })

    static let staticValue = DirectiveSpec.CustomValue(
        placeholder: "on|off|always",
        completions: [("on", "FILE.gz for clients that take gzip"), ("off", "never"), ("always", "FILE.gz for every client")],
        code: .valueOnOff,
        problem: { values, index in
            ["on", "off", "always"].contains(values[index]) ? nil : "invalid value '\(values[index])' for 'gzip_static': use on, off or always"
        })
}
