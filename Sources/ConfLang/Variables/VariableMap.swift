/// nginx's `map SOURCE $name { ... }`: the value of `$name` chosen by the
/// value of SOURCE. As nginx's: an exact key first (without regard to case),
/// then with `hostnames` the longest matching wildcard (`*.example.com`,
/// `.example.com`, `www.example.*`), then the regular expressions in order
/// (`~` with case, `~*` without), then `default` (empty when not given).
/// Compiled once, with the configuration; a class, shared by every server of its `http`.
public final class VariableMap {
    public let name: String
    public let source: VariableTemplate
    public let defaultValue: VariableTemplate
    public let hostnames: Bool
    private let exact: [String: VariableTemplate]
    /// `*.example.com` and `.example.com` keys, by the suffix after `*`/`.` (`.example.com` also matches `example.com`).
    private let leadingWildcards: [(suffix: String, value: VariableTemplate)]
    private let trailingWildcards: [(prefix: String, value: VariableTemplate)]
    private let expressions: [(regex: Regex<AnyRegexOutput>, value: VariableTemplate)]

    /// One `KEY VALUE;` line of the body.
    public struct Entry {
        public let key: String
        public let value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// nil for an invalid regular expression (the checker reports it first).
    public init(name: String, source: String, entries: [Entry], hostnames: Bool) {
        self.name = name
        self.source = VariableTemplate.compiled(source)
        self.hostnames = hostnames
        var exact: [String: VariableTemplate] = [:]
        var leading: [(String, VariableTemplate)] = []
        var trailing: [(String, VariableTemplate)] = []
        var expressions: [(Regex<AnyRegexOutput>, VariableTemplate)] = []
        var defaultValue = VariableTemplate(segments: [], source: "")
        for entry in entries {
            let value = VariableTemplate.compiled(entry.value)
            var key = entry.key
            if key == "default" { defaultValue = value; continue }
            if key.hasPrefix("~") {
                if let regex = VariableMap.regex(key) { expressions.append((regex, value)) }
                continue
            }
            if key.hasPrefix("\\") { key.removeFirst() }   // `\~x`, `\default`: the literal key
            key = key.lowercased()
            if hostnames, key.hasPrefix("*.") || key.hasPrefix(".") {
                leading.append((String(key.drop { $0 == "*" }), value))
                if key.hasPrefix(".") && exact[String(key.dropFirst())] == nil { exact[String(key.dropFirst())] = value }
            } else if hostnames, key.hasSuffix(".*") {
                trailing.append((String(key.dropLast()), value))
            } else if exact[key] == nil {
                exact[key] = value
            }
        }
        self.exact = exact
        self.leadingWildcards = leading.sorted { $0.0.count > $1.0.count }
        self.trailingWildcards = trailing.sorted { $0.0.count > $1.0.count }
        self.expressions = expressions
        self.defaultValue = defaultValue
    }

    /// The regular expression of a `~` or `~*` key; nil when it does not compile.
    public static func regex(_ key: String) -> Regex<AnyRegexOutput>? {
        let caseless = key.hasPrefix("~*")
        let pattern = String(key.dropFirst(caseless ? 2 : 1))
        guard let regex = try? Regex(pattern) else { return nil }
        return caseless ? regex.ignoresCase() : regex
    }

    /// The value template for the source value `key`.
    public func value(for key: String) -> VariableTemplate {
        var lowered = key.lowercased()
        if hostnames, lowered.hasSuffix(".") { lowered.removeLast() }
        if let found = exact[lowered] { return found }
        if hostnames {
            if let found = leadingWildcards.first(where: { lowered.hasSuffix($0.suffix) }) { return found.value }
            if let found = trailingWildcards.first(where: { lowered.hasPrefix($0.prefix) }) { return found.value }
        }
        for expression in expressions where (try? expression.regex.firstMatch(in: key)) != nil {
            return expression.value
        }
        return defaultValue
    }
}
