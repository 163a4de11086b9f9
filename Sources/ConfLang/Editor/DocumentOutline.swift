/// The outline of one file: its servers (named by server_name, else listen)
/// and their locations (named by modifier and pattern). Other blocks (`http`,
/// `events`) are looked through; includes are not followed, since an
/// outline shows the file's own text.
public enum DocumentOutline {
    public struct Symbol {
        public enum Kind: Equatable { case server, location }
        public let name: String
        public let detail: String
        public let kind: Kind
        /// The whole directive, block included.
        public let range: SourceRange
        /// What to highlight: the server's name token, the location's pattern.
        public let selectionRange: SourceRange
        public let children: [Symbol]
    }

    public static func symbols(in file: ConfigFile) -> [Symbol] {
        symbols(in: file.nodes)
    }

    private static func symbols(in nodes: [Node]) -> [Symbol] {
        var result: [Symbol] = []
        for case .directive(let directive) in nodes {
            guard let block = directive.block else { continue }
            switch directive.nameText {
            case "server": result.append(server(directive, block))
            case "location": result.append(location(directive, block))
            default: result += symbols(in: block.nodes)
            }
        }
        return result
    }

    private static func server(_ directive: Directive, _ block: Block) -> Symbol {
        let names = block.directives.filter { $0.nameText == "server_name" }.flatMap(\.arguments).map(\.value)
        let listens = block.directives.filter { $0.nameText == "listen" }
            .map { $0.arguments.map(\.value).joined(separator: " ") }
        let listenText = listens.isEmpty ? "" : "listen " + listens.joined(separator: ", ")
        let name: String
        let detail: String
        if !names.isEmpty {
            name = names.joined(separator: " ")
            detail = listenText
        } else {
            name = listenText.isEmpty ? "server" : listenText
            detail = ""
        }
        return Symbol(name: name, detail: detail, kind: .server, range: directive.range,
                      selectionRange: directive.name.range, children: symbols(in: block.nodes))
    }

    private static func location(_ directive: Directive, _ block: Block) -> Symbol {
        let arguments = directive.arguments
        let name = arguments.isEmpty ? "location" : arguments.map(\.value).joined(separator: " ")
        var selection = directive.name.range
        if let first = arguments.first, let last = arguments.last { selection = first.range.extended(to: last.range) }
        let settings = block.directives.filter { $0.nameText != "location" }.map(\.nameText)
        return Symbol(name: name, detail: settings.joined(separator: ", "), kind: .location, range: directive.range,
                      selectionRange: selection, children: symbols(in: block.nodes))
    }
}
