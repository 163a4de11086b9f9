/// What stands at an editor's cursor in one file: the enclosing block and
/// its context, and whether a directive name or an argument is being typed.
/// Worked out from the recovered parse, so half-typed text works too.
public struct CursorContext {
    public enum Role {
        /// At the start of a statement; `prefix` is the part of the name
        /// already typed, `replacing` its range (empty when nothing is typed).
        case directiveName(prefix: String, replacing: SourceRange)
        /// Typing argument `index` of `directive`.
        case argument(directive: Directive, index: Int, prefix: String, replacing: SourceRange)
        /// Inside a comment or a quoted string: nothing to offer.
        case none
    }

    /// The context the cursor's block stands in; nil in a block the table does not know.
    public let context: Context?
    /// The directive whose block holds the cursor (nil at the top level).
    public let enclosingBlock: Directive?
    /// The other directives of that block, for leaving out names already set.
    public let siblings: [Directive]
    public let role: Role

    /// `topContext` is where the file's top level stands (main, or where a
    /// fragment is included).
    public static func at(_ offset: Int, in file: ConfigFile, topContext: Context) -> CursorContext {
        var nodes = file.nodes
        var context: Context? = topContext
        var enclosing: Directive?
        // Descend into the innermost block whose braces hold the cursor.
        descending: while true {
            for case .directive(let directive) in nodes {
                guard let block = directive.block, block.open.end <= offset,
                      block.close.map({ offset <= $0.start }) ?? true else { continue }
                nodes = block.nodes
                context = Placements.innerContext(of: directive)
                enclosing = directive
                continue descending
            }
            break
        }
        let directives = nodes.compactMap { node -> Directive? in
            if case .directive(let directive) = node { return directive } else { return nil }
        }
        let inComment = nodes.contains { node in
            if case .comment(let comment) = node { return comment.range.start < offset && offset <= comment.range.end }
            return false
        }
        let role = inComment ? .none : role(at: offset, among: directives, file: file.source)
        let current: Directive? = {
            switch role {
            case .argument(let directive, _, _, _): return directive
            case .directiveName(_, let range):
                return directives.first { $0.name.range.start == range.start }
            case .none: return nil
            }
        }()
        return CursorContext(context: context, enclosingBlock: enclosing,
                             siblings: directives.filter { $0 !== current }, role: role)
    }

    private static func role(at offset: Int, among directives: [Directive], file: SourceFile) -> Role {
        let empty = SourceRange(file: file, start: offset, end: offset)
        guard let directive = directives.last(where: { $0.name.range.start <= offset }),
              isOpen(directive, at: offset) else {
            return .directiveName(prefix: "", replacing: empty)
        }
        if directive.innerComments.contains(where: { $0.comment.range.start < offset && offset <= $0.comment.range.end }) {
            return .none
        }
        let name = directive.name
        if offset <= name.range.end {
            guard !name.isQuoted else { return .none }
            let range = SourceRange(file: file, start: name.range.start, end: offset)
            return .directiveName(prefix: range.text, replacing: range)
        }
        let arguments = directive.arguments
        var index = arguments.filter { $0.range.end < offset }.count
        var replacing = empty
        if let (position, argument) = arguments.enumerated().first(where: { $0.element.range.start < offset && offset <= $0.element.range.end }) {
            guard !argument.isQuoted else { return .none }
            index = position
            replacing = SourceRange(file: file, start: argument.range.start, end: offset)
        }
        // A directive missing its ';' swallows the next line; when it already
        // has all its arguments, the cursor there starts a new statement.
        let previousEnd = index == 0 ? name.range.end : arguments[index - 1].range.end
        if let maximum = DirectiveTable.spec(named: directive.nameText)?.maxArguments, index >= maximum,
           file.location(of: replacing.start).line > file.location(of: previousEnd).line {
            return .directiveName(prefix: replacing.text, replacing: replacing)
        }
        return .argument(directive: directive, index: index, prefix: replacing.text, replacing: replacing)
    }

    /// The cursor is still inside the directive's statement: no `;` or `{` before it.
    private static func isOpen(_ directive: Directive, at offset: Int) -> Bool {
        if let semicolon = directive.semicolon, semicolon.start < offset { return false }
        if let block = directive.block, block.open.start < offset { return false }
        return true
    }
}

extension ConfigFile {
    /// The innermost directive whose text holds `offset` (end inclusive, so a
    /// cursor just after a word still counts), with its enclosing block directives.
    public func directive(at offset: Int) -> (directive: Directive, ancestors: [Directive])? {
        var nodes = self.nodes
        var ancestors: [Directive] = []
        var found: Directive?
        while true {
            guard let directive = nodes.lazy.compactMap({ node -> Directive? in
                if case .directive(let directive) = node { return directive } else { return nil }
            }).first(where: { $0.range.start <= offset && offset <= $0.range.end }) else { break }
            found = directive
            guard let block = directive.block, block.open.end <= offset,
                  block.close.map({ offset <= $0.start }) ?? true else { break }
            ancestors.append(directive)
            nodes = block.nodes
            found = nil
        }
        guard let found else { return nil }
        return (found, ancestors)
    }
}

extension Directive {
    /// The name or argument whose text holds `offset` (end inclusive).
    public func token(at offset: Int) -> (index: Int?, argument: Argument)? {
        if name.range.start <= offset && offset <= name.range.end { return (nil, name) }
        for (index, argument) in arguments.enumerated() where argument.range.start <= offset && offset <= argument.range.end {
            return (index, argument)
        }
        return nil
    }
}
