/// FastCGI 1.0 records as the web server writes them (the FastCGI
/// specification, §3 and §5): BEGIN_REQUEST, PARAMS and STDIN for one request.
/// Pure: bytes out, no socket. Each record's content is at most 65,535 bytes
/// and is padded to a multiple of 8, as nginx does, so records stay aligned.
enum FastCGIRecordType: UInt8 {
    case beginRequest = 1, abortRequest, endRequest, params, stdin, stdout, stderr, data
    case getValues, getValuesResult, unknownType
}

enum FastCGIEncoder {
    static let version: UInt8 = 1
    /// One request per connection at a time (no multiplexing): always id 1, as nginx.
    static let requestID: UInt16 = 1
    static let maxContentLength = 65_535
    /// FCGI_RESPONDER, the role of a script answering a request.
    static let responderRole: UInt16 = 1

    /// BEGIN_REQUEST for a responder; `keepConnection` sets FCGI_KEEP_CONN, so
    /// the application leaves the connection open after END_REQUEST.
    static func beginRequest(keepConnection: Bool, into output: inout [UInt8]) {
        let content: [UInt8] = [UInt8(responderRole >> 8), UInt8(responderRole & 0xFF), keepConnection ? 1 : 0, 0, 0, 0, 0, 0]
        appendRecord(.beginRequest, content[...], into: &output)
    }

    /// PARAMS records holding every pair, then the empty PARAMS record that ends them.
    /// A pair may straddle two records (the stream is what counts, §3.3).
    static func params(_ pairs: [(name: String, value: String)], into output: inout [UInt8]) {
        var stream: [UInt8] = []
        for (name, value) in pairs { appendPair(name: Array(name.utf8), value: Array(value.utf8), into: &stream) }
        appendStream(.params, stream[...], last: true, into: &output)
    }

    /// A name-value pair (§3.4): each length in one byte below 128, else in
    /// four with the top bit set.
    static func appendPair(name: [UInt8], value: [UInt8], into output: inout [UInt8]) {
        appendLength(name.count, into: &output)
        appendLength(value.count, into: &output)
        output += name
        output += value
    }

    static func appendLength(_ length: Int, into output: inout [UInt8]) {
        if length < 128 {
            output.append(UInt8(length))
        } else {
            let value = UInt32(truncatingIfNeeded: length) | 0x8000_0000
            output += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
    }

    /// Request body bytes as STDIN records; `last` adds the empty STDIN record
    /// that tells the application the body has ended.
    static func stdin(_ bytes: ArraySlice<UInt8>, last: Bool, into output: inout [UInt8]) {
        appendStream(.stdin, bytes, last: last, into: &output)
    }

    /// `bytes` of a stream in records of at most 65,535 bytes each (none for no bytes),
    /// then with `last` the stream's empty end record.
    static func appendStream(_ type: FastCGIRecordType, _ bytes: ArraySlice<UInt8>, last: Bool, into output: inout [UInt8]) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(bytes.endIndex, start + maxContentLength)
            appendRecord(type, bytes[start..<end], into: &output)
            start = end
        }
        if last { appendRecord(type, [], into: &output) }
    }

    /// One record: the 8-byte header, the content, the padding.
    static func appendRecord(_ type: FastCGIRecordType, _ content: ArraySlice<UInt8>, into output: inout [UInt8]) {
        let padding = (8 - content.count % 8) % 8
        output += [version, type.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
                   UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
        output += content
        output += repeatElement(0, count: padding)
    }
}
