import Glibc

/// A client connection's way to its bytes: read, write (one piece or two in
/// one call), send a range of a file, shut the write side. The only code that
/// touches a client socket, the listener's accept apart; nothing above it
/// names a socket call (nginx's `c->recv`/`c->send_chain`).
///
/// Three kinds, chosen per connection: plain TCP; TLS (`tls`, a
/// `TLSSession`: reads and writes through its session, and files copied
/// through a buffer, since the kernel cannot encrypt what sendfile(2) sends,
/// unless kernel TLS took the session's send side: then `SSL_sendfile`); and
/// a stream of an HTTP/2 connection (`stream`). A struct held by the
/// connection, so a call costs neither an allocation nor a witness table;
/// plain TCP pays two nil checks per call.
struct Transport {
    let fd: Int32
    /// Files go from the page cache to the socket (sendfile(2)); false: read
    /// into a buffer and written, as a transport that transforms its bytes must.
    let sendsFilesDirectly: Bool
    /// The connection's TLS session on a TLS address; nil for plain TCP.
    let tls: TLSSession?
    /// A stream of an HTTP/2 connection (nginx's fake connection `fc`): writes
    /// become the stream's DATA; the request's bytes are handed in by the
    /// HTTP/2 driver. Two optionals rather than one enum of the two: plain TCP
    /// then pays two loads of nil instead of an enum's tag work on every call
    /// (callgrind: 64 instructions a keep-alive request with the enum).
    let stream: HTTP2StreamPort?

    /// The client's bytes are encrypted (`$scheme`, `$https`, absolute redirects): TLS, or a stream of a TLS connection.
    var isSecure: Bool { tls != nil || stream?.secure == true }

    init(fd: Int32, sendsFilesDirectly: Bool = true, tls: TLSSession? = nil) {
        self.fd = fd
        self.sendsFilesDirectly = sendsFilesDirectly && tls == nil
        self.tls = tls
        stream = nil
    }

    /// A stream's transport: its bytes must be framed, so files are read, never sent by the kernel.
    init(stream: HTTP2StreamPort) {
        fd = -1
        sendsFilesDirectly = false
        tls = nil
        self.stream = stream
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        if let tls { return try tls.read(into: buffer) }
        if stream != nil { return .wouldBlock }   // the driver hands a stream's bytes in itself
        return try Socket.read(fd, into: buffer)
    }

    /// `more`: a body follows at once, so the kernel may hold these bytes
    /// back and send them with it in one segment.
    func write(_ bytes: UnsafeRawBufferPointer, more: Bool = false) throws -> IOResult<Int> {
        if let tls { return try tls.write(bytes) }
        if let stream { return try stream.write(bytes) }
        return try Socket.write(fd, bytes, more: more)
    }

    /// Two pieces in one call (a head and the body after it), neither copied
    /// into the other; the count is of both together.
    @inline(__always)   // every answer's head and body: plain TCP's path inlined at its callers
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, more: Bool = false) throws -> IOResult<Int> {
        if let tls { return try Transport.write(first, second, through: tls) }
        if let stream { return try stream.write(first, second) }
        guard !second.isEmpty else { return try Socket.write(fd, first, more: more) }
        return try Socket.write(fd, first, second, more: more)
    }

    /// Sends up to `count` bytes of `file` from `offset`, which it advances;
    /// 0 sent means the file ended before the range did.
    func sendFile(_ file: Int32, offset: inout Int, count: Int) throws -> IOResult<Int> {
        if sendsFilesDirectly { return try Socket.sendFile(fd, from: file, offset: &offset, count: count) }
        // The one decision for TLS: the kernel encrypts (kernel TLS), or OpenSSL does what is read here.
        if let tls, tls.kernelSends { return try tls.sendFile(file, offset: &offset, count: count) }
        let buffer = UnsafeMutableRawBufferPointer(rebasing: Transport.scratch[..<min(count, Transport.scratch.count)])
        guard case .value(let read) = try Socket.readFile(file, into: buffer, at: offset), read > 0 else { return .value(0) }
        // Everything read is offered until the socket is full: a piece left
        // over would be read again.
        var sent = 0
        while sent < read, case .value(let written) = try write(UnsafeRawBufferPointer(rebasing: buffer[sent..<read])), written > 0 {
            sent += written
        }
        offset += sent
        return sent > 0 ? .value(sent) : .wouldBlock
    }

    /// Ends the write side (the peer reads the end); reading goes on.
    func shutdownWrite() {
        if let stream { return stream.finish() }   // END_STREAM: the answer is complete
        tls?.shutdown()   // close_notify first, inside the stream
        Socket.shutdownWrite(fd)
    }

    /// Two pieces through TLS: one after the other (each becomes records
    /// anyway); the count is of both, up to where the session stopped taking bytes.
    private static func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
                              through tls: TLSSession) throws -> IOResult<Int> {
        // A small answer, head and body, goes as one record in one segment,
        // as nginx's 16 KiB ssl_buffer_size gathers it: two would cost the
        // client a second record and the server a second send.
        let total = first.count + second.count
        if !second.isEmpty && total <= TLSSession.maxRecordPlaintext {
            let joined = Transport.scratch
            UnsafeMutableRawBufferPointer(rebasing: joined[..<first.count]).copyMemory(from: first)
            UnsafeMutableRawBufferPointer(rebasing: joined[first.count..<total]).copyMemory(from: second)
            return try tls.write(UnsafeRawBufferPointer(rebasing: joined[..<total]))
        }
        guard case .value(let written) = try tls.write(first) else { return .wouldBlock }
        guard written == first.count, !second.isEmpty else { return .value(written) }
        guard case .value(let more) = try tls.write(second) else { return .value(written) }
        return .value(written + more)
    }

    /// The address and port the client reached.
    func localAddress() -> (host: String, port: Int)? {
        try? Socket.localAddress(stream?.socket ?? fd)
    }

    /// The one buffer files are copied through and small pieces joined in,
    /// and gzip reads a file's pieces into (a process runs one loop on one
    /// thread; nothing keeps it across calls).
    /// A temporary allocation of this size would ask the C library for the
    /// stack's bounds on every call.
    nonisolated(unsafe) static let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
}
