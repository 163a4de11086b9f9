/// A lexical token. Tokens only remember byte offsets into their file;
/// text and values are derived from the bytes when asked for.
public struct Token {
    public enum Kind: Equatable {
        /// An unquoted word (`server`, `/a}b`, `${uri}`, `\;`).
        case word
        /// A `"..."` or `'...'` string; the range includes the quotes.
        case quoted
        case semicolon
        case openBrace
        case closeBrace
        /// `#` to the end of the line; the range includes `#`, not the line break.
        case comment
        case endOfFile
    }

    public let kind: Kind
    public let start: Int
    public let end: Int

    public init(kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }
}

enum ASCII {
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    static let semicolon = UInt8(ascii: ";"), openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let hash = UInt8(ascii: "#"), backslash = UInt8(ascii: "\\"), dollar = UInt8(ascii: "$")
    static let doubleQuote = UInt8(ascii: "\""), singleQuote = UInt8(ascii: "'"), closeParen = UInt8(ascii: ")")

    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == lf || byte == cr
    }
}
