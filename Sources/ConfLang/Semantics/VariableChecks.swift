/// Variables in the arguments nginx evaluates them in (`DirectiveSpec.variableArguments`),
/// `map` bodies, and the lint for an `add_header` list that drops a parent's security headers.
enum VariableChecks {
    /// The directives that take variables, for messages.
    static var directivesWithVariables: String {
        DirectiveTable.all.filter { $0.variableArguments != .none }.map(\.name).joined(separator: ", ")
    }
}

extension CheckRun {
    /// Every `map` and `set` variable and `log_format` name of the configuration, before any use is checked.
    mutating func collectDefinitions(_ placed: [PlacedDirective]) {
        for item in placed {
            let arguments = item.arguments
            switch item.name {
            case "map" where arguments.count == 2:
                if let name = Values.variableName(arguments[1].value) { declaredVariables.insert(name) }
            case "set" where arguments.count == 2:
                if let name = Values.variableName(arguments[0].value) { declaredVariables.insert(name) }
            case "log_format" where !arguments.isEmpty:
                declaredLogFormats.insert(arguments[0].value)
            default: break
            }
            if item.directive.block != nil, item.name != "types", item.name != "map" { collectDefinitions(item.children()) }
        }
    }

    /// The variables of one argument: each must be known (nginx: unknown "name" variable).
    mutating func checkVariables(_ argument: Argument, _ item: PlacedDirective, in name: String) {
        let declared = declaredVariables
        let result = VariableTemplate.compile(argument.value) { variable in
            Variable.named(variable) ?? (declared.contains(variable.lowercased()) ? .defined(variable.lowercased()) : nil)
        }
        guard case .failure(let problem) = result else { return }
        switch problem {
        case .unknown(let variable):
            let known = Array(Variable.builtIn.keys) + Array(declared)
            let suggestion = known.min { Suggestions.editDistance(variable.lowercased(), $0) < Suggestions.editDistance(variable.lowercased(), $1) }
                .flatMap { Suggestions.editDistance(variable.lowercased(), $0) <= max(1, min(3, variable.count / 3)) ? $0 : nil }
            let hint = suggestion.map { "; did you mean '$\($0)'?" }
                ?? ": define it with 'map' or 'set', or use a variable README lists"
            emit(.error(.variableUnknown, "unknown variable '$\(variable)' in '\(name)' (nginx: unknown \"\(variable)\" variable)\(hint)",
                        at: argument.range), for: item)
        case .invalidName(let text):
            emit(.error(.variableInvalid, "invalid variable name at '\(text)' in '\(name)': a '$' starts a variable here; write a name after it ($host, ${host})",
                        at: argument.range), for: item)
        case .unclosedBrace(let text):
            emit(.error(.variableInvalid, "'\(text)' in '\(name)' has no closing '}'", at: argument.range), for: item)
        }
    }

    /// A `map` body: `KEY VALUE;` lines, `default VALUE;`, `hostnames;`, `volatile;`.
    mutating func checkMapBody(_ entries: [PlacedDirective]) {
        var seen: [String: PlacedDirective] = [:]
        for entry in entries {
            let directive = entry.directive
            let key = directive.nameText
            if directive.isInclude { continue }
            if let block = directive.block {
                emit(.error(.mapEntry, "a map entry does not take a block: write '\(key) VALUE;'", at: block.open), for: entry)
                continue
            }
            if (key == "hostnames" || key == "volatile") && directive.arguments.isEmpty { continue }
            guard directive.arguments.count == 1 else {
                emit(.error(.mapEntry, "map entry '\(key)' needs exactly one value: \(key) VALUE; (got \(directive.arguments.count))",
                            at: directive.name.range), for: entry)
                continue
            }
            if key.hasPrefix("~") && VariableMap.regex(key) == nil {
                emit(.error(.mapEntry, "invalid regular expression '\(key.drop { $0 == "~" || $0 == "*" })' in map", at: directive.name.range), for: entry)
            }
            if let first = seen[key.lowercased()] {
                emit(.error(.mapEntry, "map key '\(key)' is given twice (nginx: conflicting parameter)", at: directive.name.range,
                            notes: [.init("first given here", at: first.directive.name.range)]), for: entry)
            } else {
                seen[key.lowercased()] = entry
            }
            checkVariables(directive.arguments[0], entry, in: "map")
        }
    }

    /// gixy's add_header_redefinition: a level with any `add_header` replaces
    /// its parent's whole list, so a security header added above is lost there.
    mutating func checkAddHeaderRedefinitions(_ placed: [PlacedDirective], inherited: [PlacedDirective]) {
        let own = placed.filter { $0.name == "add_header" && $0.arguments.count >= 2 }
        if let first = own.first, !inherited.isEmpty {
            let kept = Set(own.map { $0.arguments[0].value.lowercased() })
            let lost = inherited.filter { item in
                let name = item.arguments[0].value.lowercased()
                return AddedHeader.securityHeaders.contains(name) && !kept.contains(name)
            }
            if !lost.isEmpty {
                let names = lost.map { "'\($0.arguments[0].value)'" }.joined(separator: ", ")
                emit(.warning(.securityAddHeaderRedefinition,
                              "this block's add_header replaces every add_header of the enclosing block, so \(names) is not sent here: repeat \(lost.count == 1 ? "it" : "them") in this block",
                              at: first.directive.name.range,
                              notes: lost.map { .init("'\($0.arguments[0].value)' is added here", at: $0.directive.name.range) }), for: first)
            }
        }
        let effective = own.isEmpty ? inherited : own
        for item in placed where ["http", "server", "location"].contains(item.name) && item.directive.block != nil {
            checkAddHeaderRedefinitions(item.children(), inherited: effective)
        }
    }
}
