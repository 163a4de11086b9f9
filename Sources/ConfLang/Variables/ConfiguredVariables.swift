/// What a configuration says about answers through variables, as the model
/// holds it: `map`s (http level, shared by every location of their `http`:
/// a class, so a location's copy of its settings copies a reference),
/// `add_header` lines and `log_format`s.
public final class VariableMaps {
    public let byName: [String: VariableMap]
    public init(_ byName: [String: VariableMap]) { self.byName = byName }
    public static let none = VariableMaps([:])
}

/// `add_header NAME VALUE [always]`.
/// One `set $name VALUE`: `name` without `$`, lower case.
public struct SetVariable: Equatable {
    public let name: String
    public let value: VariableTemplate

    public init(name: String, value: VariableTemplate) {
        self.name = name
        self.value = value
    }
}

/// One `proxy_set_header FIELD VALUE`: the field sent to a proxied server
/// instead of the client's (an empty value: not sent at all).
public struct ProxySetHeader: Equatable {
    public let name: String
    public let value: VariableTemplate

    public static func == (left: ProxySetHeader, right: ProxySetHeader) -> Bool {
        left.name == right.name && left.value == right.value
    }
}

public struct AddedHeader: Equatable {
    public let name: String
    public let value: VariableTemplate
    /// Added to every answer, not only to nginx's successful and redirecting ones.
    public let always: Bool

    public static func == (left: AddedHeader, right: AddedHeader) -> Bool {
        left.name == right.name && left.value == right.value && left.always == right.always
    }

    /// nginx's statuses that get an `add_header` without `always`.
    public static func applies(toStatus status: Int) -> Bool {
        switch status {
        case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308: return true
        default: return false
        }
    }

    /// The security headers whose loss the `add_header` redefinition lint reports (gixy's list).
    public static let securityHeaders = ["x-frame-options", "x-content-type-options", "content-security-policy",
                                         "strict-transport-security", "referrer-policy", "permissions-policy",
                                         "x-xss-protection"]
}

/// `log_format NAME [escape=default|json|none] STRING...`.
public struct LogFormat {
    public enum Escape: String { case `default`, json, none }
    public let name: String
    public let escape: Escape
    public let template: VariableTemplate

    /// A log line: each variable's value escaped as the format says (nginx's:
    /// `default` writes `"`, `\`, control and non-ASCII bytes as `\xHH`; `json` as JSON
    /// string escapes; `none` nothing); an empty value is `-` except with `json`.
    public func line(_ value: (Variable) -> String) -> String {
        template.evaluate { variable in
            let text = value(variable)
            switch escape {
            case .none: return text
            case .default: return text.isEmpty ? "-" : LogFormat.escapeDefault(text)
            case .json: return LogFormat.escapeJSON(text)
            }
        }
    }

    static func escapeDefault(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x7F }) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x7F {
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// nginx's `escape=json`: `"`, `\` and control characters, the rest as it is.
    static func escapeJSON(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) else { return text }
        var result = ""
        JSON.appendEscaped(text, to: &result, nonASCII: false)
        return result
    }

    /// The arguments of a `log_format` after its name: the escape, and the strings joined.
    public init(name: String, arguments: [String]) {
        self.name = name
        var strings = arguments
        var escape = Escape.default
        if let first = strings.first, first.hasPrefix("escape=") {
            escape = Escape(rawValue: String(first.dropFirst("escape=".count))) ?? .default
            strings.removeFirst()
        }
        self.escape = escape
        self.template = VariableTemplate.compiled(strings.joined())
    }
}

/// The `log_format`s of an `http` block by name; shared like `VariableMaps`.
public final class LogFormats {
    public let byName: [String: LogFormat]
    public init(_ byName: [String: LogFormat]) { self.byName = byName }
    public static let none = LogFormats([:])
}
