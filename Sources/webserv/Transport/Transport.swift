import Glibc

/// A client connection's way to its bytes: read, write (one piece or two in
/// one call), send a range of a file, shut the write side. The only code that
/// touches a client socket, the listener's accept apart; nothing above it
/// names a socket call (nginx's `c->recv`/`c->send_chain`).
///
/// Plain TCP is the one kind today. TLS will be a second: reads and writes
/// through its session, and files copied through a buffer (the kernel cannot
/// encrypt what sendfile(2) sends), chosen per connection here. A struct held
/// by the connection, so a call costs neither an allocation nor a witness table.
struct Transport {
    let fd: Int32
    /// Files go from the page cache to the socket (sendfile(2)); false: read
    /// into a buffer and written, as a transport that transforms its bytes must.
    let sendsFilesDirectly: Bool

    init(fd: Int32, sendsFilesDirectly: Bool = true) {
        self.fd = fd
        self.sendsFilesDirectly = sendsFilesDirectly
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        try Socket.read(fd, into: buffer)
    }

    /// `more`: a body follows at once, so the kernel may hold these bytes
    /// back and send them with it in one segment.
    func write(_ bytes: UnsafeRawBufferPointer, more: Bool = false) throws -> IOResult<Int> {
        try Socket.write(fd, bytes, more: more)
    }

    /// Two pieces in one call (a head and the body after it), neither copied
    /// into the other; the count is of both together.
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, more: Bool = false) throws -> IOResult<Int> {
        guard !second.isEmpty else { return try Socket.write(fd, first, more: more) }
        return try Socket.write(fd, first, second, more: more)
    }

    /// Sends up to `count` bytes of `file` from `offset`, which it advances;
    /// 0 sent means the file ended before the range did.
    func sendFile(_ file: Int32, offset: inout Int, count: Int) throws -> IOResult<Int> {
        if sendsFilesDirectly { return try Socket.sendFile(fd, from: file, offset: &offset, count: count) }
        return try withUnsafeTemporaryAllocation(byteCount: min(count, Transport.copyBufferSize), alignment: 1) { buffer in
            guard case .value(let read) = try Socket.readFile(file, into: buffer, at: offset), read > 0 else { return .value(0) }
            let result = try Socket.write(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<read]))
            if case .value(let written) = result { offset += written }
            return result
        }
    }

    /// Ends the write side (the peer reads the end); reading goes on.
    func shutdownWrite() {
        Socket.shutdownWrite(fd)
    }

    /// The address and port the client reached.
    func localAddress() -> (host: String, port: Int)? {
        try? Socket.localAddress(fd)
    }

    private static let copyBufferSize = 1 << 16
}
