import Glibc

/// Limits on the request head, from `large_client_header_buffers N SIZE`:
/// the request line and each header line must fit in SIZE, the whole head in N*SIZE.
struct RequestLimits {
    var maxLineBytes = 8192
    var maxHeadBytes = 4 * 8192
    var maxHeaderCount = 100
}

/// An incremental HTTP/1.x request-head parser (RFC 9112). Bytes may arrive
/// in any pieces; it remembers where it stopped, so total work is linear.
/// It never throws: a bad request is a status code.
struct RequestParser {
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
    private var method = "", target = "", version = HTTPVersion.http11
    private var headers = HTTPHeaders()
    /// The fields the server itself acts on, noted as they are parsed.
    private var hostValues: [String] = []
    private var contentLengths: [String] = []
    private var transferCodings: [String] = []
    private var connectionTokens: [String] = []
    private var expectValue: String?

    init(limits: RequestLimits = RequestLimits()) {
        self.limits = limits
    }

    /// Parses `buffer` (all bytes received for this request so far).
    mutating func parse(_ buffer: [UInt8]) -> Result {
        while scanned < buffer.count {
            guard let newline = RequestParser.index(of: UInt8(ascii: "\n"), in: buffer, from: scanned) else {
                scanned = buffer.count
                return checkOpenLine(length: buffer.count - lineStart)
            }
            var end = newline
            if end > lineStart && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = buffer[lineStart..<end]
            scanned = newline + 1
            lineStart = scanned
            if case .error(let status) = checkOpenLine(length: line.count) { return .error(status: status) }
            if !sawRequestLine {
                // RFC 9112 §2.2: empty lines before the request line are ignored.
                if line.isEmpty { continue }
                if let status = parseRequestLine(line) { return .error(status: status) }
                sawRequestLine = true
                continue
            }
            if line.isEmpty { return finish(consumed: scanned) }
            if lineStart > limits.maxHeadBytes || headers.fields.count >= limits.maxHeaderCount { return .error(status: 431) }
            if let status = parseHeaderLine(line) { return .error(status: status) }
        }
        return .needMore
    }

    private func checkOpenLine(length: Int) -> Result {
        guard length > limits.maxLineBytes else { return .needMore }
        return .error(status: sawRequestLine ? 431 : 414)
    }

    private mutating func parseRequestLine(_ line: ArraySlice<UInt8>) -> Int? {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(HTTPSyntax.isTokenByte) else { return 400 }
        method = String(decoding: parts[0], as: UTF8.self)
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return 400 }
        target = String(decoding: parts[1], as: UTF8.self)
        let versionText = String(decoding: parts[2], as: UTF8.self)
        if let known = HTTPVersion(rawValue: versionText) {
            version = known
            return nil
        }
        // A well-formed version we do not speak is 505; anything else is 400.
        let digits = versionText.utf8.dropFirst(5)
        if versionText.hasPrefix("HTTP/"), !digits.isEmpty,
           digits.allSatisfy({ $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return 505
        }
        return 400
    }

    private mutating func parseHeaderLine(_ line: ArraySlice<UInt8>) -> Int? {
        // obs-fold and whitespace before the colon are rejected (RFC 9112 §5.1, §5.2).
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return 400 }
        let name = line[line.startIndex..<colon]
        guard name.allSatisfy(HTTPSyntax.isTokenByte) else { return 400 }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { return 400 }
        let nameText = String(decoding: name, as: UTF8.self)
        let valueText = String(decoding: value, as: UTF8.self)
        headers.add(nameText, valueText)
        switch name.count {
        case 4 where RequestParser.equalsLowercase(name, "host"): hostValues.append(valueText)
        case 6 where RequestParser.equalsLowercase(name, "expect"): expectValue = valueText
        case 10 where RequestParser.equalsLowercase(name, "connection"):
            connectionTokens += valueText.split(separator: ",").map { String($0).trimmingCharacters(in: " \t").lowercased() }
        case 14 where RequestParser.equalsLowercase(name, "content-length"): contentLengths.append(valueText)
        case 17 where RequestParser.equalsLowercase(name, "transfer-encoding"): transferCodings.append(valueText)
        default: break
        }
        return nil
    }

    /// ASCII case-insensitive comparison with a lower-case literal.
    private static func equalsLowercase(_ bytes: ArraySlice<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { ASCIICase.lower($0) == $1 }
        }
    }

    /// memchr over the buffer from `start`.
    private static func index(of byte: UInt8, in buffer: [UInt8], from start: Int) -> Int? {
        buffer.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, start < raw.count else { return nil }
            guard let found = memchr(base + start, Int32(byte), raw.count - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    private mutating func finish(consumed: Int) -> Result {
        var host = hostValues
        if host.count > 1 { return .error(status: 400) }
        var path: String
        var query: String?
        if target.hasPrefix("/") {
            (path, query) = split(target)
        } else if target.lowercased().hasPrefix("http://") || target.lowercased().hasPrefix("https://") {
            // absolute-form: the host in the target wins over the Host header (RFC 9112 §3.2.2).
            let afterScheme = target[(target.firstRange(of: "://")?.upperBound ?? target.endIndex)...]
            let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
            guard !authority.isEmpty else { return .error(status: 400) }
            host = [String(authority)]
            let rest = String(afterScheme.dropFirst(authority.count))
            (path, query) = split(rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : rest))
        } else if target == "*" && method == "OPTIONS" {
            (path, query) = ("*", nil)
        } else {
            return .error(status: 400)
        }
        if version == .http11 && host.isEmpty { return .error(status: 400) }
        if path != "*" {
            guard let normalized = PathNormalizer.normalize(path) else { return .error(status: 400) }
            path = normalized
        }
        var contentLength: Int?
        let lengths = contentLengths
        if !lengths.isEmpty {
            let values = lengths.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") } }
            guard let first = values.first, values.allSatisfy({ $0 == first }),
                  !first.isEmpty, first.utf8.count <= 18, first.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let length = Int(first) else { return .error(status: 400) }
            contentLength = length
        }
        var chunked = false
        let codings = transferCodings.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingCharacters(in: " \t").lowercased() }
        if !codings.isEmpty {
            // Both framings at once is how requests are smuggled: refuse (RFC 9112 §6.3).
            if contentLength != nil || version == .http10 { return .error(status: 400) }
            guard codings.last == "chunked" else { return .error(status: 501) }
            guard codings.count == 1 else { return .error(status: 501) }
            chunked = true
        }
        let keepAlive = version == .http11 ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        let expectsContinue = version == .http11 && expectValue?.lowercased() == "100-continue"
        head = RequestHead(method: method, target: target, path: path, query: query, version: version,
                           headers: headers, host: host.first, contentLength: contentLength, isChunked: chunked,
                           wantsKeepAlive: keepAlive, expectsContinue: expectsContinue)
        return .head(consumed: consumed)
    }

    private func split(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
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

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
