/// The status line and header block of an upstream's response.
struct UpstreamResponseParser {
    /// The same outcomes as a CGI header block's.
    typealias Result = CGIResponseParser.Result

    private var buffer: [UInt8] = []
    var received: [UInt8] { buffer }
    /// The answer said HTTP/1.1 (so its connection stays open unless it says close).
    private(set) var isHTTP11 = false

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> Result {
        buffer += bytes
        guard let end = buffer.firstRange(of: [13, 10, 13, 10]) else {
            return buffer.count > 64 * 1024 ? .invalid : .needMore
        }
        let lines = buffer[..<end.lowerBound].split(separator: 10, omittingEmptySubsequences: false)
            .map { $0.last == 13 ? $0.dropLast() : $0 }
        guard let statusLine = lines.first else { return .invalid }
        let parts = statusLine.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].starts(with: Array("HTTP/1.".utf8)), parts[1].count == 3,
              let status = Int(String(decoding: parts[1], as: UTF8.self)) else { return .invalid }
        isHTTP11 = parts[0].elementsEqual("HTTP/1.1".utf8)
        var headers: [CGIResponseParser.Header] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(HTTPSyntax.isTokenByte) else { return .invalid }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else { return .invalid }
            headers.append(.init(name: String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                                 value: String(decoding: value, as: UTF8.self).trimmingCharacters(in: " \t")))
        }
        return .complete(status: status, headers: headers, bodyStart: end.upperBound)
    }
}
