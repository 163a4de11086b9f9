/// LSP's base protocol: `Content-Length: N\r\n\r\n` and N bytes of JSON. A
/// pure decoder: bytes in (any split: one byte at a time, several messages
/// at once), message bodies and framing errors out. After a bad header it
/// skips to the next `Content-` header, so one broken message costs only itself.
struct MessageFramer {
    enum Event: Equatable {
        case message([UInt8])
        case error(String)
    }

    static let maxHeaderSize = 8192
    /// A configuration may be 64 MiB; JSON escaping makes its message larger.
    static let maxBodySize = 256 << 20

    private var buffer: [UInt8] = []
    /// Bytes of `buffer` before this index are consumed (compacted now and then).
    private var start = 0
    /// Set once a header is read: the body length still awaited.
    private var bodyLength: Int?
    /// Bytes of a refused (too large) body still to drop.
    private var discarding = 0
    /// Junk before a header is reported once per run, however it is split.
    private var inJunk = false

    private static let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)
    private static let headerStart: [UInt8] = Array("content-".utf8)

    mutating func append<Bytes: Collection>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while let event = next() { events.append(event) }
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return events
    }

    static func frame(_ body: [UInt8]) -> [UInt8] {
        Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    private var available: Int { buffer.count - start }

    /// The next event the buffered bytes make, or nil when more are needed.
    private mutating func next() -> Event? {
        while true {
            if discarding > 0 {
                let count = min(discarding, available)
                start += count
                discarding -= count
                if discarding > 0 { return nil }
                continue
            }
            if let length = bodyLength {
                guard available >= length else { return nil }
                let body = Array(buffer[start..<(start + length)])
                start += length
                bodyLength = nil
                return .message(body)
            }
            if let junk = skipJunk() { return junk }
            guard let end = find(MessageFramer.headerEnd, caseInsensitive: false) else {
                guard available > MessageFramer.maxHeaderSize else { return nil }
                start = buffer.count
                inJunk = true
                return .error("header longer than \(MessageFramer.maxHeaderSize) bytes without a blank line; dropped")
            }
            let header = String(decoding: buffer[start..<end], as: UTF8.self)
            start = end + MessageFramer.headerEnd.count
            switch MessageFramer.contentLength(header) {
            case .success(let length) where length > MessageFramer.maxBodySize:
                discarding = length
                return .error("message of \(length) bytes is larger than the \(MessageFramer.maxBodySize >> 20) MiB limit; dropped")
            case .success(let length):
                inJunk = false
                bodyLength = length
            case .failure(let problem):
                // The body that follows is skipped as junk, silently: it was reported here.
                inJunk = true
                return .error("malformed header (\(problem.reason)): \(header.debugDescription)")
            }
        }
    }

    /// Drops bytes before the next `Content-` header; an event for the first
    /// drop of a run that is not just whitespace.
    private mutating func skipJunk() -> Event? {
        let found = find(MessageFramer.headerStart, caseInsensitive: true)
        // Keep a tail that may be the start of a header split across reads.
        let junkEnd = found ?? max(start, buffer.count - (MessageFramer.headerStart.count - 1))
        guard junkEnd > start else { return nil }
        let junk = buffer[start..<junkEnd]
        start = junkEnd
        let meaningful = junk.contains { !MessageFramer.whitespace.contains($0) }
        guard meaningful, !inJunk else { return nil }
        inJunk = true
        return .error("skipped \(junk.count) bytes that are not a Content-Length header")
    }

    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    private func find(_ needle: [UInt8], caseInsensitive: Bool) -> Int? {
        guard available >= needle.count else { return nil }
        var index = start
        let last = buffer.count - needle.count
        while index <= last {
            var matched = true
            for offset in 0..<needle.count {
                var byte = buffer[index + offset]
                if caseInsensitive && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                if byte != needle[offset] { matched = false; break }
            }
            if matched { return index }
            index += 1
        }
        return nil
    }

    struct HeaderProblem: Error { let reason: String }

    /// Content-Length from a header block; other fields (Content-Type) are ignored.
    static func contentLength(_ header: String) -> Result<Int, HeaderProblem> {
        var length: Int?
        for line in header.split(separator: "\r\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(HeaderProblem(reason: "a line without ':'"))
            }
            let name = line[..<colon].trimmingCharacters(in: " \t").lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            guard name == "content-length" else { continue }
            guard !value.isEmpty, value.count <= 12, value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value) else {
                return .failure(HeaderProblem(reason: "Content-Length '\(value)' is not a number"))
            }
            length = number
        }
        guard let length else { return .failure(HeaderProblem(reason: "no Content-Length")) }
        return .success(length)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
