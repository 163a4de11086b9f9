/// A directive's value with its variables found once, when the configuration
/// is built (nginx's script compilation): literal text and variable
/// references in order. Evaluating it walks the segments; no text is scanned
/// per request, and a value without variables is its text.
public struct VariableTemplate: Equatable {
    public enum Segment: Equatable {
        case literal(String)
        case variable(Variable)
    }

    public let segments: [Segment]
    /// The value as written.
    public let source: String

    /// Why a value's variables do not compile, in nginx's words where it has them.
    public enum Problem: Error, Equatable {
        /// `$` followed by nothing a name is made of (nginx: invalid variable name).
        case invalidName(String)
        /// `${name` without its `}`.
        case unclosedBrace(String)
        /// A name that is neither built in nor defined by `map` or `set` (nginx: unknown "name" variable).
        case unknown(String)
    }

    /// Compiles `text`: `lookup` gives the variable of each name (nil: unknown).
    public static func compile(_ text: String, lookup: (String) -> Variable?) -> Result<VariableTemplate, Problem> {
        var segments: [Segment] = []
        var literal = ""
        var characters = Substring(text)
        while let dollar = characters.firstIndex(of: "$") {
            literal += characters[..<dollar]
            var rest = characters[characters.index(after: dollar)...]
            let name: Substring
            if let next = rest.first, next.isASCII, next.isNumber {
                // nginx's regex captures ($1): webserv has none, so the text stays as written.
                literal += "$"
                characters = rest
                continue
            }
            if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { return .failure(.unclosedBrace(String(characters[dollar...]))) }
                name = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
            } else {
                name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                rest = rest.dropFirst(name.count)
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                return .failure(.invalidName(String(characters[dollar...].prefix(name.count + 3))))
            }
            guard let variable = lookup(String(name)) else { return .failure(.unknown(String(name))) }
            if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
            segments.append(.variable(variable))
            characters = rest
        }
        literal += characters
        if !literal.isEmpty { segments.append(.literal(literal)) }
        return .success(VariableTemplate(segments: segments, source: text))
    }

    /// For a configuration already checked: a name that is not built in is a defined one.
    public static func compiled(_ text: String) -> VariableTemplate {
        switch compile(text, lookup: { Variable.named($0) ?? .defined($0.lowercased()) }) {
        case .success(let template): return template
        case .failure: return VariableTemplate(segments: [.literal(text)], source: text)
        }
    }

    public init(segments: [Segment], source: String) {
        self.segments = segments
        self.source = source
    }

    /// Has no variable: its value is `source`.
    public var isLiteral: Bool { !segments.contains { if case .variable = $0 { return true } else { return false } } }

    /// The value, each variable's from `value`.
    public func evaluate(_ value: (Variable) -> String) -> String {
        if segments.count == 1, case .literal(let text) = segments[0] { return text }
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let text): result += text
            case .variable(let variable): result += value(variable)
            }
        }
        return result
    }

    /// A value for a response field: a CR or LF a variable brought (a decoded
    /// `%0d%0a` in `$uri`) becomes a space, so no answer can be split.
    public static func fieldValue(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return text }
        return String(decoding: text.utf8.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
