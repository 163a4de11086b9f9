/// Reads the header block a CGI script prints before its body (RFC 3875 §6):
/// `Status`, `Content-Type`, `Location` and other fields, ended by an empty
/// line (CRLF or LF).
struct CGIResponseParser: UpstreamHeadParser {
    private var buffer: [UInt8] = []
    /// Where the next line starts, and the fields before it: each feed goes on
    /// from there, so a block that arrives in tiny reads costs linear time.
    private var lineStart = 0
    private var headers: [UpstreamHeader] = []
    static let maxHeaderBytes = 64 * 1024

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> UpstreamHeadResult {
        buffer += bytes
        while let newline = buffer[lineStart...].firstIndex(of: 10) {
            // The block's bound holds however it arrives: with its end or without.
            guard newline < CGIResponseParser.maxHeaderBytes else { return .invalid }
            var end = newline
            if end > lineStart && buffer[end - 1] == 13 { end -= 1 }
            if end == lineStart { return finish(headers, bodyStart: newline + 1) }
            guard let header = UpstreamHeader(line: buffer[lineStart..<end]) else { return .invalid }
            headers.append(header)
            lineStart = newline + 1
        }
        return buffer.count > CGIResponseParser.maxHeaderBytes ? .invalid : .needMore
    }

    /// A `Status` value's code: three digits, then the end or a reason after
    /// a space (RFC 3875 §6.3.3). A final status only: a script cannot send
    /// an interim (1xx) answer before its real one.
    static func statusCode(_ value: String) -> Int? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 3, bytes[0..<3].allSatisfy(ASCIICase.isDigit),
              bytes.count == 3 || bytes[3] == 32 || bytes[3] == 9,
              let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), code >= 200 else { return nil }
        return code
    }

    /// The framing fields the server acts on: every `Content-Length` the
    /// same run of digits; a `Transfer-Encoding` only `chunked`, and not
    /// beside a Content-Length (RFC 9112 §6.3: the body's end would be ambiguous).
    static func hasValidFraming(_ headers: [UpstreamHeader]) -> Bool {
        let lengths = headers.filter { $0.name.caseInsensitiveEquals("Content-Length") }.map(\.value)
        let encodings = headers.filter { $0.name.caseInsensitiveEquals("Transfer-Encoding") }
        if !encodings.isEmpty {
            let codings = encodings.flatMap { $0.value.split(separator: ",") }.map { String($0).trimmingCharacters(in: " \t").lowercased() }
            guard lengths.isEmpty, codings == ["chunked"] else { return false }
        }
        guard let first = lengths.first else { return true }
        return (1...18).contains(first.utf8.count) && first.utf8.allSatisfy(ASCIICase.isDigit) && lengths.allSatisfy { $0 == first }
    }

    /// The bytes received so far (the body starts inside them).
    var received: [UInt8] { buffer }

    private func finish(_ headers: [UpstreamHeader], bodyStart: Int) -> UpstreamHeadResult {
        var status = 200
        if let field = headers.first(where: { $0.name.caseInsensitiveEquals("Status") }) {
            guard let code = CGIResponseParser.statusCode(field.value) else { return .invalid }
            status = code
        } else if let location = headers.first(where: { $0.name.caseInsensitiveEquals("Location") }), !location.value.hasPrefix("/") {
            status = 302   // client redirect (RFC 3875 §6.2.3)
        }
        let hasType = headers.contains { $0.name.caseInsensitiveEquals("Content-Type") }
        let hasLocation = headers.contains { $0.name.caseInsensitiveEquals("Location") }
        guard hasType || hasLocation || headers.contains(where: { $0.name.caseInsensitiveEquals("Status") }) else { return .invalid }
        guard CGIResponseParser.hasValidFraming(headers) else { return .invalid }
        return .complete(status: status, headers: headers.filter { !$0.name.caseInsensitiveEquals("Status") }, bodyStart: bodyStart)
    }
}
