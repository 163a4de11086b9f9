/// Builds the AST of one file from its tokens. It recovers from every error
/// (records it, repairs the tree, goes on) so a user sees all independent
/// errors in one run; every loop consumes at least one token per turn.
public struct Parser {
    /// Deeper block nesting than this is an error: the parser and every walker
    /// of the tree recurse once per level, so the limit keeps them within the
    /// stack on any input (real configurations nest a handful of levels).
    public static let maxBlockDepth = 100

    public let file: SourceFile
    private var tokens: [Token] = []
    private var position = 0
    /// How many blocks enclose the current position.
    private var depth = 0
    /// The end-of-file error already reported for an inner unclosed block:
    /// outer unclosed blocks become notes on it instead of errors of their own.
    private var unclosedDiagnosticIndex: Int?
    /// An unterminated string swallowed the rest of the file: what is missing
    /// at its end (`;`, `}`) follows from that one error and is not reported.
    private var endSwallowed = false
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: SourceFile) {
        self.file = file
    }

    /// Lexes and parses the whole file.
    public static func parse(_ file: SourceFile) -> (ConfigFile, [Diagnostic]) {
        var parser = Parser(file: file)
        let nodes = parser.run()
        return (ConfigFile(source: file, nodes: nodes), parser.diagnostics)
    }

    private mutating func run() -> [Node] {
        var lexer = Lexer(file: file)
        tokens = lexer.tokenize()
        diagnostics = lexer.diagnostics
        endSwallowed = diagnostics.contains { $0.id == .syntaxUnterminatedString }
        position = 0
        return parseNodes(openedBy: nil).nodes
    }

    private var current: Token { tokens[position] }

    private func range(_ token: Token) -> SourceRange {
        SourceRange(file: file, start: token.start, end: token.end)
    }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    /// Parses nodes until the `}` that closes `opener` (or end of file).
    private mutating func parseNodes(openedBy opener: (directive: Argument?, brace: Token)?) -> (nodes: [Node], close: SourceRange?) {
        var nodes: [Node] = []
        // A `}` glued to a word (`root /x}`) is part of the word in nginx; it
        // is the usual cause of a block that never closes, so remember one.
        var wordEndingInBrace: Argument?
        var previousPosition = -1
        while true {
            // Progress check: every turn of this loop consumes a token or returns.
            assert(position > previousPosition, "parser made no progress")
            previousPosition = position
            let token = current
            switch token.kind {
            case .endOfFile:
                if let opener { reportUnclosed(opener, hint: wordEndingInBrace) }
                return (nodes, nil)
            case .closeBrace:
                advance()
                if opener != nil { return (nodes, range(token)) }
                diagnostics.append(.error(.syntaxUnexpectedCloseBrace,
                    "unexpected '}': there is no open block to close here", at: range(token)))
            case .semicolon:
                advance()
                diagnostics.append(.error(.syntaxEmptyDirective,
                    "unexpected ';' with no directive before it", at: range(token),
                    fixIt: .init(range: range(token), replacement: "")))
            case .openBrace:
                advance()
                diagnostics.append(.error(.syntaxBlockWithoutName,
                    "unexpected '{': a block must follow a directive name", at: range(token)))
                // Parse and drop the block so its `}` does not look unexpected.
                _ = parseBlock(openedBy: (nil, token))
            case .comment:
                advance()
                nodes.append(.comment(Comment(range: range(token))))
            case .word, .quoted:
                let directive = parseDirective()
                if let hint = directive.arguments.last(where: { !$0.isQuoted && $0.raw.hasSuffix("}") }) ??
                    (!directive.name.isQuoted && directive.name.raw.hasSuffix("}") ? directive.name : nil) {
                    wordEndingInBrace = hint
                }
                nodes.append(.directive(directive))
            }
        }
    }

    private mutating func parseDirective() -> Directive {
        let name = argument(current)
        advance()
        var arguments: [Argument] = []
        var innerComments: [(afterArgument: Int, comment: Comment)] = []
        while true {
            let token = current
            switch token.kind {
            case .word, .quoted:
                arguments.append(argument(token))
                advance()
            case .comment:
                innerComments.append((arguments.count, Comment(range: range(token))))
                advance()
            case .semicolon:
                advance()
                return Directive(name: name, arguments: arguments, innerComments: innerComments,
                                 block: nil, semicolon: range(token))
            case .openBrace:
                advance()
                let (nodes, close) = parseBlock(openedBy: (name, token))
                let block = Block(open: range(token), close: close, nodes: nodes)
                return Directive(name: name, arguments: arguments, innerComments: innerComments,
                                 block: block, semicolon: nil)
            case .endOfFile where endSwallowed:
                return Directive(name: name, arguments: arguments, innerComments: innerComments,
                                 block: nil, semicolon: nil)
            case .closeBrace, .endOfFile:
                // Leave the `}` or end of file to the enclosing block.
                let last = arguments.last ?? name
                let at = SourceRange(file: file, start: last.range.end, end: last.range.end)
                let before = token.kind == .closeBrace ? "before '}'" : "at the end of the file"
                diagnostics.append(.error(.syntaxMissingSemicolon,
                    "expected ';' after directive '\(name.value)' \(before)", at: at,
                    fixIt: .init(range: at, replacement: ";")))
                return Directive(name: name, arguments: arguments, innerComments: innerComments,
                                 block: nil, semicolon: nil)
            }
        }
    }

    /// The nodes of a block whose `{` was just consumed. Past `maxBlockDepth`
    /// the block is reported and skipped without recursing.
    private mutating func parseBlock(openedBy opener: (directive: Argument?, brace: Token)) -> (nodes: [Node], close: SourceRange?) {
        guard depth < Parser.maxBlockDepth else {
            diagnostics.append(.error(.syntaxTooDeep,
                "blocks are nested more than \(Parser.maxBlockDepth) levels deep; this block is skipped",
                at: range(opener.brace)))
            return ([], skipBlock())
        }
        depth += 1
        defer { depth -= 1 }
        return parseNodes(openedBy: opener)
    }

    /// Skips to the `}` that closes a block already opened (nil at end of file).
    private mutating func skipBlock() -> SourceRange? {
        var open = 1
        while true {
            let token = current
            switch token.kind {
            case .endOfFile: return nil
            case .openBrace: open += 1
            case .closeBrace:
                open -= 1
                if open == 0 { advance(); return range(token) }
            default: break
            }
            advance()
        }
    }

    private func argument(_ token: Token) -> Argument {
        let quote: UInt8? = token.kind == .quoted ? file.bytes[token.start] : nil
        return Argument(range: range(token), quote: quote)
    }

    private mutating func reportUnclosed(_ opener: (directive: Argument?, brace: Token), hint: Argument?) {
        if endSwallowed { return }
        let end = SourceRange(file: file, start: file.bytes.count, end: file.bytes.count)
        let what = opener.directive.map { "'\($0.value)' block" } ?? "block"
        if let index = unclosedDiagnosticIndex {
            diagnostics[index].notes.append(.init("the \(what) opened here is not closed either", at: range(opener.brace)))
            return
        }
        unclosedDiagnosticIndex = diagnostics.count
        var notes = [Diagnostic.Note("the \(what) opened here is not closed", at: range(opener.brace))]
        if let hint {
            notes.append(.init("this '}' is part of the word '\(hint.raw)' (as in nginx); put a space before it to close the block",
                               at: SourceRange(file: file, start: hint.range.end - 1, end: hint.range.end)))
        }
        diagnostics.append(.error(.syntaxUnclosedBlock,
            "unexpected end of file: expected '}' to close the \(what)", at: end, notes: notes,
            fixIt: .init(range: end, replacement: "}\n")))
    }
}
