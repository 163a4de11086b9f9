/// The status line and header block of an upstream's response. Lines may
/// end with LF alone, as nginx accepts (RFC 9112 §2.2). Interim (1xx)
/// answers before the final one are read past and dropped: webserv answers
/// `Expect` itself, and the client gets the final answer alone; 101 is a
/// final answer (the protocol switches after it). A head whose
/// framing fields leave the body's end in doubt is refused (`framingProblem`).
struct UpstreamResponseParser: UpstreamHeadParser {
    private var buffer: [UInt8] = []
    /// What has been fed since the last interim answer (the body starts inside it).
    var received: [UInt8] { buffer }
    /// The answer said HTTP/1.1 (so its connection stays open unless it says close).
    private(set) var isHTTP11 = false
    /// Where the next line of the head being read starts: each feed goes on from there.
    private var lineStart = 0
    static let maxHeadBytes = 64 * 1024

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> UpstreamHeadResult {
        buffer += bytes
        while let end = headEnd() {
            guard end <= UpstreamResponseParser.maxHeadBytes else { return .invalid }
            let lines = buffer[..<end].split(separator: 10, omittingEmptySubsequences: false).dropLast(2)
                .map { $0.last == 13 ? $0.dropLast() : $0 }
            guard let statusLine = lines.first, let (status, http11) = UpstreamResponseParser.status(statusLine) else { return .invalid }
            // 101 is final: the connection switches protocols after it (ProxyAdapter, UpstreamTunnel).
            if status < 200 && status != 101 {
                buffer.removeFirst(end)
                lineStart = 0
                continue
            }
            isHTTP11 = http11
            var headers: [UpstreamHeader] = []
            for line in lines.dropFirst() {
                guard let header = UpstreamHeader(line: line) else { return .invalid }
                headers.append(header)
            }
            // As nginx: an answer whose end is in doubt is refused, not read until the upstream closes.
            if let problem = UpstreamResponseParser.framingProblem(headers) { return .refused(problem) }
            return .complete(status: status, headers: headers, bodyStart: end)
        }
        return buffer.count > UpstreamResponseParser.maxHeadBytes ? .invalid : .needMore
    }

    /// Just after the empty line (LF or CRLF) that ends the head, once it has arrived.
    private mutating func headEnd() -> Int? {
        while let newline = buffer[lineStart...].firstIndex(of: 10) {
            let empty = newline == lineStart || (newline == lineStart + 1 && buffer[lineStart] == 13)
            lineStart = newline + 1
            if empty { return lineStart }
        }
        return nil
    }

    /// `HTTP/1.x` and a three-digit status (100 to 999) from a status line.
    private static func status(_ line: ArraySlice<UInt8>) -> (Int, Bool)? {
        let parts = line.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].starts(with: Array("HTTP/1.".utf8)), parts[1].count == 3,
              parts[1].allSatisfy(ASCIICase.isDigit), let status = Int(String(decoding: parts[1], as: UTF8.self)),
              status >= 100 else { return nil }
        return (status, parts[0].elementsEqual("HTTP/1.1".utf8))
    }

    /// Why the answer's framing fields leave the end of its body in doubt,
    /// in nginx's words (its error log, then 502), or nil: one Content-Length
    /// of digits, or one `Transfer-Encoding: chunked`, never both (RFC 9112 §6.3).
    static func framingProblem(_ headers: [UpstreamHeader]) -> String? {
        var length: UpstreamHeader?
        var encoding: UpstreamHeader?
        for header in headers {
            if header.name.caseInsensitiveEquals("Content-Length") {
                if let previous = length { return duplicate(header, previous) }
                if encoding != nil { return "sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time" }
                guard !header.value.isEmpty, header.value.utf8.allSatisfy(ASCIICase.isDigit), Int(header.value) != nil else {
                    return "sent invalid \"Content-Length\" header: \"\(header.name): \(header.value)\""
                }
                length = header
            } else if header.name.caseInsensitiveEquals("Transfer-Encoding") {
                if let previous = encoding { return duplicate(header, previous) }
                if length != nil { return "sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time" }
                // Only chunked alone: webserv decodes no other coding, and one after chunked ends the body elsewhere.
                guard header.value.caseInsensitiveEquals("chunked") else {
                    return "sent unknown \"Transfer-Encoding\": \"\(header.value)\""
                }
                encoding = header
            }
        }
        return nil
    }

    private static func duplicate(_ header: UpstreamHeader, _ previous: UpstreamHeader) -> String {
        "sent duplicate header line: \"\(header.name): \(header.value)\", previous value: \"\(previous.name): \(previous.value)\""
    }
}
