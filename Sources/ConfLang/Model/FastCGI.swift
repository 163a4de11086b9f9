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
    public var splitPathInfo: FastCGISplitPathInfo?
    /// `fastcgi_keep_conn on`: the connection to the application is kept for the next request.
    public var keepConnection = false
    /// `fastcgi_pass_request_headers off`: no `HTTP_*` parameters from the request's fields.
    public var passRequestHeaders = true
    /// `fastcgi_pass_request_body off`: the body is read and dropped, STDIN ends at once.
    public var passRequestBody = true
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

/// One `fastcgi_param`. Its VALUE is compiled once with the configuration
/// (`VariableTemplate`), evaluated per request by webserv's `RequestVariables`.
public struct FastCGIParam: Equatable {
    public var name: String
    public var value: VariableTemplate
    /// `if_not_empty`: not sent when the value comes out empty.
    public var ifNotEmpty: Bool

    public init(name: String, value: VariableTemplate, ifNotEmpty: Bool) {
        self.name = name
        self.value = value
        self.ifNotEmpty = ifNotEmpty
    }

    /// VALUE as written, compiled (a configuration already checked).
    public init(name: String, value: String, ifNotEmpty: Bool) {
        self.init(name: name, value: VariableTemplate.compiled(value), ifNotEmpty: ifNotEmpty)
    }

    /// `if_not_empty`, the one word that may follow the value.
    static let flagValue = DirectiveSpec.CustomValue(
        placeholder: "[if_not_empty]", completions: [("if_not_empty", "not sent when the value is empty")],
        code: .directiveArguments, problem: { values, index in
            values[index] == "if_not_empty" ? nil : "invalid parameter '\(values[index])' for 'fastcgi_param': only 'if_not_empty' may follow the value"
        })
}

/// `fastcgi_split_path_info REGEX`, compiled once with the configuration, as
/// Swift's Regex reads it (nginx's PCRE patterns as Debian writes them read the same).
public struct FastCGISplitPathInfo: Equatable {
    public let pattern: String
    /// Boxed: a `Regex` held inline gives every location's settings a layout
    /// known only at run time, and each copy of them a call for their type
    /// (about 60 instructions a request, callgrind, none of which use it).
    private final class Compiled {
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }
    private let compiled: Compiled

    /// nil when `pattern` does not compile (the checker has said so).
    public init?(_ pattern: String) {
        guard let regex = try? Regex(pattern) else { return nil }
        self.pattern = pattern
        compiled = Compiled(regex)
    }

    public static func == (left: FastCGISplitPathInfo, right: FastCGISplitPathInfo) -> Bool { left.pattern == right.pattern }

    /// The script name and PATH_INFO `path` splits into (the first two captures); nil when the pattern does not match.
    public func split(_ path: String) -> (script: String, pathInfo: String)? {
        guard let match = try? compiled.regex.firstMatch(in: path), match.output.count >= 3,
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

    /// The capturing groups of a pattern: `(` not escaped, not in a class, and
    /// either plain or named (`(?<name>`, `(?P<name>`, `(?'name'`; not a
    /// lookbehind `(?<=`, `(?<!`, nor any other `(?`).
    static func captureCount(_ pattern: String) -> Int {
        var count = 0, escaped = false, inClass = false
        let characters = Array(pattern)
        for (index, character) in characters.enumerated() {
            if escaped { escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case "(" where !inClass:
                let next = characters[(index + 1)...].prefix(3).map { $0 }
                if next.first != "?" {
                    count += 1
                } else if next.count > 2, next[1] == "'" || (next[1] == "P" && next[2] == "<") || (next[1] == "<" && next[2] != "=" && next[2] != "!") {
                    count += 1
                }
            default: break
            }
        }
        return count
    }

    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "REGEX", completions: [("^(.+?\\.php)(/.*)$", "the script up to .php, the rest as PATH_INFO")],
        code: .directiveArguments, problem: problem)
}
