/// HTTP/1.x on the wire, the last link of the output pipeline: the status
/// line, the fields and the body's framing (Content-Length, chunked, or the
/// close). HTTP/2 would be a second encoder beside this one.
enum HTTP1Encoder {
    /// Appends the status line and header block to `buffer`. `Content-Length`
    /// is sent except for 1xx, 204, 304, streamed and chunked bodies (a
    /// streamed body's length is among its fields when known). `date` is the
    /// Date value's bytes and its CRLF. Constant parts are static strings: this runs for every answer.
    static func appendHead(_ response: Response, chunked: Bool, keepAlive: Bool, date: [UInt8], to buffer: inout [UInt8]) {
        appendHeadStart(response.status, to: &buffer)
        buffer.appendBytes(date)
        for header in response.headers {
            buffer.append(contentsOf: header.name.utf8)
            buffer.appendBytes(nameEnd)
            buffer.append(contentsOf: header.value.utf8)
            buffer.appendBytes(lineEnd)
        }
        buffer.appendBytes(response.encodedHeaders)
        let status = response.status
        if chunked {
            buffer.appendBytes(transferChunked)
        } else if status >= 200 && status != 204 && status != 304 && !response.streamed && !response.lengthUnknown && !response.encodedLength {
            buffer.appendBytes(contentLength)
            buffer.appendDecimal(response.bodyLength)
            buffer.appendBytes(lineEnd)
        }
        // As nginx's header filter: a 101's connection goes on in the new protocol.
        buffer.appendBytes(status == 101 ? upgradeEnd : keepAlive ? keepAliveEnd : closeEnd)
    }

    /// Appends body bytes as the answer's framing wants them.
    static func appendBody(_ bytes: ArraySlice<UInt8>, chunked: Bool, to buffer: inout [UInt8]) {
        if chunked { ChunkedEncoder.appendChunk(bytes, to: &buffer) } else { buffer.append(contentsOf: bytes) }
    }

    /// Appends what ends the body (the last chunk), if its framing has anything.
    static func appendEnd(chunked: Bool, to buffer: inout [UInt8]) {
        if chunked { ChunkedEncoder.appendEnd(to: &buffer) }
    }

    /// The interim answer that invites a request body (RFC 9110 §10.1.1).
    static let continueLine: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"

    /// Appends `HTTP/1.1 200 OK\r\nServer: webserv\r\nDate: `, what every
    /// head starts with: the usual statuses as static strings, the rest made
    /// when needed (a static table would be reached through a lazy-initialisation
    /// check on every use, which costs more than the bytes).
    static func appendHeadStart(_ code: Int, to buffer: inout [UInt8]) {
        switch code {
        case 200: buffer.appendBytes("HTTP/1.1 200 OK\r\nServer: webserv\r\nDate: ")
        case 206: buffer.appendBytes("HTTP/1.1 206 Partial Content\r\nServer: webserv\r\nDate: ")
        case 301: buffer.appendBytes("HTTP/1.1 301 Moved Permanently\r\nServer: webserv\r\nDate: ")
        case 304: buffer.appendBytes("HTTP/1.1 304 Not Modified\r\nServer: webserv\r\nDate: ")
        case 404: buffer.appendBytes("HTTP/1.1 404 Not Found\r\nServer: webserv\r\nDate: ")
        default: buffer.append(contentsOf: "HTTP/1.1 \(code) \(StatusCode.reason(code))\r\nServer: webserv\r\nDate: ".utf8)
        }
    }

    // Static strings, not arrays: a static array is reached through a
    // lazy-initialisation check on every use.
    private static let lineEnd: StaticString = "\r\n"
    private static let nameEnd: StaticString = ": "
    private static let contentLength: StaticString = "Content-Length: "
    private static let transferChunked: StaticString = "Transfer-Encoding: chunked\r\n"
    private static let keepAliveEnd: StaticString = "Connection: keep-alive\r\n\r\n"
    private static let closeEnd: StaticString = "Connection: close\r\n\r\n"
    private static let upgradeEnd: StaticString = "Connection: upgrade\r\n\r\n"
}
