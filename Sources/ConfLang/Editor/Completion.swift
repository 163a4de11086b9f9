/// Completion candidates at a cursor, from the directive table: directive
/// names valid in the cursor's context, and values where an argument's kind
/// has a closed set of them.
public enum Completion {
    public struct Candidate: Equatable {
        public enum Kind: Equatable { case directive, value }
        public let label: String
        public let kind: Kind
        /// One line shown beside the label.
        public let detail: String
        /// Markdown, shown when the candidate is selected.
        public let documentation: String
    }

    /// `mimeTypes`: the types known to the configuration (see `mimeTypes(in:)`).
    public static func candidates(at cursor: CursorContext, mimeTypes: [String]) -> [Candidate] {
        switch cursor.role {
        case .none:
            return []
        case .directiveName:
            guard let context = cursor.context else { return [] }
            if context == .types {
                return mimeTypes.map { Candidate(label: $0, kind: .value, detail: "MIME type", documentation: "") }
            }
            if context == .upstream {
                return UpstreamGroup.entries.map { Candidate(label: $0.name, kind: .directive, detail: $0.detail, documentation: "") }
            }
            let present = Set(cursor.siblings.map(\.nameText))
            return DirectiveTable.all
                .filter { $0.contexts.contains(context) && ($0.repeatable || !present.contains($0.name)) }
                .map { spec in
                    Candidate(label: spec.name, kind: .directive, detail: spec.summary,
                              documentation: DirectiveReference.markdown(for: spec))
                }
        case .argument(let directive, let index, _, _):
            guard let spec = DirectiveTable.spec(named: directive.nameText),
                  spec.maxArguments.map({ index < $0 }) ?? true,
                  let kind = spec.kind(ofArgument: index) else { return [] }
            let earlier = Set(directive.arguments.prefix(index).map(\.value))
            return values(for: kind, index: index, mimeTypes: mimeTypes)
                .filter { !(kind == .method && earlier.contains($0.label)) }
        }
    }

    private static func values(for kind: DirectiveSpec.ArgumentKind, index: Int, mimeTypes: [String]) -> [Candidate] {
        func value(_ label: String, _ detail: String) -> Candidate {
            Candidate(label: label, kind: .value, detail: detail, documentation: "")
        }
        switch kind {
        case .onOff: return [value("on", "enable"), value("off", "disable")]
        case .method: return Values.knownMethods.map { value($0, "HTTP method") }
        case .mimeType: return mimeTypes.map { value($0, "MIME type") }
        case .logLevel: return Values.logLevels.map { value($0, "log level") }
        case .listenParameter: return [value("ssl", "TLS on this address (ssl_certificate)"), value("http2", "HTTP/2 on this address (ALPN h2, or h2c with prior knowledge)"), value("default_server", "the default server for this address")]
        case .workerCount: return [value("auto", "one worker per CPU")]
        case .eventMethod: return [value("epoll", "the one method webserv has")]
        case .charsetOrOff: return [value("utf-8", "charset"), value("off", "no charset parameter")]
        case .accessLogPathOrOff: return index == 0 ? [value("off", "no access log")] : []
        case .accessLogFormat: return [value("combined", "the combined log format")]
        case .addHeaderFlag: return [value("always", "on every answer, errors included")]
        case .custom(let custom): return index == 0 ? custom.completions.map { value($0.label, $0.detail) } : []
        case .locationModifierOrPattern:
            guard index == 0 else { return [] }
            return [value("=", "exact match: the path equals the pattern"),
                    value("^", "prefix match: the path starts with the pattern"),
                    value("$", "suffix match: the path ends with the pattern (CGI)")]
        case .size, .time, .count, .path, .statusCode, .listenAddress, .serverName,
             .errorPageItem, .returnItem, .proxyURL, .text, .variableName:
            return []
        }
    }

    /// Common types offered when the configuration's own `types` do not name them.
    public static let builtInMimeTypes = [
        "text/html", "text/plain", "text/css", "text/xml", "text/javascript", "application/javascript",
        "application/json", "application/xml", "application/pdf", "application/zip", "application/octet-stream",
        "application/x-www-form-urlencoded", "multipart/form-data", "image/png", "image/jpeg", "image/gif",
        "image/svg+xml", "image/webp", "image/x-icon", "font/woff", "font/woff2", "audio/mpeg", "video/mp4",
    ]

    /// The types named in every `types` block of `files`, then the built-in
    /// ones they do not already name.
    public static func mimeTypes(in files: [ConfigFile]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        func collect(_ nodes: [Node], inTypes: Bool) {
            for case .directive(let directive) in nodes {
                if inTypes, Values.isMimeType(directive.nameText), seen.insert(directive.nameText).inserted {
                    result.append(directive.nameText)
                }
                if let block = directive.block { collect(block.nodes, inTypes: directive.nameText == "types") }
            }
        }
        for file in files { collect(file.nodes, inTypes: false) }
        return result + builtInMimeTypes.filter { seen.insert($0).inserted }
    }
}
