/// A directive's name or argument as written.
public struct Argument {
    public let range: SourceRange
    /// `"` or `'` for a quoted argument, nil for a bare word.
    public let quote: UInt8?

    public init(range: SourceRange, quote: UInt8?) {
        self.range = range
        self.quote = quote
    }

    public var isQuoted: Bool { quote != nil }

    /// Exactly the bytes of the source, quotes included (what the formatter writes).
    public var raw: String { range.text }

    /// The value nginx uses: quotes removed and `\" \' \\ \n \t \r` replaced
    /// (in bare words too, as nginx does); any other backslash pair is kept.
    public var value: String {
        WorkCounter.count()
        let (start, end) = contentBounds
        let content = range.file.bytes[start..<end]
        // Most values have no backslash: decoded straight from the source, a short one without allocating.
        guard content.contains(ASCII.backslash) else { return String(decoding: content, as: UTF8.self) }
        return String(decoding: ArgumentEscapes.unescape(content), as: UTF8.self)
    }

    /// The value crossplane 0.5.8 reports: quotes removed, only the escaped
    /// delimiting quote unescaped, every other backslash kept as written.
    public var crossplaneValue: String {
        let (start, end) = contentBounds
        let content = range.file.bytes[start..<end]
        guard let quote else { return String(decoding: content, as: UTF8.self) }
        return String(decoding: ArgumentEscapes.unescapeQuote(quote, in: content), as: UTF8.self)
    }

    /// The value without quotes and without escape processing.
    public var contentText: String {
        let (start, end) = contentBounds
        return range.file.text(start..<end)
    }

    private var contentBounds: (Int, Int) {
        guard let quote else { return (range.start, range.end) }
        let bytes = range.file.bytes
        let start = range.start + 1
        // An unterminated string runs to the end of the file without a closing quote.
        let closed = range.end - range.start >= 2 && bytes[range.end - 1] == quote
        return (start, closed ? range.end - 1 : range.end)
    }
}

enum ArgumentEscapes {
    /// The language's escapes: `\" \' \\ \n \t \r`; any other backslash pair is kept as written.
    static func unescape(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        rewritingBackslashPairs(bytes) { next, result in
            switch next {
            case ASCII.doubleQuote, ASCII.singleQuote, ASCII.backslash: result.append(next)
            case UInt8(ascii: "n"): result.append(ASCII.lf)
            case UInt8(ascii: "t"): result.append(ASCII.tab)
            case UInt8(ascii: "r"): result.append(ASCII.cr)
            default: result.append(ASCII.backslash); result.append(next)
            }
        }
    }

    /// Only the escaped delimiting quote unescaped (crossplane's arguments).
    static func unescapeQuote(_ quote: UInt8, in bytes: ArraySlice<UInt8>) -> [UInt8] {
        rewritingBackslashPairs(bytes) { next, result in
            if next != quote { result.append(ASCII.backslash) }
            result.append(next)
        }
    }

    /// `bytes` with each backslash pair replaced by what `pair` appends for
    /// its second byte (a lone backslash at the end stays).
    private static func rewritingBackslashPairs(_ bytes: ArraySlice<UInt8>,
                                                _ pair: (UInt8, inout [UInt8]) -> Void) -> [UInt8] {
        guard bytes.contains(ASCII.backslash) else { return Array(bytes) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == ASCII.backslash && index + 1 < bytes.endIndex {
                pair(bytes[index + 1], &result)
                index += 2
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }
}
