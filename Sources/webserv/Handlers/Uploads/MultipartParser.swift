/// Streaming `multipart/form-data` parser (RFC 7578): fed the body in any
/// pieces, it reports parts and their data without holding a whole part.
struct MultipartParser {
    enum Event: Equatable {
        case partStart(name: String, filename: String?)
        case data([UInt8])
        case partEnd
        case end
    }

    struct Malformed: Error, Equatable {}

    private enum State { case preamble, afterDelimiter, headers, body, epilogue }

    /// `\r\n--BOUNDARY`: a part's data ends where this begins.
    private let delimiter: [UInt8]
    private var state = State.preamble
    private var pending: [UInt8]
    private var headerBytes: [UInt8] = []
    /// How much of `pending` is known to hold no end of the part's headers,
    /// so headers arriving in tiny reads are scanned once.
    private var headerScanned = 0

    /// nil when the Content-Type has no usable boundary.
    init?(contentType: String) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = MultipartParser.parameter("boundary", in: contentType),
              !boundary.isEmpty, boundary.utf8.count <= 200 else { return nil }
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter has no CRLF before it: pretend there was one.
        pending = [13, 10]
    }

    static let maxPadding = 256
    static let maxPartHeaderBytes = 16 * 1024

    mutating func feed(_ bytes: ArraySlice<UInt8>) throws -> [Event] {
        pending += bytes
        var events: [Event] = []
        var progress = true
        while progress {
            progress = false
            switch state {
            case .preamble, .body:
                if let found = pending.firstRange(of: delimiter) {
                    if state == .body {
                        if found.lowerBound > 0 { events.append(.data(Array(pending[..<found.lowerBound]))) }
                        events.append(.partEnd)
                    }
                    pending.removeSubrange(..<found.upperBound)
                    state = .afterDelimiter
                    progress = true
                } else if pending.count > delimiter.count {
                    // Keep a tail that could be the start of a delimiter split across reads.
                    let safe = pending.count - delimiter.count
                    if state == .body { events.append(.data(Array(pending[..<safe]))) }
                    pending.removeSubrange(..<safe)
                }
            case .afterDelimiter:
                guard pending.count >= 2 else { break }
                if pending[0] == UInt8(ascii: "-") && pending[1] == UInt8(ascii: "-") {
                    state = .epilogue
                    pending = []
                    events.append(.end)
                    return events
                }
                // Transport padding (spaces, tabs) may precede the CRLF; its bound
                // holds whether or not the CRLF has arrived, so reads do not matter.
                guard let lineEnd = pending.firstRange(of: [13, 10]) else {
                    if pending.count - (pending.last == 13 ? 1 : 0) > MultipartParser.maxPadding { throw Malformed() }
                    break
                }
                guard lineEnd.lowerBound <= MultipartParser.maxPadding,
                      pending[..<lineEnd.lowerBound].allSatisfy({ $0 == 32 || $0 == 9 }) else { throw Malformed() }
                pending.removeSubrange(..<lineEnd.upperBound)
                headerBytes = []
                headerScanned = 0
                state = .headers
                progress = true
            case .headers:
                // (What may be the start of the blank line does not count.)
                guard let end = pending[headerScanned...].firstRange(of: [13, 10, 13, 10]) else {
                    if pending.count - 3 > MultipartParser.maxPartHeaderBytes { throw Malformed() }
                    headerScanned = max(0, pending.count - 3)
                    break
                }
                guard end.lowerBound <= MultipartParser.maxPartHeaderBytes else { throw Malformed() }
                headerBytes = Array(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                events.append(try partStart(headerBytes))
                state = .body
                progress = true
            case .epilogue:
                pending = []
            }
        }
        return events
    }

    private func partStart(_ bytes: [UInt8]) throws -> Event {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-disposition" else { continue }
            let value = String(parts[1])
            let name = MultipartParser.parameter("name", in: value) ?? ""
            return .partStart(name: name, filename: MultipartParser.parameter("filename", in: value))
        }
        throw Malformed()
    }

    /// `key=value` or `key="quoted value"` among `;`-separated parameters.
    static func parameter(_ key: String, in header: String) -> String? {
        var rest = Substring(header)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop { $0 == " " || $0 == "\t" }
            guard rest.lowercased().hasPrefix(key.lowercased() + "=") else { continue }
            let value = rest.dropFirst(key.count + 1)
            if value.hasPrefix("\"") {
                var result = ""
                var escaped = false
                for character in value.dropFirst() {
                    if escaped { result.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { return result }
                    result.append(character)
                }
                return result
            }
            return String(value.prefix { $0 != ";" }).trimmingCharacters(in: " \t")
        }
        return nil
    }

    /// A file name safe to create in the store: the last path component,
    /// without NUL, control characters or leading dots; never empty.
    static func safeFileName(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.utf8.count > 200 { cleaned = String(cleaned.prefix(200)) }
        return cleaned.isEmpty ? "upload" : cleaned
    }
}
