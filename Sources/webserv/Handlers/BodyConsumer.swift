/// Receives a request body as it arrives (uploads now; CGI and proxy later).
protocol BodyConsumer: AnyObject {
    /// Takes the next body bytes; a response means "stop now and answer this".
    func consume(_ bytes: ArraySlice<UInt8>) -> Response?
    /// The body is complete: the answer, or nil when it comes later (CGI).
    func finish() -> Response?
    /// The request ended early (client gone, timeout, 413): undo everything.
    func abort()
}

/// How the end of a request body is found.
enum BodyFraming {
    case length(remaining: Int)
    case chunked(ChunkedDecoder)
}
