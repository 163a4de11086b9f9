/// `confcheck --dump`: crossplane 0.5.8's parse payload for a loaded
/// configuration, so crossplane's consumers work unchanged. Where crossplane's
/// own lexer departs from the language (`a}b`, text after a quote, `${x} y`),
/// the tree is this language's.
public enum CrossplaneDump {
    public static func payload(for config: LoadedConfig) -> JSON {
        var index: [ObjectIdentifier: Int] = [:]
        for (position, file) in config.files.enumerated() { index[ObjectIdentifier(file)] = position }

        var errorsByFile: [ObjectIdentifier: [(line: Int, message: String)]] = [:]
        for diagnostic in config.diagnostics where diagnostic.severity == .error && diagnostic.id != .includeUnreadable {
            guard let owner = config.files.first(where: { $0.source === diagnostic.range.file }) else { continue }
            errorsByFile[ObjectIdentifier(owner), default: []].append((diagnostic.location.line, diagnostic.message))
        }
        for failure in config.includeFailures {
            guard let owner = config.files.first(where: { $0.source === failure.directive.file }) else { continue }
            // crossplane reports Python's OSError text; keep it for its consumers.
            let message = "[Errno \(failure.error.errorNumber)] \(failure.error.reason): '\(failure.error.path)'"
            errorsByFile[ObjectIdentifier(owner), default: []].append((failure.directive.name.range.startLocation.line, message))
        }

        var allErrors: [JSON] = []
        var configs: [JSON] = []
        for file in config.files {
            let errors = (errorsByFile[ObjectIdentifier(file)] ?? []).sorted { $0.line < $1.line }
            for error in errors {
                allErrors.append(.object([("file", .string(file.path)), ("error", .string(error.message)), ("line", .int(error.line))]))
            }
            configs.append(.object([
                ("file", .string(file.path)),
                ("status", .string(errors.isEmpty ? "ok" : "failed")),
                ("errors", .array(errors.map { .object([("error", .string($0.message)), ("line", .int($0.line))]) })),
                ("parsed", .array(parsed(file.nodes, index: index))),
            ]))
        }
        return .object([
            ("status", .string(allErrors.isEmpty ? "ok" : "failed")),
            ("errors", .array(allErrors)),
            ("config", .array(configs)),
        ])
    }

    private static func parsed(_ nodes: [Node], index: [ObjectIdentifier: Int]) -> [JSON] {
        var result: [JSON] = []
        for case .directive(let directive) in nodes {
            let line = directive.name.range.startLocation.line
            let name = directive.name.crossplaneValue
            var arguments = directive.arguments.map(\.crossplaneValue)
            if name == "if" { arguments = stripIfParentheses(arguments) }
            var members: [(String, JSON)] = [
                ("directive", .string(name)),
                ("line", .int(line)),
                ("args", .array(arguments.map(JSON.string))),
            ]
            if directive.isInclude {
                let indices = directive.includedFiles.compactMap { index[ObjectIdentifier($0)] }
                members.append(("includes", .array(indices.map(JSON.int))))
            }
            if let block = directive.block {
                members.append(("block", .array(parsed(block.nodes, index: index))))
            }
            result.append(.object(members))
            for (_, comment) in directive.innerComments {
                result.append(.object([("directive", .string("#")), ("line", .int(line)),
                                       ("args", .array([])), ("comment", .string(comment.text))]))
            }
        }
        return result
    }

    /// crossplane drops the parentheses around an `if` condition.
    static func stripIfParentheses(_ arguments: [String]) -> [String] {
        guard var first = arguments.first, var last = arguments.last,
              first.hasPrefix("("), last.hasSuffix(")") else { return arguments }
        var result = arguments
        first = String(first.dropFirst()).trimmingLeadingWhitespace()
        result[0] = first
        last = String(result[result.count - 1].dropLast()).trimmingTrailingWhitespace()
        result[result.count - 1] = last
        let start = result[0].isEmpty ? 1 : 0
        let end = result.count - (result[result.count - 1].isEmpty ? 1 : 0)
        return start <= end ? Array(result[start..<end]) : []
    }
}

extension String {
    func trimmingLeadingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    }

    func trimmingTrailingWhitespace() -> String {
        var result = Substring(self)
        while let last = result.last, last == " " || last == "\t" || last == "\n" || last == "\r" { result.removeLast() }
        return String(result)
    }
}
