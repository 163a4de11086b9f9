/// One parsed file: its nodes in order, comments included.
public final class ConfigFile {
    public let source: SourceFile
    public let nodes: [Node]
    /// The include that first brought this file in (nil for the main file);
    /// its chain gives the `included from` notes of syntax diagnostics.
    public internal(set) var includedFrom: Directive?
    /// The file that holds `includedFrom`.
    public internal(set) weak var includer: ConfigFile?

    public init(source: SourceFile, nodes: [Node]) {
        self.source = source
        self.nodes = nodes
    }

    public var path: String { source.path }
}

public enum Node {
    case directive(Directive)
    case comment(Comment)

    public var range: SourceRange {
        switch self {
        case .directive(let directive): return directive.range
        case .comment(let comment): return comment.range
        }
    }
}

public struct Comment {
    /// From `#` to the end of the line, line break excluded.
    public let range: SourceRange
    /// The text after `#`, as crossplane reports it.
    public var text: String { String(range.text.dropFirst()) }
    public var raw: String { range.text }
}

public final class Directive {
    public let name: Argument
    public let arguments: [Argument]
    /// Comments that stand between the arguments; `afterArgument` is how many
    /// arguments precede the comment.
    public let innerComments: [(afterArgument: Int, comment: Comment)]
    public let block: Block?
    /// The `;` that ends a simple directive (nil for blocks, or when missing).
    public let semicolon: SourceRange?
    /// Filled in by include resolution for `include` directives: the files it
    /// brought in, in glob order. Their nodes stand where the include stands.
    public internal(set) var includedFiles: [ConfigFile] = []
    /// Included files that close a cycle or nest too deep: reported once,
    /// and walkers must not follow them.
    public internal(set) var cutTargets = Set<ObjectIdentifier>()

    /// The included files a walker may descend into.
    public var followableIncludes: [ConfigFile] {
        cutTargets.isEmpty ? includedFiles : includedFiles.filter { !cutTargets.contains(ObjectIdentifier($0)) }
    }

    public init(name: Argument, arguments: [Argument], innerComments: [(afterArgument: Int, comment: Comment)],
                block: Block?, semicolon: SourceRange?) {
        self.name = name
        self.arguments = arguments
        self.innerComments = innerComments
        self.block = block
        self.semicolon = semicolon
        self.storedName = name.value
    }

    /// Read for every directive by every pass: decoded once.
    private let storedName: String

    /// The name as nginx reads it (quotes and escapes processed).
    public var nameText: String {
        WorkCounter.count()
        return storedName
    }
    public var isInclude: Bool { nameText == "include" }

    public var file: SourceFile { name.range.file }

    /// From the name to the `;` or the closing `}` (or the last token present).
    public var range: SourceRange {
        var end = name.range.end
        if let last = arguments.last { end = max(end, last.range.end) }
        if let semicolon { end = max(end, semicolon.end) }
        if let block { end = max(end, (block.close ?? block.open).end) }
        return SourceRange(file: file, start: name.range.start, end: end)
    }
}

public struct Block {
    public let open: SourceRange
    /// nil when the file ended before the block was closed.
    public let close: SourceRange?
    public let nodes: [Node]

    public var directives: [Directive] {
        nodes.compactMap { if case .directive(let directive) = $0 { return directive } else { return nil } }
    }
}

extension ConfigFile {
    public var directives: [Directive] {
        nodes.compactMap { if case .directive(let directive) = $0 { return directive } else { return nil } }
    }
}
