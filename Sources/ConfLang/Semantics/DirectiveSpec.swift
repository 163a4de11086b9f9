/// Everything ConfLang knows about one directive. The table below is the single
/// source for the checker, the did-you-mean list, the typed model and the
/// directive reference in grammar.md.
public struct DirectiveSpec {
    public enum Body: Equatable {
        /// Ends with `;`.
        case none
        /// Ends with a block whose directives are in this context.
        case block(Context)
    }

    /// What one argument must look like; each kind is checked in one place,
    /// `SemanticChecker.check(_:as:item:spec:)` (ArgumentChecks.swift), with `Values`.
    public enum ArgumentKind: Hashable {
        case size, time, count, workerCount, path, onOff, mimeType, method, statusCode
        case listenAddress, listenParameter, serverName, locationModifierOrPattern
        case errorPageItem, returnItem, proxyURL, logLevel, accessLogPathOrOff, accessLogFormat, text, charsetOrOff
        case eventMethod
        /// `$name` (`map`'s result, `set`'s target).
        case variableName
        /// `always` (add_header).
        case addHeaderFlag
        /// A value syntax of one directive, checked and described by its table entry.
        case custom(CustomValue)
    }

    /// A value syntax that one directive's entry brings with it, so that
    /// adding the directive touches no checker, reference or completion code.
    public struct CustomValue: Hashable {
        /// How the reference writes it (`[modified] TIME|epoch|max|off`).
        public let placeholder: String
        /// Words completion offers, each with its detail.
        public let completions: [(label: String, detail: String)]
        public let code: DiagnosticCode
        /// The problem with argument `index` of `values`, in a sentence; nil when it is fine.
        public let problem: (_ values: [String], _ index: Int) -> String?

        public static func == (left: CustomValue, right: CustomValue) -> Bool { left.placeholder == right.placeholder }
        public func hash(into hasher: inout Hasher) { hasher.combine(placeholder) }
    }

    public let name: String
    public let contexts: Set<Context>
    public let body: Body
    public let minArguments: Int
    /// nil means no upper limit.
    public let maxArguments: Int?
    /// Kinds by position; the last one repeats for extra arguments.
    public let argumentKinds: [ArgumentKind]
    /// May appear more than once in one block.
    public let repeatable: Bool
    /// Taken by inner contexts that do not set it themselves.
    public let inherited: Bool
    /// nginx's default, written as the directive's arguments ("" when there is
    /// none). Not only documentation: `ModelBuilder` reads it as a directive
    /// written before the configuration, so it is the model's default too,
    /// and hover, grammar.md and `--explain` show it.
    public let defaultValue: String
    public let summary: String
    /// How the value reaches the model and merges down; nil for a directive
    /// the builder reads itself (blocks, `listen`, main's) or that has no effect.
    public let setting: DirectiveSetting?
    /// Which arguments nginx evaluates variables in (`$host`, `${uri}`); elsewhere a `$` is literal text.
    public var variableArguments: VariableArguments = .none

    public enum VariableArguments: Equatable {
        case none
        /// Argument `index` and those after it.
        case from(Int)
        /// Only argument `index`.
        case only(Int)

        public func contains(_ index: Int) -> Bool {
            switch self {
            case .none: return false
            case .from(let first): return index >= first
            case .only(let only): return index == only
            }
        }
    }

    public func kind(ofArgument index: Int) -> ArgumentKind? {
        guard !argumentKinds.isEmpty else { return nil }
        return argumentKinds[min(index, argumentKinds.count - 1)]
    }

    public var arityDescription: String {
        switch (minArguments, maxArguments) {
        case (0, 0?): return "no arguments"
        case (let low, let high?) where low == high: return low == 1 ? "exactly 1 argument" : "exactly \(low) arguments"
        case (let low, let high?): return "\(low) to \(high) arguments"
        case (let low, nil): return low == 1 ? "at least 1 argument" : "at least \(low) arguments"
        }
    }
}
