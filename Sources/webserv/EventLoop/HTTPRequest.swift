import ConfLang

/// One request on a connection, apart from the connection itself (nginx's
/// `ngx_http_request_t` beside its `ngx_connection_t`): the head being parsed,
/// the context it was decided in, the upstream answering it, the rest of a
/// body to skip, the answer's output state and its access-log line. The
/// connection keeps the transport, the read buffer and its state in the
/// request cycle.
///
/// HTTP/1.1 has one request at a time: the connection makes its `request` with
/// itself and `reset`s it when an answer is out, so a keep-alive request costs
/// no allocation and an idle connection holds none of a request's buffers. (An
/// idle connection holding no request object at all, each request taking one
/// from a free list per loop, cost about 340 instructions more per keep-alive
/// request when tried.) HTTP/2 would keep one per stream, each naming its connection.
final class HTTPRequest {
    /// The connection the request came on, which owns it (set once, as the
    /// connection is made). Not counted, as a counted reference would cost
    /// every access: the request's upstream descriptors, the only way to it
    /// but through its connection, are closed before the connection is.
    unowned(unsafe) var connection: Connection?

    /// The parser of a request head that arrives in pieces (or fails), kept
    /// between reads and dropped when the request is answered (it is the
    /// largest part of a request). A head that arrives whole needs none.
    var parser: RequestParser?
    /// The request being answered: its route, configuration and redirects.
    var context: RequestContext?
    /// The CGI script or proxied server answering the request.
    var upstream: UpstreamExchange?

    /// Response bytes still to send, from `outputOffset`.
    var output: [UInt8] = []
    var outputOffset = 0
    /// The file body being sent with sendfile(2); released (not closed: the cache may hold it) when done.
    var file: (file: OpenFile, offset: Int, remaining: Int)?
    /// What follows `output` and `file` in a multipart answer, in order, from
    /// `nextPart`. An array and a 32-bit index, which shares a word with the two
    /// flags below: every idle connection holds this object, and these keep it
    /// in malloc's 128-byte chunks (with an ArraySlice of parts it took 160).
    private var parts: [Response.BodyPart] = []
    private var nextPart: Int32 = 0
    var keepAliveAfterResponse = false
    /// The request being answered came without a body: when its answer ends
    /// the connection, nothing more is expected from the client.
    var bodyless = false
    /// The streamed body of the answer being written goes in chunks (`FramingFilter`).
    var chunkedOutput = false
    /// The answer's body is compressed on its way out (`GzipFilter`, `BodyFilters`).
    var gzip: GzipStream?
    /// The body being received for its consumer, while the connection reads
    /// it (`readingBody`, or `writing` when a script answered early).
    var body: BodyReception?
    /// The rest of the body of the request just answered, to skip once it is
    /// sent (`discardingBody`): kept by `reset`, cleared when skipped.
    @OutOfLine var bodyToDiscard: BodyFraming?
    /// The timeout of the state the connection is in for this request,
    /// renewed by progress: client_body_timeout while a body arrives,
    /// send_timeout while writing.
    var stateTimeoutMilliseconds: Int32 = 0
    /// keepalive_timeout of the location that answered: the connection waits
    /// that long for its next request (kept by `reset`).
    var keepAliveMilliseconds: Int32 = 0
    /// For the access log line of the answer being written, made when it ends.
    @OutOfLine var accessLog: AccessLogRecord?
    /// The answer's `add_trailer` fields, sent when its body ends (`TrailerFilter`).
    var trailers: PendingTrailers?

    /// A streamed answer (CGI, proxy) still has output to come.
    var awaitsMoreOutput: Bool { upstream.map { !$0.outputDone } ?? false }

    /// More body is to come after what `output` holds now.
    var bodyFollows: Bool { (file?.remaining ?? 0) > 0 || Int(nextPart) < parts.count }

    /// The parts still to send.
    var pendingParts: ArraySlice<Response.BodyPart> {
        get { parts[Int(nextPart)...] }
        set {
            parts = Array(newValue)
            nextPart = 0
        }
    }

    /// The next part to send, taken off the list.
    func takePart() -> Response.BodyPart? {
        guard Int(nextPart) < parts.count else { return nil }
        defer { nextPart += 1 }
        return parts[Int(nextPart)]
    }

    func releaseFile() {
        file = nil
        parts = []
        nextPart = 0
    }

    /// The method of the request being read, once its request line names one.
    var method: String? { parser.flatMap { $0.method.isEmpty ? nil : $0.method } }

    /// A request refused after its request line (for the access log).
    var rejected: (requestLine: String, headers: HTTPHeaders)? { parser?.rejected }

    /// The answer is out: the object is ready for the connection's next
    /// request, holding no buffer (an idle keep-alive connection should cost little).
    /// What is left to skip of its body (`bodyToDiscard`) and the keep-alive
    /// timeout stay: the connection skips and waits after the answer.
    func reset() {
        // Only what is set is written: this runs once per request.
        if file != nil { file = nil }
        if !parts.isEmpty {
            parts = []
            nextPart = 0
        }
        if output.capacity > 0 { output = [] }
        outputOffset = 0
        accessLog = nil
        if trailers != nil { trailers = nil }
        chunkedOutput = false
        if gzip != nil { gzip = nil }
        context = nil
        if parser != nil { parser = nil }
        if body != nil { body = nil }
    }
}
