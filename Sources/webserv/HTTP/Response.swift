import Glibc

/// What a handler answers; the output pipeline (Output/) sends it.
struct Response {
    enum Body {
        case empty
        case bytes([UInt8])
        /// An open file to send with sendfile(2): `length` bytes from `offset`.
        case file(OpenFile, offset: Int, length: Int)
        /// Bytes and file ranges in turn (multipart/byteranges).
        case parts([BodyPart])
    }

    enum BodyPart {
        case bytes([UInt8])
        case file(OpenFile, offset: Int, length: Int)

        var length: Int {
            switch self {
            case .bytes(let bytes): return bytes.count
            case .file(_, _, let length): return length
            }
        }
    }

    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: Body = .empty
    /// Close the connection after this response whatever the client asked.
    var closeConnection = false
    /// The body follows later (CGI): no Content-Length is computed here.
    var streamed = false
    /// A body whose length is known only at its end: streamed without a length
    /// in its fields, or compressed on the way (`GzipFilter`); `FramingFilter` frames it.
    var lengthUnknown = false
    /// The small file from the cache this answer sends whole, for its compressed copy (`GzipFilter`).
    var cachedFile: CachedFile?
    /// Header lines already encoded (`Name: value\r\n`...), sent after `headers`.
    var encodedHeaders: [UInt8] = []
    /// `encodedHeaders` ends with the Content-Length line (a cached file's, made once with the rest).
    var encodedLength = false
    /// The location's `add_header` fields are in the answer already: its
    /// encoded lines begin with them (`ResolvedLocation.literalAddedLines`), or
    /// its fields hold them once those lines were decoded.
    var addedHeadersIn = false

    init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .empty, encodedHeaders: [UInt8] = [],
         encodedLength: Bool = false, cachedFile: CachedFile? = nil, addedHeadersIn: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.encodedHeaders = encodedHeaders
        self.encodedLength = encodedLength
        self.cachedFile = cachedFile
        self.addedHeadersIn = addedHeadersIn
    }

    /// Drops the encoded lines (and with them an encoded Content-Length).
    mutating func removeEncodedHeaders() {
        encodedHeaders = []
        encodedLength = false
    }

    /// Every header field, the encoded ones decoded: for the rare paths that
    /// pick a response's fields apart (an error page's, tests).
    var fields: [(name: String, value: String)] {
        guard !encodedHeaders.isEmpty else { return headers }
        var lines = encodedHeaders.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0.dropLast(), as: UTF8.self) }
        // Content-Length is the body's, as for every response (HTTP1Encoder), not one of these.
        if encodedLength { lines.removeLast() }
        return headers + lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...]))
        }
    }

    var bodyLength: Int {
        switch body {
        case .empty: return 0
        case .bytes(let bytes): return bytes.count
        case .file(_, _, let length): return length
        case .parts(let parts): return parts.reduce(0) { $0 + $1.length }
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends a non-negative integer in decimal, without making a String.
    mutating func appendDecimal(_ value: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // room for Int.max's 19 digits
        var rest = UInt(Swift.max(0, value))
        Swift.withUnsafeMutableBytes(of: &digits) { space in
            var start = space.count
            repeat {
                start -= 1
                space[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: space[start...]))
        }
    }

    /// Appends another byte array with one copy (the generic `+=` is slower
    /// by far, and a response head is made of several).
    @inline(__always) mutating func appendBytes(_ other: [UInt8]) {
        other.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    @inline(__always) mutating func appendBytes(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}

enum StatusCode {
    /// RFC 9110's reason phrases, nginx's where it words them otherwise (405, 408, 413, 414, 416, 503, 504).
    static func reason(_ code: Int) -> String {
        switch code {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 103: return "Early Hints"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 203: return "Non-Authoritative Information"
        case 204: return "No Content"
        case 205: return "Reset Content"
        case 206: return "Partial Content"
        case 300: return "Multiple Choices"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Not Allowed"
        case 406: return "Not Acceptable"
        case 407: return "Proxy Authentication Required"
        case 408: return "Request Time-out"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Request Entity Too Large"
        case 414: return "Request-URI Too Large"
        case 415: return "Unsupported Media Type"
        case 416: return "Requested Range Not Satisfiable"
        case 417: return "Expectation Failed"
        case 421: return "Misdirected Request"
        case 422: return "Unprocessable Content"
        case 426: return "Upgrade Required"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Temporarily Unavailable"
        case 504: return "Gateway Time-out"
        case 505: return "HTTP Version Not Supported"
        case 507: return "Insufficient Storage"
        default: return code < 200 ? "Informational" : code < 300 ? "OK" : code < 400 ? "Redirect" : code < 500 ? "Client Error" : "Server Error"
        }
    }

    /// nginx's built-in error page, with our name.
    static func defaultPage(_ code: Int) -> [UInt8] {
        let title = "\(code) \(reason(code))"
        return Array("<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n<hr><center>webserv</center>\r\n</body>\r\n</html>\r\n".utf8)
    }
}
