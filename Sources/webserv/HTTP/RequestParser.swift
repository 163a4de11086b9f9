import Glibc
// PathNormalizer is ConfLang's (shared with `confcheck --explain`); the fuzz
// targets compile its file into this module instead (fuzz/common.sh).
#if canImport(ConfLang)
import ConfLang
#endif

/// Limits on the request head, from `large_client_header_buffers N SIZE`:
/// the request line and each header line must fit in SIZE, the whole head in N*SIZE.
struct RequestLimits {
    var maxLineBytes = 8192
    var maxHeadBytes = 4 * 8192
    /// nginx has no count of its own but takes about a thousand short fields;
    /// this bounds the memory a head of tiny fields costs.
    var maxHeaderCount = 1000
    /// A stream's request from the HTTP/2 driver, whose request line says `HTTP/2.0`.
    var acceptsHTTP2 = false
}

/// An incremental HTTP/1.x request-head parser (RFC 9112). Bytes may arrive
/// in any pieces; it remembers where it stopped, so total work is linear.
/// It never throws: a bad request is a status code. A class: the connection
/// keeps one while a head arrives and parses in place (a struct of this
/// many fields was copied on its way in and out of the connection); one
/// that parses a whole head within a call is kept off the heap by the
/// compiler (`Connection.parseHead`). Lines are read through the buffer's
/// memory, unchecked in release builds: the fuzz target `request_head`
/// (under AddressSanitizer) is what checks the indices.
final class RequestParser {
    /// A line of the head: a slice of the buffer being parsed, indexed as the buffer.
    typealias Line = Slice<UnsafeBufferPointer<UInt8>>

    enum Result: Equatable {
        case needMore
        /// `consumed` bytes of the buffer belong to the head; the rest is body or the next request.
        case head(consumed: Int)
        case error(status: Int)
    }

    var limits: RequestLimits
    private(set) var head: RequestHead?

    private var scanned = 0
    private var lineStart = 0
    private var sawRequestLine = false
    /// The method as soon as the request line names one (even when the request
    /// then fails), so an error answer to HEAD goes without its body.
    private(set) var method = ""
    private var target = "", version = HTTPVersion.http11
    /// The header fields' places in the buffer.
    private var spans: [HTTPHeaders.Span] = []
    /// The fields the server itself acts on, noted as they are parsed.
    private var hostValue: String?
    private var hostCount = 0
    private var contentLengths: [String] = []
    private var transferCodings: [String] = []
    private var connectionTokens: [String] = []
    private var expectValue: String?
    /// Lines of fields dropped for an underscore in their name (nil while
    /// there are none, as in nearly every request: no array to make and free).
    private var ignoredLines: [String]?
    /// Where the request line is in the buffer, once it has arrived whole.
    private var requestLineRange: Range<Int>?
    /// A request refused after its request line arrived: that line and the
    /// fields read before the refusal, for the access log (as nginx logs them).
    private(set) var rejected: (requestLine: String, headers: HTTPHeaders)?

    @inline(__always)   // one per request (Connection.parseHead): a call of its own was measured to cost more
    init(limits: RequestLimits = RequestLimits()) {
        self.limits = limits
    }

    /// Parses `buffer` (all bytes received for this request so far).
    func parse(_ buffer: [UInt8]) -> Result {
        // Over the buffer's memory: lines are slices of it, with no reference counting or copies.
        var result = buffer.withUnsafeBufferPointer(parseLines)
        if case .head(let consumed) = result { result = finish(consumed: consumed, buffer: buffer) }
        if case .error = result, let line = requestLineRange {
            rejected = (String(decoding: buffer[line], as: UTF8.self), HTTPHeaders(block: buffer, spans: spans))
        }
        return result
    }

