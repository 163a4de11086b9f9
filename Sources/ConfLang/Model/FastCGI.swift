/// The `fastcgi_*` settings of a location: where its FastCGI application
/// (PHP-FPM) listens and what it is sent, as nginx's fastcgi module.
public struct FastCGISettings {
    /// `fastcgi_pass`; nil: the location does not run FastCGI.
    public var pass: FastCGIAddress?
    /// `fastcgi_param NAME VALUE [if_not_empty]`, in order; a block with any replaces the inherited list.
    public var params: [FastCGIParam] = []
    /// `fastcgi_index`: the script name for a path that ends with `/`.
    public var index: String?
    /// `fastcgi_split_path_info REGEX`: two captures, the script name and PATH_INFO.
    public var splitPathInfo: String?
    /// `fastcgi_keep_conn on`: the connection to the application is kept for the next request.
    public var keepConnection = false
    public var connectTimeoutMilliseconds = 60_000
    public var readTimeoutMilliseconds = 60_000
    public var sendTimeoutMilliseconds = 60_000

    public init() {}
}

/// `fastcgi_pass HOST:PORT | unix:PATH`.
public enum FastCGIAddress: Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    public var description: String {
        switch self {
        case .tcp(let host, let port): return "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }

    /// The address `text` names; nil when it is none (an upstream group's name, a URL, no port).
    public static func parse(_ text: String) -> FastCGIAddress? {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            return path.hasPrefix("/") ? .unix(path: path) : nil
        }
        guard let colon = text.lastIndex(of: ":"), let port = Values.wholeNumber(text[text.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        guard Values.isHostName(host) else { return nil }
        return .tcp(host: host, port: port)
    }

    static func problem(_ values: [String], _ index: Int) -> String? {
        guard parse(values[index]) == nil else { return nil }
        let value = values[index]
        if value.hasPrefix("unix:") { return "invalid 'fastcgi_pass \(value)': a unix socket's path must be absolute (unix:/run/php/php-fpm.sock)" }
        if Values.variable(in: value) != nil { return "invalid 'fastcgi_pass \(value)': variables are not expanded; write HOST:PORT or unix:PATH" }
        if !value.contains(":") {
            return "'fastcgi_pass \(value)': upstream groups are not supported; write HOST:PORT or unix:PATH"
        }
        return "invalid 'fastcgi_pass \(value)': write HOST:PORT (a port from 1 to 65535) or unix:PATH"
    }

    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "HOST:PORT|unix:PATH", completions: [("unix:/run/php/php8.2-fpm.sock", "Debian's PHP-FPM socket")],
        code: .valueAddress, problem: problem)
}

/// One `fastcgi_param`. Its VALUE may name variables: webserv's FastCGI adapter
/// expands the ones listed in `expandedVariables` (what Debian's fastcgi_params
/// and fastcgi.conf use), until ConfLang has a variables engine.
public struct FastCGIParam: Equatable {
    public var name: String
    public var value: String
    /// `if_not_empty`: not sent when the value comes out empty.
    public var ifNotEmpty: Bool

    public init(name: String, value: String, ifNotEmpty: Bool) {
        self.name = name
        self.value = value
        self.ifNotEmpty = ifNotEmpty
    }

    /// nginx's variables the adapter knows; `http_NAME` (a request field) as well.
    public static let expandedVariables: Set<String> = [
        "query_string", "args", "is_args", "request_method", "content_type", "content_length", "fastcgi_script_name",
        "fastcgi_path_info", "request_uri", "document_uri", "uri", "document_root", "realpath_root", "request_filename",
        "server_protocol", "scheme", "request_scheme", "https", "nginx_version", "remote_addr", "remote_port", "remote_user",
        "server_addr", "server_port", "server_name", "host", "redirect_status", "gateway_interface",
    ]

    /// The first variable of `text` the adapter does not expand (`$name` or `${name}`), as written.
    public static func unknownVariable(in text: String) -> String? {
        for reference in variables(in: text) where !knows(reference.name) { return reference.written }
        return nil
    }

    static func knows(_ name: String) -> Bool {
        expandedVariables.contains(name) || (name.hasPrefix("http_") && name.count > 5)
    }

    /// Every `$name` and `${name}` in `text`, in order: the name and how it is written.
    public static func variables(in text: String) -> [(name: String, written: String, range: Range<String.Index>)] {
        var found: [(name: String, written: String, range: Range<String.Index>)] = []
        var index = text.startIndex
        while let dollar = text[index...].firstIndex(of: "$") {
            let after = text.index(after: dollar)
            if after < text.endIndex, text[after] == "{", let close = text[after...].firstIndex(of: "}") {
                let name = String(text[text.index(after: after)..<close])
                found.append((name, String(text[dollar...close]), dollar..<text.index(after: close)))
                index = text.index(after: close)
                continue
            }
            let end = text[after...].firstIndex { !($0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber)) } ?? text.endIndex
            if end > after { found.append((String(text[after..<end]), String(text[dollar..<end]), dollar..<end)) }
            index = end > after ? end : after
        }
        return found
    }

    /// `if_not_empty`, the one word that may follow the value.
    static let flagValue = DirectiveSpec.CustomValue(
        placeholder: "[if_not_empty]", completions: [("if_not_empty", "not sent when the value is empty")],
        code: .directiveArguments, problem: { values, index in
            values[index] == "if_not_empty" ? nil : "invalid parameter '\(values[index])' for 'fastcgi_param': only 'if_not_empty' may follow the value"
        })
}

/// `fastcgi_split_path_info REGEX`, as Swift's Regex reads it (nginx's PCRE
/// patterns as Debian writes them read the same).
public enum FastCGISplitPathInfo {
    /// The script name and PATH_INFO `path` splits into; nil when the pattern does not match.
    public static func split(_ path: String, pattern: String) -> (script: String, pathInfo: String)? {
        guard let regex = try? Regex(pattern), let match = try? regex.firstMatch(in: path), match.output.count >= 3,
              let script = match.output[1].substring else { return nil }
        return (String(script), match.output[2].substring.map(String.init) ?? "")
    }

    static func problem(_ values: [String], _ index: Int) -> String? {
        guard (try? Regex(values[index])) != nil else {
            return "invalid regular expression '\(values[index])' for 'fastcgi_split_path_info'"
        }
        guard captureCount(values[index]) >= 2 else {
            return "'fastcgi_split_path_info' needs a regular expression with two captures, the script name and PATH_INFO"
        }
        return nil
    }

    /// The capturing groups of a pattern: `(` not escaped, not in a class, not `(?`.
    static func captureCount(_ pattern: String) -> Int {
        var count = 0, escaped = false, inClass = false
        let characters = Array(pattern)
        for (index, character) in characters.enumerated() {
            if escaped { escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case "(" where !inClass && (index + 1 == characters.count || characters[index + 1] != "?"): count += 1
            default: break
            }
        }
        return count
    }

    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "REGEX", completions: [("^(.+?\\.php)(/.*)$", "the script up to .php, the rest as PATH_INFO")],
        code: .directiveArguments, problem: problem)
}
