/// Splits a file into tokens by nginx's rules (ngx_conf_read_token), keeping
/// comments so the formatter can reproduce them. Never fails: problems become
/// diagnostics and lexing goes on.
public struct Lexer {
    /// nginx reads a configuration through a 4096-byte buffer and rejects a
    /// token that does not fit; the same limit keeps files portable to nginx.
    public static let maxTokenBytes = 4096

    public let file: SourceFile
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: SourceFile) {
        self.file = file
    }

    public mutating func tokenize() -> [Token] {
        let bytes = file.bytes
        let count = bytes.count
        var tokens: [Token] = []
        tokens.reserveCapacity(count / 6)
        var index = file.contentStart
        while index < count {
            let byte = bytes[index]
            if ASCII.isWhitespace(byte) { index += 1; continue }
            switch byte {
            case ASCII.semicolon:
                tokens.append(Token(kind: .semicolon, start: index, end: index + 1)); index += 1
            case ASCII.openBrace:
                tokens.append(Token(kind: .openBrace, start: index, end: index + 1)); index += 1
            case ASCII.closeBrace:
                tokens.append(Token(kind: .closeBrace, start: index, end: index + 1)); index += 1
            case ASCII.hash:
                var end = index
                while end < count && bytes[end] != ASCII.lf { end += 1 }
                // Every CR before the line break goes with it (nginx ignores them): a
                // comment ending in a CR would read differently once the formatter ends its line.
                var textEnd = end
                while textEnd > index + 1 && bytes[textEnd - 1] == ASCII.cr { textEnd -= 1 }
                tokens.append(Token(kind: .comment, start: index, end: textEnd))
                index = end
            case ASCII.doubleQuote, ASCII.singleQuote:
                index = lexQuoted(from: index, quote: byte, into: &tokens)
            default:
                index = lexWord(from: index, into: &tokens)
            }
        }
        tokens.append(Token(kind: .endOfFile, start: count, end: count))
        return tokens
    }

    private mutating func lexWord(from start: Int, into tokens: inout [Token]) -> Int {
        let bytes = file.bytes
        let count = bytes.count
        var index = start
        // nginx: a `{` right after `$` belongs to the word (`${name}`).
        var afterDollar = false
        while index < count {
            let byte = bytes[index]
            if byte == ASCII.openBrace && afterDollar { afterDollar = false; index += 1; continue }
            afterDollar = false
            if byte == ASCII.backslash { index = min(index + 2, count); continue }
            if byte == ASCII.dollar { afterDollar = true; index += 1; continue }
            if ASCII.isWhitespace(byte) || byte == ASCII.semicolon || byte == ASCII.openBrace { break }
            index += 1
        }
        tokens.append(Token(kind: .word, start: start, end: index))
        checkLength(start: start, end: index)
        return index
    }

    private mutating func lexQuoted(from start: Int, quote: UInt8, into tokens: inout [Token]) -> Int {
        let bytes = file.bytes
        let count = bytes.count
        var index = start + 1
        while index < count && bytes[index] != quote {
            index += bytes[index] == ASCII.backslash ? 2 : 1
        }
        guard index < count else {
            let name = quote == ASCII.doubleQuote ? "double" : "single"
            diagnostics.append(.error(
                .syntaxUnterminatedString,
                "unterminated \(name)-quoted string: end of file reached before its closing \(Character(Unicode.Scalar(quote)))",
                at: SourceRange(file: file, start: start, end: start + 1)))
            tokens.append(Token(kind: .quoted, start: start, end: count))
            return count
        }
        let end = index + 1
        tokens.append(Token(kind: .quoted, start: start, end: end))
        checkLength(start: start, end: end)
        if end < count {
            let next = bytes[end]
            if !(ASCII.isWhitespace(next) || next == ASCII.semicolon || next == ASCII.openBrace || next == ASCII.closeParen) {
                let shown = describe(byteAt: end)
                diagnostics.append(.error(
                    .syntaxTextAfterQuote,
                    "unexpected \(shown) after the closing quote; a quoted string must be followed by a space, ';' or '{' (quote the whole argument, or add a space)",
                    at: SourceRange(file: file, start: end, end: end + 1),
                    fixIt: .init(range: SourceRange(file: file, start: end, end: end), replacement: " ")))
            }
        }
        return end
    }

    private mutating func checkLength(start: Int, end: Int) {
        guard end - start > Lexer.maxTokenBytes else { return }
        diagnostics.append(.error(
            .syntaxTokenTooLong,
            "token is \(end - start) bytes long; the limit is \(Lexer.maxTokenBytes) bytes, as in nginx (a missing closing quote?)",
            at: SourceRange(file: file, start: start, end: start + 1)))
    }

    private func describe(byteAt offset: Int) -> String {
        let byte = file.bytes[offset]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}