    /// `.head` when the empty line ending the head is reached (`finish` then builds it).
    private func parseLines(_ buffer: UnsafeBufferPointer<UInt8>) -> Result {
        while scanned < buffer.count {
            guard let newline = RequestParser.index(of: UInt8(ascii: "\n"), in: buffer, from: scanned) else {
                scanned = buffer.count
                if isImpossibleRequestLineStart(buffer[lineStart...]) { return .error(status: 400) }
                // Its line end is still to come: at least one byte more.
                let result = checkLine(length: buffer.count - lineStart + 1)
                if case .error = result, !sawRequestLine { noteMethod(of: buffer[lineStart...]) }
                return result
            }
            var end = newline
            if end > lineStart && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = buffer[lineStart..<end]
            // As when it arrives in pieces: an impossible start is 400 before its length counts.
            if !sawRequestLine && isImpossibleRequestLineStart(line) { return .error(status: 400) }
            if case .error(let status) = checkLine(length: newline + 1 - lineStart) {
                if !sawRequestLine { noteMethod(of: buffer[lineStart..<end]) }
                return .error(status: status)
            }
            scanned = newline + 1
            lineStart = scanned
            if !sawRequestLine {
                // RFC 9112 §2.2: empty lines before the request line are ignored.
                if line.isEmpty { continue }
                requestLineRange = line.startIndex..<line.endIndex
                if let status = parseRequestLine(line) { return .error(status: status) }
                sawRequestLine = true
                continue
            }
            if line.isEmpty { return .head(consumed: scanned) }
            if lineStart > limits.maxHeadBytes || spans.count >= limits.maxHeaderCount { return .error(status: 431) }
            if let status = parseHeaderLine(line) { return .error(status: status) }
        }
        return .needMore
    }

    /// A line, its CRLF included, must fit in one `large_client_header_buffers`
    /// buffer, as in nginx.
    private func checkLine(length: Int) -> Result {
        guard length > limits.maxLineBytes else { return .needMore }
        return .error(status: sawRequestLine ? 431 : 414)
    }

