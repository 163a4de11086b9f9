/// Chunked framing (RFC 9112 §7.1), the encoding side of `ChunkedDecoder`:
/// the one encoder, for a body streamed to the client without a known
/// length and for a chunked request body passed on to a proxied server.
enum ChunkedEncoder {
    /// Appends `bytes` as one chunk; nothing for no bytes (an empty chunk would end the body).
    static func appendChunk(_ bytes: ArraySlice<UInt8>, to buffer: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        appendHex(bytes.count, to: &buffer)
        buffer.appendBytes(lineEnd)
        buffer.append(contentsOf: bytes)
        buffer.appendBytes(lineEnd)
    }

    /// Appends the last chunk, with no trailer fields.
    static func appendEnd(to buffer: inout [UInt8]) {
        buffer.appendBytes(lastChunk)
    }

    /// Appends the last chunk carrying trailer fields (`add_trailer`; none: the plain last chunk).
    static func appendEnd(trailers: [(name: String, value: String)], to buffer: inout [UInt8]) {
        guard !trailers.isEmpty else { return appendEnd(to: &buffer) }
        buffer.append(UInt8(ascii: "0"))
        buffer.appendBytes(lineEnd)
        for field in trailers {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: field.value.utf8)
            buffer.appendBytes(lineEnd)
        }
        buffer.appendBytes(lineEnd)
    }

    /// Appends a chunk's size line, for a chunk whose bytes are sent apart (a file range).
    static func appendSizeLine(_ count: Int, to buffer: inout [UInt8]) {
        appendHex(count, to: &buffer)
        buffer.appendBytes(lineEnd)
    }

    /// The line end after a chunk's bytes.
    static let chunkEnd: [UInt8] = [13, 10]

    /// `bytes` as a chunk, and the last chunk after it when `last`.
    static func encode(_ bytes: ArraySlice<UInt8>, last: Bool) -> [UInt8] {
        var buffer: [UInt8] = []
        appendChunk(bytes, to: &buffer)
        if last { appendEnd(to: &buffer) }
        return buffer
    }

    private static func appendHex(_ value: Int, to buffer: inout [UInt8]) {
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4
        repeat {
            shift -= 4
            buffer.append(hexDigits[(value >> shift) & 0xF])
        } while shift > 0
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let lineEnd: StaticString = "\r\n"
    private static let lastChunk: StaticString = "0\r\n\r\n"
}
