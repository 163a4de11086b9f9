/// A `Range: bytes=...` header against a file size, as nginx reads it: another
/// unit is ignored (the whole file), a malformed spec is 416, ranges that start
/// past the end are dropped (none left: 416), and several ranges that add up
/// to more than the file (or more than `maxRanges` of them) get the whole file.
enum ByteRange: Equatable {
    case whole
    case unsatisfiable
    case range(first: Int, last: Int)
    /// Two or more ranges: a multipart/byteranges answer.
    case several([ClosedRange<Int>])

    static let maxRanges = 64

    static func parse(_ header: String, size: Int) -> ByteRange {
        let text = header.trimmingCharacters(in: " \t")
        guard text.lowercased().hasPrefix("bytes=") else { return .whole }
        var spans: [ClosedRange<Int>] = []
        var total = 0
        for spec in text.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
            guard let dash = spec.firstIndex(of: "-") else { return .unsatisfiable }
            let firstText = spec[..<dash].trimmingCharacters(in: " ")
            let lastText = spec[spec.index(after: dash)...].trimmingCharacters(in: " ")
            let span: ClosedRange<Int>?
            if firstText.isEmpty {
                guard let suffix = number(lastText) else { return .unsatisfiable }
                span = suffix > 0 && size > 0 ? max(0, size - suffix)...(size - 1) : nil
            } else {
                guard let first = number(firstText) else { return .unsatisfiable }
                if lastText.isEmpty {
                    span = first < size ? first...(size - 1) : nil
                } else {
                    guard let last = number(lastText), last >= first else { return .unsatisfiable }
                    span = first < size ? first...min(last, size - 1) : nil
                }
            }
            if let span {
                spans.append(span)
                total += span.count
            }
        }
        guard let only = spans.first else { return .unsatisfiable }
        if spans.count == 1 { return .range(first: only.lowerBound, last: only.upperBound) }
        return spans.count > maxRanges || total > size ? .whole : .several(spans)
    }

    private static func number(_ value: String) -> Int? {
        value.isEmpty || value.count > 18 || !value.allSatisfy({ $0.isASCII && $0.isNumber }) ? nil : Int(value)
    }

    /// The parts of a multipart/byteranges body (RFC 9110 §14.6): each range
    /// of the file after its own small header, then the closing boundary.
    static func multipartBody(_ file: OpenFile, spans: [ClosedRange<Int>], contentType: String)
        -> (boundary: String, parts: [Response.BodyPart]) {
        let digits = String(UInt64.random(in: 0...UInt64.max))
        let boundary = String(repeating: "0", count: 20 - digits.count) + digits   // 20 digits, as nginx's
        var parts: [Response.BodyPart] = []
        for span in spans {
            let header = "\r\n--\(boundary)\r\nContent-Type: \(contentType)\r\n"
                + "Content-Range: bytes \(span.lowerBound)-\(span.upperBound)/\(file.size)\r\n\r\n"
            parts.append(.bytes(Array(header.utf8)))
            parts.append(.file(file, offset: span.lowerBound, length: span.count))
        }
        parts.append(.bytes(Array("\r\n--\(boundary)--\r\n".utf8)))
        return (boundary, parts)
    }
}
