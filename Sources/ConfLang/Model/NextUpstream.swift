/// `proxy_next_upstream`, `proxy_next_upstream_tries`: when a request that
/// failed on one server of an upstream group goes to the next, as nginx's.
/// Only before any byte of the answer reached the client.
public struct NextUpstream: Equatable {
    public enum Condition: String, CaseIterable {
        case error, timeout, invalidHeader = "invalid_header"
        case http500 = "http_500", http502 = "http_502", http503 = "http_503", http504 = "http_504"
        case http403 = "http_403", http404 = "http_404", http429 = "http_429"
        case nonIdempotent = "non_idempotent"
    }

    /// Empty: `off`.
    public var conditions: Set<Condition> = [.error, .timeout]
    /// 0: as many as the group has servers.
    public var tries = 0

    public init() {}

    /// `error timeout http_502 ...` or `off`; nil for a word nginx does not know.
    public static func conditions(_ values: [String]) -> Set<Condition>? {
        if values == ["off"] { return [] }
        var result = Set<Condition>()
        for value in values {
            guard let condition = Condition(rawValue: value) else { return nil }
            result.insert(condition)
        }
        return result
    }

    /// The condition an upstream's status is, when it is one.
    public static func condition(forStatus status: Int) -> Condition? {
        Condition(rawValue: "http_\(status)").flatMap { $0 == .nonIdempotent ? nil : $0 }
    }

    /// nginx counts these against a server (max_fails); 403, 404 and 429 are answers, not failures.
    public static func countsAsFailure(_ condition: Condition) -> Bool {
        switch condition {
        case .http403, .http404, .http429, .nonIdempotent: return false
        default: return true
        }
    }

    /// RFC 9110's non-idempotent methods among those nginx names (POST, LOCK, PATCH).
    public static func isNonIdempotent(_ method: String) -> Bool {
        method == "POST" || method == "LOCK" || method == "PATCH"
    }

    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "error|timeout|invalid_header|http_500|http_502|http_503|http_504|http_403|http_404|http_429|non_idempotent|off",
        completions: Condition.allCases.map { ($0.rawValue, "go to the next server on \($0.rawValue)") } + [("off", "never the next server")],
        code: .valueNextUpstream,
        problem: { values, index in
            let value = values[index]
            if value == "off" { return values.count == 1 ? nil : "'off' in 'proxy_next_upstream' stands alone" }
            return Condition(rawValue: value) == nil
                ? "invalid value '\(value)' in 'proxy_next_upstream': use error, timeout, invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429, non_idempotent or off"
                : nil
        })

    /// `proxy_next_upstream_tries N`: 0 is nginx's default (no limit).
    static let triesValue = DirectiveSpec.CustomValue(
        placeholder: "N (0: every server)", completions: [("0", "as many tries as the group has servers")], code: .valueNumber,
        problem: { values, index in
            Values.wholeNumber(Substring(values[index])) == nil
                ? "invalid number '\(values[index])' for 'proxy_next_upstream_tries': use a whole number (0: every server)" : nil
        })
}
