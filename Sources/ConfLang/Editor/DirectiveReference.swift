/// A directive's reference text (Markdown), written from its table entry:
/// what hover shows and what completion documents.
public enum DirectiveReference {
    public static func markdown(for spec: DirectiveSpec) -> String {
        var lines = ["```nginx", syntax(of: spec), "```", "", spec.summary, ""]
        let contexts = Context.allCases.filter(spec.contexts.contains).map { "`\($0.rawValue)`" }
        lines.append("- **Context:** " + contexts.joined(separator: ", "))
        if case .block(let inner) = spec.body {
            lines.append("- **Block:** its directives stand in `\(inner.rawValue)`")
        }
        lines.append("- **Arguments:** " + spec.arityDescription)
        if !spec.defaultValue.isEmpty { lines.append("- **Default:** `\(spec.defaultValue)`") }
        lines.append("- **Inherited:** " + (spec.inherited ? "yes: inner blocks take it unless they set their own" : "no"))
        lines.append("- **Repeatable:** " + (spec.repeatable ? "yes" : "no: once per block"))
        return lines.joined(separator: "\n")
    }

    /// `listen ADDRESS[:PORT] [default_server];`, `server { ... }`.
    public static func syntax(of spec: DirectiveSpec) -> String {
        if case .block = spec.body {
            let arguments = spec.name == "location" ? " [= | ^ | $] PATTERN" : ""
            return "\(spec.name)\(arguments) { ... }"
        }
        // These kinds describe the whole argument list (`CODE... [=RESPONSE] URI`).
        if let first = spec.argumentKinds.first, [.errorPageItem, .returnItem].contains(first) || first.describesTheList {
            return "\(spec.name) \(placeholder(first));"
        }
        var parts = [spec.name]
        let shown = spec.maxArguments ?? max(spec.minArguments, spec.argumentKinds.count)
        for index in 0..<shown {
            guard let kind = spec.kind(ofArgument: index) else { break }
            let word = placeholder(kind)
            parts.append(index < spec.minArguments ? word : "[\(word)]")
        }
        if spec.maxArguments == nil { parts.append("...") }
        return parts.joined(separator: " ") + ";"
    }

    private static func placeholder(_ kind: DirectiveSpec.ArgumentKind) -> String {
        switch kind {
        case .size: return "SIZE"
        case .time: return "TIME"
        case .count: return "NUMBER"
        case .workerCount: return "NUMBER|auto"
        case .path: return "PATH"
        case .onOff: return "on|off"
        case .mimeType: return "TYPE/SUBTYPE"
        case .method: return "METHOD"
        case .statusCode: return "CODE"
        case .listenAddress: return "ADDRESS[:PORT]"
        case .listenParameter: return "ssl] [default_server"   // both optional, in any order: shown as two
        case .serverName: return "NAME"
        case .locationModifierOrPattern: return "[= | ^ | $] PATTERN"
        case .errorPageItem: return "CODE... [=RESPONSE] URI"
        case .returnItem: return "CODE [URL|TEXT]"
        case .proxyURL: return "http[s]://HOST[:PORT][/PATH]"
        case .logLevel: return "LEVEL"
        case .accessLogPathOrOff: return "PATH|off"
        case .accessLogFormat: return "combined|FORMAT"
        case .variableName: return "$NAME"
        case .addHeaderFlag: return "always"
        case .text: return "TEXT"
        case .eventMethod: return "epoll"
        case .charsetOrOff: return "NAME|off"
        case .custom(let custom): return custom.placeholder
        }
    }

    /// Hover text for the token at `offset`: a known directive's reference on
    /// its name, a location modifier's meaning on the modifier.
    public static func hover(at offset: Int, in file: ConfigFile) -> (markdown: String, range: SourceRange)? {
        guard let (directive, ancestors) = file.directive(at: offset), let (index, token) = directive.token(at: offset) else { return nil }
        // An upstream block's entries are its own (its `server` is not the server block).
        if index == nil, ancestors.last?.nameText == "upstream" {
            return UpstreamGroup.entries.first { $0.name == directive.nameText }.map { ("`\($0.name)` (in `upstream`): \($0.detail)", token.range) }
        }
        guard let index else {
            guard let spec = DirectiveTable.spec(named: directive.nameText) else { return nil }
            return (markdown(for: spec), token.range)
        }
        guard directive.nameText == "location", index == 0, directive.arguments.count == 2 else { return nil }
        let meaning: String
        switch token.value {
        case "=": meaning = "exact match: the request path equals the pattern; it wins over every other location"
        case "^": meaning = "prefix match: the request path starts with the pattern; the longest such location is chosen"
        case "$": meaning = "suffix match: the path ends with the pattern, or the pattern is followed by `/` (the rest is CGI's PATH_INFO); laid over the chosen prefix location"
        default: return nil
        }
        return ("`location \(token.value)`: \(meaning)", token.range)
    }
}

private extension DirectiveSpec.ArgumentKind {
    /// A custom value's placeholder describes the whole argument list.
    var describesTheList: Bool {
        if case .custom = self { return true }
        return false
    }
}
