/// The body filters, in order, between a handler's bytes and the encoder's
/// framing (nginx's body filter chain). One today: gzip, for a body
/// compressed on its way out (`GzipFilter` decided, and made the request's
/// `GzipStream`); without one the chain is the identity and costs one check.
/// A body in memory was compressed whole by the header filter already.
enum BodyFilters {
    /// A piece of a streamed body (CGI, proxy; `last`: its end, with no more bytes).
    /// Compressed pieces are flushed, so the client gets each as it comes.
    @inline(__always)
    static func run(_ bytes: ArraySlice<UInt8>, last: Bool, gzip: GzipStream?) -> ArraySlice<UInt8> {
        guard let gzip else { return bytes }
        var compressed: [UInt8] = []
        gzip.compress(bytes, flush: last ? .finish : .sync, into: &compressed)
        return compressed[...]
    }
}


extension HTTPRequest {
    /// A file answer compressed on its way out (sendfile cannot compress): reads
    /// the next piece of `file`, and puts it compressed and framed in `output`,
    /// which was all sent; the last piece ends the body. False when the file
    /// cannot be read or shrank under us.
    func compressFilePiece() -> Bool {
        guard var range = file, let gzip else { return false }
        // Read through the transport's one buffer (as long a read as sending a
        // file through a buffer takes, so the loop waits on the disk no longer).
        let piece = UnsafeMutableRawBufferPointer(rebasing: Transport.scratch[..<min(range.remaining, Transport.scratch.count)])
        guard case .value(let read)? = try? Socket.readFile(range.file.fd, into: piece, at: range.offset), read > 0 else { return false }
        range.offset += read
        range.remaining -= read
        file = range
        output.removeAll(keepingCapacity: true)
        outputOffset = 0
        let flush: GzipStream.Flush = range.remaining == 0 ? .finish : .none
        if chunkedOutput {
            var compressed: [UInt8] = []
            gzip.compress(UnsafeRawBufferPointer(rebasing: piece[..<read]), flush: flush, into: &compressed)
            accessLog?.bytesSent += compressed.count   // the bytes the client gets, as nginx logs them
            HTTP1Encoder.appendBody(compressed[...], chunked: true, to: &output)
        } else {
            // No framing around it: compressed straight into the output.
            gzip.compress(UnsafeRawBufferPointer(rebasing: piece[..<read]), flush: flush, into: &output)
            accessLog?.bytesSent += output.count
        }
        if range.remaining == 0 {
            appendBodyEnd(to: &output)
            self.gzip = nil   // zlib's state (some 300 KB) goes now, not when the client has read the rest
        }
        return true
    }
}
