import ConfLang

/// One client connection: its buffers and where it is in the request cycle.
/// The event loop drives it; it never touches the selector itself.
final class Connection {
    enum State {
        /// Waiting for (the rest of) a request head.
        case readingHead
        /// Receiving a request body for `bodyConsumer`.
        case readingBody
        /// Reading and dropping a request body nobody needs (`bodyToDiscard`), before the next request.
        case discardingBody
        /// Sending a response.
        case writing
        /// Waiting for the header block of a CGI script or an upstream server.
        case awaitingUpstream
        /// Response sent, write side shut: draining what the client still sends, then close.
        case lingering
    }

    let fd: Int32
    let listenAddress: Values.ListenAddress
    let peerHost: String
    let peerPort: Int

    var state = State.readingHead
    /// Received bytes not consumed yet (the start of the next request, pipelined requests).
    var input: [UInt8] = []
    var parser: RequestParser
    /// Response bytes still to send, from `outputOffset`.
    var output: [UInt8] = []
    var outputOffset = 0
    /// The file body being sent with sendfile(2); released (not closed: the cache may hold it) when done.
    var file: (file: OpenFile, offset: Int, remaining: Int)?
    /// What follows `output` and `file` in a multipart answer, in order.
    var pendingParts: ArraySlice<Response.BodyPart> = []
    var keepAliveAfterResponse = false
    /// The rest of the body of the request just answered, to skip before the next one.
    var bodyToDiscard: BodyFraming?
    /// The request whose body is being received, its framing and its consumer.
    var currentHead: RequestHead?
    var bodyFraming: BodyFraming?
    var bodyConsumer: BodyConsumer?
    var bodyTimeoutMilliseconds = 60_000
    /// keepalive_timeout of the location that answered the last request.
    var keepAliveMilliseconds = 75_000
    /// The CGI script answering the current request.
    var cgi: CGIExchange?
    /// The upstream server answering the current request (proxy_pass).
    var proxy: ProxyExchange?

    /// A streamed answer (CGI, proxy) still has output to come.
    var awaitsMoreOutput: Bool {
        (cgi.map { !$0.outputDone } ?? false) || (proxy.map { !$0.outputDone } ?? false)
    }

    /// Unique per connection, so a heap entry never fires for a later
    /// connection that reuses the descriptor number.
    let identity: UInt64
    /// When this connection times out (nil: never).
    var deadline: Int?
    /// The deadline of this connection's entry in the timer heap, if any. A
    /// later deadline does not push a new entry: the old one is re-armed when it
    /// pops, so the heap holds at most one entry per connection.
    var queuedDeadline: Int?
    /// The readiness the selector watches for this socket now.
    var interest: Selector.Interest = .read
    var headStarted = false
    /// The event loop is inside `process` for this connection (see there).
    var isProcessing = false
    /// Closed: its descriptor number may already belong to a new connection.
    var isClosed = false

    /// For the access log line of the response being written.
    var logLine: AccessLogLine?

    init(fd: Int32, identity: UInt64, listenAddress: Values.ListenAddress, peerHost: String, peerPort: Int, limits: RequestLimits) {
        self.fd = fd
        self.identity = identity
        self.listenAddress = listenAddress
        self.peerHost = peerHost
        self.peerPort = peerPort
        self.parser = RequestParser(limits: limits)
    }

    var isIdle: Bool {
        if case .readingHead = state { return input.isEmpty && !headStarted }
        return false
    }

    var wantsWrite: Bool {
        if case .writing = state { return true }
        return false
    }

    func releaseFile() {
        file = nil
        pendingParts = []
    }

    /// More body is to come after what `output` holds now.
    var bodyFollows: Bool { (file?.remaining ?? 0) > 0 || !pendingParts.isEmpty }

    /// Drops an unfinished body: an upload leaves nothing behind.
    func abortBody() {
        bodyConsumer?.abort()
        bodyConsumer = nil
        bodyFraming = nil
    }
}