    private func parseRequestLine(_ line: Line) -> Int? {
        // method SP request-target SP HTTP-version. As nginx does (and RFC 9112
        // §3 allows), runs of spaces between the parts and after the version are accepted.
        let space = UInt8(ascii: " ")
        var index = line.startIndex
        func word() -> Line {
            while index < line.endIndex && line[index] == space { index += 1 }
            let start = index
            while index < line.endIndex && line[index] != space { index += 1 }
            return line[start..<index]
        }
        guard line.first != space else { return 400 }
        let methodBytes = word(), targetBytes = word(), versionBytes = word()
        guard methodBytes.allSatisfy(HTTPSyntax.isMethodByte) else { return 400 }
        // Noted before the rest can fail: a HEAD refused as 400 goes without its page.
        method = RequestParser.commonMethod(methodBytes) ?? String(decoding: methodBytes, as: UTF8.self)
        guard word().isEmpty, !versionBytes.isEmpty else { return 400 }
        // A URI is ASCII: clients percent-encode everything else (RFC 3986).
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return 400 }
        target = String(decoding: targetBytes, as: UTF8.self)
        if RequestParser.isHTTP1(versionBytes, minor: UInt8(ascii: "1")) { version = .http11; return nil }
        if RequestParser.isHTTP1(versionBytes, minor: UInt8(ascii: "0")) { version = .http10; return nil }
        // HTTP-version is exactly `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3):
        // HTTP/1.x with x > 1 is answered as 1.1 (RFC 9110 §2.5, as nginx);
        // another major version is 505; anything else (`HTTP/01.01`) is 400.
        let numbers = Array(versionBytes.dropFirst(5))
        guard versionBytes.starts(with: "HTTP/".utf8), numbers.count == 3, numbers[1] == UInt8(ascii: "."),
              ASCIICase.isDigit(numbers[0]), ASCIICase.isDigit(numbers[2]) else { return 400 }
        let major = numbers[0] - UInt8(ascii: "0"), minor = numbers[2] - UInt8(ascii: "0")
        guard major > 0 else { return 400 }
        if major == 2 && minor == 0 && limits.acceptsHTTP2 { version = .http2; return nil }
        guard major == 1 else { return 505 }
        version = minor == 0 ? .http10 : .http11
        return nil
    }

    /// `HTTP/1.` and `minor`, compared byte by byte: this runs for every request.
    private static func isHTTP1(_ bytes: Line, minor: UInt8) -> Bool {
        guard bytes.count == 8 else { return false }
        let start = bytes.startIndex
        return bytes[start] == UInt8(ascii: "H") && bytes[start + 1] == UInt8(ascii: "T") && bytes[start + 2] == UInt8(ascii: "T")
            && bytes[start + 3] == UInt8(ascii: "P") && bytes[start + 4] == UInt8(ascii: "/") && bytes[start + 5] == UInt8(ascii: "1")
            && bytes[start + 6] == UInt8(ascii: ".") && bytes[start + 7] == minor
    }

    /// The methods clients send, as strings made once: a request's method is
    /// one of these unless it is unusual. The same names as `Values.knownMethods`,
    /// spelled out here because reaching a static array costs more per request
    /// than this; a name missing here is still parsed, only made as a new string.
    private static func commonMethod(_ bytes: Line) -> String? {
        func spelled(_ name: StaticString) -> Bool {
            name.utf8CodeUnitCount == bytes.count && name.withUTF8Buffer { $0.elementsEqual(bytes) }
        }
        if spelled("GET") { return "GET" }
        if spelled("HEAD") { return "HEAD" }
        if spelled("POST") { return "POST" }
        if spelled("PUT") { return "PUT" }
        if spelled("DELETE") { return "DELETE" }
        if spelled("OPTIONS") { return "OPTIONS" }
        if spelled("PATCH") { return "PATCH" }
        return nil
    }

    /// The method of a request line too long to parse (a 414), when it has one.
    private func noteMethod(of line: Line) {
        let word = line.drop { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }.prefix { $0 != UInt8(ascii: " ") }
        if word.count < line.count, !word.isEmpty, word.allSatisfy(HTTPSyntax.isMethodByte) {
            method = String(decoding: word, as: UTF8.self)
        }
    }

    /// A request line still arriving is refused as soon as its method is
    /// impossible (a TLS handshake, binary noise), not after the header timeout.
    /// Only the bytes a line can hold are looked at, so the verdict (400, or
    /// 414 for a line too long) is the same however the bytes arrive.
    private func isImpossibleRequestLineStart(_ pending: Line) -> Bool {
        guard !sawRequestLine else { return false }
        for byte in pending.prefix(limits.maxLineBytes - 1) {
            if byte == UInt8(ascii: " ") { return pending.first == byte }
            if byte != UInt8(ascii: "\r") && !HTTPSyntax.isMethodByte(byte) { return true }
        }
        return false
    }

    private func parseHeaderLine(_ line: Line) -> Int? {
        // obs-fold and whitespace before the colon are rejected (RFC 9112 §5.1, §5.2).
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return 400 }
        let name = line[line.startIndex..<colon]
        var underscore = false
        for byte in name {
            guard HTTPSyntax.isTokenByte(byte) else { return 400 }
            if byte == UInt8(ascii: "_") { underscore = true }
        }
        // As nginx's default `underscores_in_headers off` (with `ignore_invalid_headers
        // on`): dropped, so `X_Foo` cannot pass for `X-Foo` (both would be CGI's
        // `HTTP_X_FOO`), and logged at info by the loop.
        if underscore {
            ignoredLines = (ignoredLines ?? []) + [String(decoding: line, as: UTF8.self)]
            return nil
        }
        var start = colon + 1, end = line.endIndex
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = line[start..<end]
        // Control characters other than HTAB are invalid in a value (RFC 9110
        // §5.5), by the rule upstream heads are read with; refusing them keeps
        // them out of CGI environments and logs. nginx keeps all but NUL, CR and LF.
        guard value.allSatisfy(HTTPSyntax.isFieldValueByte) else { return 400 }
        // Places are 32-bit: a head that large (only a configuration could allow it) is refused.
        guard line.endIndex <= Int(Int32.max) else { return 431 }
        spans.append(HTTPHeaders.Span(name: Int32(name.startIndex)..<Int32(colon),
                                      value: Int32(value.startIndex)..<Int32(value.endIndex)))
        // Only the fields the server acts on become strings here.
        func valueText() -> String { String(decoding: value, as: UTF8.self) }
        switch name.count {
        case 4 where RequestParser.equalsLowercase(name, "host"):
            hostCount += 1
            hostValue = valueText()
        case 6 where RequestParser.equalsLowercase(name, "expect"): expectValue = valueText()
        case 10 where RequestParser.equalsLowercase(name, "connection"):
            connectionTokens += valueText().split(separator: ",").map { String($0).trimmingCharacters(in: " \t").lowercased() }
        case 14 where RequestParser.equalsLowercase(name, "content-length"): contentLengths.append(valueText())
        case 17 where RequestParser.equalsLowercase(name, "transfer-encoding"): transferCodings.append(valueText())
        default: break
        }
        return nil
    }

    /// ASCII case-insensitive comparison with a lower-case literal.
    private static func equalsLowercase(_ bytes: Line, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { ASCIICase.lower($0) == $1 }
        }
    }

    /// memchr over the buffer from `start`.
    private static func index(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = buffer.baseAddress, start < buffer.count,
              let found = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    private func finish(consumed: Int, buffer: [UInt8]) -> Result {
        // RFC 9112 §3.2: an HTTP/1.1 request needs one Host field, even in absolute-form.
        if hostCount > 1 || (version == .http11 && hostCount == 0) { return .error(status: 400) }
        // The Host field must be valid even where an absolute-form target's
        // authority wins over it (as nginx checks it).
        if let hostValue, !RequestParser.isValidHost(hostValue) { return .error(status: 400) }
        var host = hostValue
        var path: String
        var query: String?
        if target.utf8.first == UInt8(ascii: "/") {
            (path, query) = split(target)
        } else if let authorityStart = RequestParser.authorityStart(target) {
            // absolute-form: the host in the target wins over the Host header (RFC 9112 §3.2.2).
            let afterScheme = target.utf8[authorityStart...]
            let authority = afterScheme.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
            guard !authority.isEmpty else { return .error(status: 400) }
            host = String(decoding: authority, as: UTF8.self)
            if let host, !RequestParser.isValidHost(host) { return .error(status: 400) }
            let rest = String(decoding: afterScheme.dropFirst(authority.count), as: UTF8.self)
            (path, query) = split(rest.utf8.first == UInt8(ascii: "/") ? rest : "/" + rest)
        } else if target == "*" && method == "OPTIONS" {
            (path, query) = ("*", nil)
        } else {
            return .error(status: 400)
        }
        if path != "*" {
            guard let normalized = PathNormalizer.normalize(path) else { return .error(status: 400) }
            path = normalized
        }
        var contentLength: Int?
        if let value = contentLengths.first {
            // One field of digits only: a repeated field or a list (`5, 5`),
            // which RFC 9110 §8.6 lets a recipient refuse, is 400, as in nginx.
            guard contentLengths.count == 1, !value.isEmpty, value.utf8.count <= 18,
                  value.utf8.allSatisfy(ASCIICase.isDigit),
                  let length = Int(value) else { return .error(status: 400) }
            contentLength = length
        }
        var chunked = false
        let codings = transferCodings.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { String($0).trimmingCharacters(in: " \t").lowercased() }
        if !codings.isEmpty {
            // Both framings at once is how requests are smuggled: refuse (RFC 9112 §6.3).
            if contentLength != nil || version == .http10 { return .error(status: 400) }
            // An empty coding, chunked twice, or chunked before another coding
            // is malformed (RFC 9112 §6.1, §6.3); other codings are not implemented.
            let chunkedCount = codings.filter({ $0 == "chunked" }).count
            guard !codings.contains(""), chunkedCount <= 1, chunkedCount == 0 || codings.last == "chunked" else {
                return .error(status: 400)
            }
            guard codings == ["chunked"] else { return .error(status: 501) }
            chunked = true
        }
        let keepAlive = version == .http11 ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        let expectsContinue = version == .http11 && expectValue?.lowercased() == "100-continue"
        // A head that came alone (the usual case) shares the buffer, which the
        // connection then lets go of; one followed by more bytes (a body, the
        // next request) gets a copy of its own bytes.
        let headers = HTTPHeaders(block: consumed == buffer.count ? buffer : Array(buffer[..<consumed]), spans: spans)
        head = RequestHead(method: method, target: target, path: path, query: query, version: version,
                           headers: headers, host: host, contentLength: contentLength, isChunked: chunked,
                           wantsKeepAlive: keepAlive, expectsContinue: expectsContinue, ignoredFields: ignoredLines)
        return .head(consumed: consumed)
    }

    /// Path and query of an origin-form target; a `#fragment` (which clients
    /// should not send) is dropped, as nginx does.
    private func split(_ target: String) -> (String, String?) {
        var target = target
        // Over the contiguous bytes: this runs for every request.
        return target.withUTF8 { bytes in
            guard let mark = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else { return nil }
            let path = String(decoding: bytes[..<mark], as: UTF8.self)
            guard bytes[mark] == UInt8(ascii: "?") else { return (path, nil) }
            let rest = bytes[(mark + 1)...]
            return (path, String(decoding: rest.prefix { $0 != UInt8(ascii: "#") }, as: UTF8.self))
        } ?? (target, nil)
    }

    /// Where the authority of an absolute-form target starts: after
    /// `scheme://`, the scheme being ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") (RFC 3986 §3.1).
    static func authorityStart(_ target: String) -> String.UTF8View.Index? {
        let bytes = target.utf8
        guard let first = bytes.first, ASCIICase.isLetter(first) else { return nil }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                let rest = bytes[index...]
                guard rest.starts(with: "://".utf8) else { return nil }
                return bytes.index(index, offsetBy: 3)
            }
            guard ASCIICase.isLetter(byte) || ASCIICase.isDigit(byte) || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { return nil }
            index = bytes.index(after: index)
        }
        return nil
    }

    /// nginx's test of a Host value: not empty, no `..`, no `/`, no control
    /// character or space (a port or an IPv6 literal in brackets is fine).
    static func isValidHost(_ host: String) -> Bool {
        var host = host
        // Over the contiguous bytes: this runs for every request.
        return host.withUTF8 { bytes in
            var previous: UInt8 = 0
            var nameLength = 0
            var inPort = false, inLiteral = false
            for offset in 0..<bytes.count {
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "."):
                    if previous == byte && !inPort { return false }
                case UInt8(ascii: ":") where !inPort && !inLiteral:
                    inPort = true
                case UInt8(ascii: "[") where offset == 0:
                    inLiteral = true
                case UInt8(ascii: "]") where inLiteral:
                    inLiteral = false
                    inPort = true
                    nameLength = offset + 1
                // userinfo (`user@host`) is not part of Host (RFC 9110 §7.2).
                case UInt8(ascii: "/"), UInt8(ascii: "@"), 0...0x20, 0x7F:
                    return false
                default:
                    break
                }
                if !inPort { nameLength = offset + 1 }
                previous = byte
            }
            // A trailing dot does not count: `example.com.` is a name, `.` is not.
            if nameLength > 0 && bytes[nameLength - 1] == UInt8(ascii: ".") { nameLength -= 1 }
            return nameLength > 0
        }
    }
}

enum HTTPSyntax {
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// What nginx accepts in a method: upper-case letters, `_` and `-` (other
    /// tokens, a lower-case `get` say, are 400 there too).
    static func isMethodByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// CTL (RFC 5234): 0x00-0x1F and DEL.
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    /// A byte a field value may hold (RFC 9110 §5.5): field-vchar, obs-text,
    /// SP and HTAB; DEL and the other controls are refused. The rule for
    /// every upstream's header block (`UpstreamHeader(line:)`).
    static func isFieldValueByte(_ byte: UInt8) -> Bool { (byte >= 0x20 && byte != 0x7F) || byte == 0x09 }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            // Spelled out as cases, not looked up in a string: this runs for every byte of every field name.
            return true
        default:
            return false
        }
    }
}
