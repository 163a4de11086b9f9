/// What nginx's `proxy_redirect`, `proxy_hide_header` and `proxy_pass_header`
/// say about a proxied server's answer. Each accumulates within a block, and a
/// block that has any replaces what it inherits as a whole, as nginx merges them.
public struct ProxyAnswerRules: Equatable {
    /// One `proxy_redirect`: the `Location` (and `Refresh`) prefix an
    /// upstream writes, and what replaces it.
    public enum Redirect: Equatable {
        /// The proxy_pass URL becomes the location's prefix (nginx's default).
        case `default`
        case replace(from: String, to: String)
    }

    /// In order, the first that matches applies; empty: `proxy_redirect off`.
    public var redirects: [Redirect] = [.default]
    /// `proxy_hide_header`: more fields dropped from the answer (lower case).
    public var hidden: [String] = []
    /// `proxy_pass_header`: fields nginx hides by default, passed on (lower case).
    public var passed: [String] = []

    /// nginx's fields that a proxied answer never carries to the client unless
    /// `proxy_pass_header` names them (`Date` and `Server` are webserv's own).
    public static let hiddenByDefault: Set<String> = ["x-pad", "x-accel-expires", "x-accel-redirect",
                                                      "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset"]

    /// Every field of an upstream's answer dropped under these rules.
    public var hiddenFields: Set<String> {
        ProxyAnswerRules.hiddenByDefault.subtracting(passed).union(hidden)
    }

    public init() {}

    static func redirects(_ input: SettingInput) -> [Redirect] {
        var rules: [Redirect] = []
        for values in input.occurrences.map({ $0.arguments.map(\.value) }) {
            switch values.count {
            case 1 where values[0] == "off": return []
            case 1: rules.append(.default)
            default: rules.append(.replace(from: values[0], to: values[1]))
            }
        }
        return rules
    }
}

extension ProxyAnswerRules {
    /// The value syntax of `proxy_redirect`, for the checker, hover and completion.
    static let redirectValue = DirectiveSpec.CustomValue(
        placeholder: "default|off|FROM TO",
        completions: [("default", "the proxy_pass URL becomes the location's prefix"), ("off", "Location passed as it is")],
        code: .valueProxyURL, problem: redirectProblem)

    private static func redirectProblem(_ values: [String], _ index: Int) -> String? {
        let value = values[index]
        if values.count == 1 {
            return value == "default" || value == "off" ? nil : "'proxy_redirect \(value)' needs 'default', 'off', or FROM and TO"
        }
        if index == 0 && value.hasPrefix("~") {
            return "'proxy_redirect' with a regular expression is not supported; write the prefix the upstream sends"
        }
        if index == 0 && (value == "default" || value == "off") {
            return "'\(value)' stands alone: write 'proxy_redirect \(value);'"
        }
        return nil
    }
}
