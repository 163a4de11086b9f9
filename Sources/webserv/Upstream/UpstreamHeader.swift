/// A field of an upstream's header block: a CGI script's (RFC 3875 §6) or a
/// proxied server's (RFC 9112 §5). Both are read by one rule, `init(line:)`.
struct UpstreamHeader: Equatable {
    let name: String
    let value: String
}

extension UpstreamHeader {
    /// A field line without its line end, `name: value`. The name is a token
    /// (no whitespace before the colon, RFC 9112 §5.1); the value, without the
    /// SP and HTAB around it, holds field bytes only (RFC 9110 §5.5): a CR or
    /// another control passed on could split or end the client's head. Nil
    /// when either breaks the rule (the upstream's answer is then 502).
    init?(line: ArraySlice<UInt8>) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
              line[line.startIndex..<colon].allSatisfy(HTTPSyntax.isTokenByte) else { return nil }
        var start = colon + 1, end = line.endIndex
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        guard line[start..<end].allSatisfy(HTTPSyntax.isFieldValueByte) else { return nil }
        self.init(name: String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                  value: String(decoding: line[start..<end], as: UTF8.self))
    }
}

/// What an upstream's header block parser makes of the bytes fed so far.
enum UpstreamHeadResult: Equatable {
    case needMore
    /// The header block ended `bodyStart` bytes into the bytes received.
    case complete(status: Int, headers: [UpstreamHeader], bodyStart: Int)
    /// A block whose body's end is in doubt (its framing fields): why, in nginx's words, for the error log.
    case refused(String)
    case invalid
}

/// Reads an upstream's header block as it arrives, in reads of any size:
/// `CGIResponseParser` (a script's output), `UpstreamResponseParser` (a server's answer).
protocol UpstreamHeadParser {
    mutating func feed(_ bytes: ArraySlice<UInt8>) -> UpstreamHeadResult
    /// The bytes received so far (the body starts inside them).
    var received: [UInt8] { get }
}
