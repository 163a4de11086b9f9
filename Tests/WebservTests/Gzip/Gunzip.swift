import CZlib

/// zlib's inflate, for tests: what a client does with a gzip answer.
enum Gunzip {
    /// The bytes of a gzip stream (one member), or nil when it is not one, or not whole.
    static func decompress(_ bytes: [UInt8]) -> [UInt8]? { inflated(bytes, whole: true) }

    /// What a stream cut short decompresses to so far (a streamed answer's pieces).
    static func prefix(_ bytes: [UInt8]) -> [UInt8]? { inflated(bytes, whole: false) }

    private static func inflated(_ bytes: [UInt8], whole: Bool) -> [UInt8]? {
        var stream = z_stream()
        guard webserv_inflateInit2(&stream, 15 + 16) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = bytes
        return input.withUnsafeMutableBufferPointer { source -> [UInt8]? in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { space -> (Int32, Int) in
                    stream.next_out = space.baseAddress
                    stream.avail_out = uInt(space.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, space.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[..<produced])
                if status == Z_STREAM_END { return stream.avail_in == 0 ? output : nil }
                if !whole, status == Z_BUF_ERROR, stream.avail_in == 0 { return output }
                if status != Z_OK { return nil }
            }
        }
    }
}
