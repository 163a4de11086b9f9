/// An upstream descriptor's way to its bytes, as `Transport` is a client's:
/// plain (a socket or a script's pipe), or TLS to a `proxy_pass https://`
/// server (`tls`, a client `TLSSession`, whose handshake the engine drives
/// in its connect phase). Would-block is a result, never an error; 0 read
/// is the end of the stream (close_notify or the socket's end).
struct UpstreamTransport {
    let fd: Int32
    let tls: TLSSession?

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        if let tls { return try tls.read(into: buffer) }
        return try Socket.read(fd, into: buffer)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        if let tls { return try tls.write(bytes) }
        return try Socket.writeDescriptor(fd, bytes)
    }

    /// close_notify before the descriptor is closed (TLS only, once).
    func shutdown() { tls?.shutdown() }

    /// The keep-alive pool's key of a connection to `address` (HOST:PORT):
    /// over TLS, also the name it was made for and its context's settings,
    /// so that a pooled connection serves only requests that would have made
    /// it alike. The address comes first, up to a space (`UpstreamPool.address(ofKey:)`).
    static func poolKey(_ address: String, tlsName: String?, settings: String?) -> String {
        guard let tlsName, let settings else { return address }
        return address + " tls " + tlsName + " " + settings
    }
}
