import ConfLang

/// One client connection: its buffers and where it is in the request cycle
/// (`state`, ConnectionState.swift). The event loop drives it; it never
/// touches the selector itself.
final class Connection {

    /// The socket's descriptor, for the selector; its bytes go through `transport`.
    let fd: Int32
    /// The only way to the client's bytes.
    let transport: Transport
    /// The listening address it came in on, and the servers there.
    let listener: Listener
    var listenAddress: Values.ListenAddress { listener.address }
    let peerHost: String
    let peerPort: Int

    var state = State.idle(kept: false)
    /// Received bytes not consumed yet (the start of the next request, pipelined requests).
    var input: [UInt8] = []
    let limits: RequestLimits
    /// The parser of a request head that arrives in pieces (or fails), kept
    /// between reads and dropped when the request is answered (it is the
    /// largest part of a connection). A head that arrives whole needs none.
    private var parser: RequestParser?
    /// Response bytes still to send, from `outputOffset`.
    var output: [UInt8] = []
    var outputOffset = 0
    /// The file body being sent with sendfile(2); released (not closed: the cache may hold it) when done.
    var file: (file: OpenFile, offset: Int, remaining: Int)?
    /// What follows `output` and `file` in a multipart answer, in order.
    var pendingParts: ArraySlice<Response.BodyPart> = []
    var keepAliveAfterResponse = false
    /// The rest of the body of the request just answered, to skip once it is sent.
    @OutOfLine var bodyToDiscard: BodyFraming?
    /// The timeout of the state the connection is in, renewed by progress:
    /// client_body_timeout while a body arrives, send_timeout while writing.
    var stateTimeoutMilliseconds = 0
    /// keepalive_timeout of the location that answered the last request.
    var keepAliveMilliseconds = 0
    /// The request being answered: its route, configuration and redirects.
    var context: RequestContext?
    /// The CGI script or proxied server answering the current request.
    var upstream: UpstreamExchange?

    /// A streamed answer (CGI, proxy) still has output to come.
    var awaitsMoreOutput: Bool { upstream.map { !$0.outputDone } ?? false }

    /// The socket's epoll token (descriptor and generation): unique per
    /// connection, so neither an event nor a heap entry meant for an earlier
    /// connection on the same descriptor number ever reaches this one.
    let identity: UInt64
    /// When the state the connection is in times out (nil: it has no
    /// deadline of its own, as while it waits on a script or an upstream).
    var deadline: Int?
    /// cgi_timeout of the running script, or the upstream's read timeout.
    var upstreamDeadline: Int? { upstream?.deadline }
    /// The earlier of the two: what the timer heap waits for.
    var nextDeadline: Int? {
        guard let upstream = upstreamDeadline else { return deadline }
        return min(deadline ?? upstream, upstream)
    }
    /// The deadline of this connection's entry in the timer heap, if any. A
    /// later deadline does not push a new entry: the old one is re-armed when it
    /// pops, so the heap holds at most one entry per connection.
    var queuedDeadline: Int?
    /// The readiness the selector watches for this socket now.
    var interest: Selector.Interest = .read
    /// The event loop is inside `process` for this connection (see there).
    var isProcessing = false
    /// Closed: its descriptor number may already belong to a new connection.
    var isClosed = false

    /// For the access log line of the answer being written, made when it ends.
    @OutOfLine var accessLog: AccessLogRecord?
    /// The streamed body of the answer being written goes in chunks (`FramingFilter`).
    var chunkedOutput = false

    init(fd: Int32, identity: UInt64, listener: Listener, peerHost: String, peerPort: Int, limits: RequestLimits) {
        self.fd = fd
        self.transport = Transport(fd: fd)
        self.identity = identity
        self.listener = listener
        self.peerHost = peerHost
        self.peerPort = peerPort
        self.limits = limits
    }

    /// Parses what has arrived of the current request head; the head once it is complete.
    func parseHead() -> (RequestParser.Result, RequestHead?) {
        if parser == nil, Connection.endsWithEmptyLine(input) {
            // Most heads arrive whole, alone: parsed by a parser that does not
            // outlive this call, which the compiler keeps off the heap. Any
            // other outcome (more to come, an error whose method the answer
            // needs) is parsed again below by one the connection keeps.
            let whole = RequestParser(limits: limits)
            let result = whole.parse(input)
            if case .head = result { return (result, whole.head) }
        }
        let parser = self.parser ?? RequestParser(limits: limits)
        self.parser = parser
        return (parser.parse(input), parser.head)
    }

    /// The bytes end with an empty line (LF LF or LF CR LF), as a head does.
    private static func endsWithEmptyLine(_ bytes: [UInt8]) -> Bool {
        let count = bytes.count
        guard count >= 2, bytes[count - 1] == UInt8(ascii: "\n") else { return false }
        return bytes[count - 2] == UInt8(ascii: "\n")
            || (count >= 3 && bytes[count - 2] == UInt8(ascii: "\r") && bytes[count - 3] == UInt8(ascii: "\n"))
    }

    /// The method of the request being read, once its request line names one.
    var requestMethod: String? { parser.flatMap { $0.method.isEmpty ? nil : $0.method } }

    /// A request refused after its request line (for the access log).
    var rejectedRequest: (requestLine: String, headers: HTTPHeaders)? { parser?.rejected }

    /// The next request starts from nothing.
    func resetParser() { parser = nil }

    var isIdle: Bool {
        if case .idle = state { return input.isEmpty }
        return false
    }

    var wantsWrite: Bool { state.isWriting }

    /// Response bytes wait for the socket to take them.
    var hasUnsentOutput: Bool { wantsWrite && outputOffset < output.count }

    func releaseFile() {
        file = nil
        pendingParts = []
    }

    /// More body is to come after what `output` holds now.
    var bodyFollows: Bool { (file?.remaining ?? 0) > 0 || !pendingParts.isEmpty }
}

/// A connection's per-request value kept out of line: while it is nil (an
/// idle keep-alive connection) it costs one pointer instead of its size.
@propertyWrapper
struct OutOfLine<Value> {
    private final class Storage {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage?

    init(wrappedValue: Value?) {
        storage = wrappedValue.map(Storage.init)
    }

    var wrappedValue: Value? {
        get { storage?.value }
        set {
            guard let newValue else { storage = nil; return }
            if storage != nil && isKnownUniquelyReferenced(&storage) { storage?.value = newValue } else { storage = Storage(newValue) }
        }
    }
}
