/// Header fields in arrival order, kept as ranges of the head's bytes and
/// looked up without regard to case: a name or value
/// becomes a String only when asked for (most fields of most requests never are).
struct HTTPHeaders {
    /// Where a field's name and value are in `block` (the whole head as received).
    struct Span {
        let name: Range<Int32>
        let value: Range<Int32>
    }

    private var block: [UInt8] = []
    private var spans: [Span] = []

    init() {}

    /// `spans` index `block`.
    init(block: [UInt8], spans: [Span]) {
        self.block = block
        self.spans = spans
    }

    var count: Int { spans.count }

    /// Every field as strings, for the few users of all of them (a CGI
    /// environment, a proxied request).
    var fields: [(name: String, value: String)] {
        spans.map { (text($0.name), text($0.value)) }
    }

    func values(_ name: String) -> [String] {
        spans.filter { matches($0, name) }.map { text($0.value) }
    }

    subscript(_ name: String) -> String? {
        spans.first { matches($0, name) }.map { text($0.value) }
    }

    private func text(_ range: Range<Int32>) -> String {
        String(decoding: block[Int(range.lowerBound)..<Int(range.upperBound)], as: UTF8.self)
    }

    /// Lengths first: most names asked for are not there, and a length differs.
    private func matches(_ span: Span, _ name: String) -> Bool {
        let count = span.name.count
        guard name.utf8.count == count else { return false }
        var name = name
        return name.withUTF8 { expected in
            block.withUnsafeBufferPointer { bytes in
                let start = Int(span.name.lowerBound)
                for offset in 0..<count where ASCIICase.lower(bytes[start + offset]) != ASCIICase.lower(expected[offset]) {
                    return false
                }
                return true
            }
        }
    }
}

enum HTTPVersion: String {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

/// A parsed and validated request head. A class: the loop hands it from
/// the parser to the handler, the body reception and the upstream, and a
/// struct of this many strings was copied at every step.
final class RequestHead {
    /// Only an internal redirect's copy (`copy()`) changes its fields.
    var method: String
    /// The request-target as sent.
    let target: String
    /// Percent-decoded, dot-segments resolved; always starts with `/`.
    var path: String
    var query: String?
    let version: HTTPVersion
    var headers: HTTPHeaders
    /// From the Host header, or from an absolute-form target.
    let host: String?
    var contentLength: Int?
    var isChunked: Bool

    /// HTTP/1.1 keeps the connection unless told `close`; 1.0 only with `keep-alive`.
    var wantsKeepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    var expectsContinue: Bool

    init(method: String, target: String, path: String, query: String?, version: HTTPVersion, headers: HTTPHeaders,
         host: String?, contentLength: Int?, isChunked: Bool, wantsKeepAlive: Bool, expectsContinue: Bool) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.host = host
        self.contentLength = contentLength
        self.isChunked = isChunked
        self.wantsKeepAlive = wantsKeepAlive
        self.expectsContinue = expectsContinue
    }

    /// A copy to change: an internal redirect's request must not alter the original's.
    func copy() -> RequestHead {
        RequestHead(method: method, target: target, path: path, query: query, version: version, headers: headers,
                    host: host, contentLength: contentLength, isChunked: isChunked, wantsKeepAlive: wantsKeepAlive,
                    expectsContinue: expectsContinue)
    }

    var hasBody: Bool { isChunked || (contentLength ?? 0) > 0 }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { ASCIICase.lower($0) == ASCIICase.lower($1) }
    }

    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

enum ASCIICase {
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte)
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte)
    }
}
