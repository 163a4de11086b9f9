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
        var found: [String] = []
        var next = 0
        while let index = firstIndex(of: name, from: next) {
            found.append(text(spans[index].value))
            next = index + 1
        }
        return found
    }

    subscript(_ name: String) -> String? {
        firstIndex(of: name, from: 0).map { text(spans[$0].value) }
    }

    /// The first field named `name` (in any case) as its value's bytes,
    /// handed to `body` without making a String; nil when there is none.
    /// For the fields looked at on every request (gzip's Accept-Encoding, Via).
    func withValue<Result>(_ name: StaticString, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        name.withUTF8Buffer { expected in
            block.withUnsafeBufferPointer { bytes in
                for span in spans where HTTPHeaders.equal(span.name, expected, in: bytes) {
                    return body(UnsafeBufferPointer(rebasing: bytes[Int(span.value.lowerBound)..<Int(span.value.upperBound)]))
                }
                return nil
            }
        }
    }

    func contains(_ name: StaticString) -> Bool { withValue(name) { _ in true } ?? false }

    /// The same fields without those named `names` (in any case).
    func removing(_ names: [String]) -> HTTPHeaders {
        let names = names.map { Array($0.utf8) }
        return block.withUnsafeBufferPointer { bytes in
            HTTPHeaders(block: block, spans: spans.filter { span in
                !names.contains { name in name.withUnsafeBufferPointer { HTTPHeaders.equal(span.name, $0, in: bytes) } }
            })
        }
    }

    private func text(_ range: Range<Int32>) -> String {
        String(decoding: block[Int(range.lowerBound)..<Int(range.upperBound)], as: UTF8.self)
    }

    /// The first field named `name` (in any case) from the `start`th on. Over
    /// the arrays' memory, lengths first: most names asked for are not there,
    /// and a length differs.
    private func firstIndex(of name: String, from start: Int) -> Int? {
        var name = name
        return name.withUTF8 { expected in
            block.withUnsafeBufferPointer { bytes in
                spans.withUnsafeBufferPointer { spans in
                    (start..<spans.count).first { HTTPHeaders.equal(spans[$0].name, expected, in: bytes) }
                }
            }
        }
    }

    private static func equal(_ name: Range<Int32>, _ expected: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == expected.count else { return false }
        let first = Int(name.lowerBound)
        for offset in 0..<expected.count where ASCIICase.lower(bytes[first + offset]) != ASCIICase.lower(expected[offset]) {
            return false
        }
        return true
    }
}

enum HTTPVersion: String {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
    /// A stream of an HTTP/2 connection (the access log's `HTTP/2.0`, as nginx's).
    case http2 = "HTTP/2.0"
}

/// A parsed and validated request head. A class: the loop hands it from
/// the parser to the handler, the body reception and the upstream, and a
/// struct of this many strings was copied at every step. Immutable: an
/// internal redirect makes a new one (`redirected`), and reading a field of
/// an immutable object costs no reference counting.
final class RequestHead {
    let method: String
    /// The request-target as sent.
    let target: String
    /// Percent-decoded, dot-segments resolved; always starts with `/`.
    let path: String
    let query: String?
    let version: HTTPVersion
    let headers: HTTPHeaders
    /// From the Host header, or from an absolute-form target.
    let host: String?
    let contentLength: Int?
    let isChunked: Bool

    /// HTTP/1.1 keeps the connection unless told `close`; 1.0 only with `keep-alive`.
    let wantsKeepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    let expectsContinue: Bool
    /// The method the client sent, when an internal redirect's GET answers for it (the access log's).
    private let originalMethod: String?
    var clientMethod: String { originalMethod ?? method }
    /// Header lines dropped for a name with an underscore (nginx's default
    /// `underscores_in_headers off`), for the error log.
    var ignoredFields: [String] { ignoredLines ?? [] }
    var hasIgnoredFields: Bool { ignoredLines != nil }
    /// nil when there are none (nearly always): no array to keep and free per request.
    private let ignoredLines: [String]?

    init(method: String, target: String, path: String, query: String?, version: HTTPVersion, headers: HTTPHeaders,
         host: String?, contentLength: Int?, isChunked: Bool, wantsKeepAlive: Bool, expectsContinue: Bool,
         originalMethod: String? = nil, ignoredFields: [String]? = nil) {
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
        self.originalMethod = originalMethod
        self.ignoredLines = ignoredFields
    }

    /// An internal redirect's request: a GET of `path` and `query` without a
    /// body, with the original's fields, as nginx's. `keepingFields` false (an
    /// error page): without the conditionals and Range, which would make the
    /// page a 304 or a part of itself (nginx applies them only to a 200). A HEAD
    /// stays a HEAD, as in nginx: its answer must not get a body on the way.
    func redirected(path: String, query: String?, keepingFields: Bool, wantsKeepAlive: Bool? = nil) -> RequestHead {
        RequestHead(method: method == "HEAD" ? "HEAD" : "GET", target: target, path: path, query: query, version: version,
                    headers: keepingFields ? headers : headers.removing(RequestHead.pageConditionals), host: host,
                    contentLength: nil, isChunked: false, wantsKeepAlive: wantsKeepAlive ?? self.wantsKeepAlive,
                    expectsContinue: false, originalMethod: clientMethod)
    }

    private static let pageConditionals = ["If-Modified-Since", "If-Unmodified-Since", "If-None-Match", "If-Match", "If-Range", "Range"]

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
