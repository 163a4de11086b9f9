/// The body filters, in order, between a handler's bytes and the encoder's
/// framing (nginx's body filter chain): where gzip goes. None changes a body
/// today, so the chain is the identity and costs nothing; a filter that
/// changes the length (gzip) also sets the answer's framing in its header
/// filter (`FramingFilter`), as nginx's gzip filter clears Content-Length.
enum BodyFilters {
    @inline(__always)
    static func run(_ bytes: ArraySlice<UInt8>, last: Bool) -> ArraySlice<UInt8> {
        bytes
    }
}
