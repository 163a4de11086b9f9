/// Lays out a parsed file: 4 spaces per block depth, one directive per line,
/// one space between arguments, at most one blank line, comments where they
/// were (own line, or line end), every argument and comment byte for byte.
/// Empty blocks are written `name {}`. Where the source broke a directive's
/// arguments over lines (long log_format or CSP values), the breaks are kept
/// and continuation lines get one more level of indentation.
public enum Formatter {
    public static let indentUnit = "    "

    /// The formatted text of a file that parsed without syntax errors.
    public static func format(_ file: ConfigFile) -> [UInt8] {
        var writer = LayoutWriter()
        writer.emit(file.nodes, depth: 0, openLine: nil)
        return writer.finish()
    }
}

private struct LayoutWriter {
    private var lines: [[UInt8]] = []
    /// Source line on which the last emitted item ended (for blank lines and line-end comments).
    private var lastSourceLine: Int?

    mutating func finish() -> [UInt8] {
        while lines.last?.isEmpty == true { lines.removeLast() }
        var output: [UInt8] = []
        output.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            output += line
            output.append(ASCII.lf)
        }
        return output
    }

    private func indent(_ depth: Int) -> [UInt8] { Array(repeating: ASCII.space, count: depth * Formatter.indentUnit.utf8.count) }

    private mutating func startLine(_ text: ArraySlice<UInt8>, depth: Int, sourceLine: Int) {
        // Keep one blank line where the source had one or more (never first in a block).
        if let last = lastSourceLine, sourceLine - last > 1, !(lines.last.map { $0.last == ASCII.openBrace } ?? true) {
            lines.append([])
        }
        lines.append(indent(depth) + text)
    }

    private mutating func appendToLine(_ text: [UInt8]) {
        if lines.isEmpty { lines.append(text) } else { lines[lines.count - 1] += text }
    }

    private mutating func appendToLine(_ text: String) { appendToLine(Array(text.utf8)) }

    /// A space, then the bytes of a token as written.
    private mutating func appendSpaced(_ range: SourceRange) {
        if lines.isEmpty { lines.append([]) }
        lines[lines.count - 1].append(ASCII.space)
        lines[lines.count - 1] += range.bytes
    }

    /// `openLine`: the source line of the `{` that opened this block, so a
    /// comment on that line stays after the `{`.
    mutating func emit(_ nodes: [Node], depth: Int, openLine: Int?) {
        lastSourceLine = openLine
        for node in nodes {
            switch node {
            case .comment(let comment):
                let line = comment.range.startLocation.line
                if let last = lastSourceLine, last == line, !lines.isEmpty {
                    appendSpaced(comment.range)
                } else {
                    startLine(comment.range.bytes, depth: depth, sourceLine: line)
                }
                lastSourceLine = line
            case .directive(let directive):
                emit(directive, depth: depth)
            }
        }
    }

    private mutating func emit(_ directive: Directive, depth: Int) {
        let nameLocation = directive.name.range.startLocation
        startLine(directive.name.range.bytes, depth: depth, sourceLine: nameLocation.line)
        var previousEndLine = directive.name.range.endLocation.line
        var comments = directive.innerComments[...]
        var lineEndedByComment = false

        func continuationLine(_ text: ArraySlice<UInt8>) {
            lines.append(indent(depth + 1) + text)
        }

        for (index, argument) in directive.arguments.enumerated() {
            while let next = comments.first, next.afterArgument <= index {
                appendComment(next.comment, previousEndLine: previousEndLine, depth: depth, ended: &lineEndedByComment)
                previousEndLine = next.comment.range.startLocation.line
                comments = comments.dropFirst()
            }
            let startLine = argument.range.startLocation.line
            if lineEndedByComment || startLine > previousEndLine {
                continuationLine(argument.range.bytes)
            } else {
                appendSpaced(argument.range)
            }
            lineEndedByComment = false
            previousEndLine = argument.range.endLocation.line
        }
        for remaining in comments {
            appendComment(remaining.comment, previousEndLine: previousEndLine, depth: depth, ended: &lineEndedByComment)
            previousEndLine = remaining.comment.range.startLocation.line
        }

        guard let block = directive.block else {
            if lineEndedByComment { continuationLine([ASCII.semicolon][...]) } else { appendToLine(";") }
            lastSourceLine = (directive.semicolon ?? directive.range).endLocation.line
            return
        }
        if lineEndedByComment { continuationLine([ASCII.openBrace][...]) } else { appendToLine(" {") }
        let openLine = block.open.startLocation.line
        if block.nodes.isEmpty {
            appendToLine("}")
        } else {
            emit(block.nodes, depth: depth + 1, openLine: openLine)
            lines.append(indent(depth) + [ASCII.closeBrace])
        }
        lastSourceLine = (block.close ?? block.open).startLocation.line
    }

    /// A comment between arguments always ends its output line.
    private mutating func appendComment(_ comment: Comment, previousEndLine: Int, depth: Int, ended: inout Bool) {
        if ended || comment.range.startLocation.line > previousEndLine {
            lines.append(indent(depth + 1) + comment.range.bytes)
        } else {
            appendSpaced(comment.range)
        }
        ended = true
    }
}
