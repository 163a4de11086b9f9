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
    /// The request on the connection, one at a time in HTTP/1.1: made with the
    /// connection and reset after each answer (HTTPRequest.swift), so an idle
    /// keep-alive connection holds none of its buffers.
    let request = HTTPRequest()

    /// The socket's epoll token (descriptor and generation): unique per
    /// connection, so neither an event nor a heap entry meant for an earlier
    /// connection on the same descriptor number ever reaches this one.
    let identity: UInt64
    /// When the state the connection is in times out (nil: it has no
    /// deadline of its own, as while it waits on a script or an upstream).
    var deadline: Int?
    /// cgi_timeout of the running script, or the upstream's read timeout.
    var upstreamDeadline: Int? { request.upstream?.deadline }
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

    init(fd: Int32, identity: UInt64, listener: Listener, peerHost: String, peerPort: Int, limits: RequestLimits,
         tls: TLSSession? = nil) {
        self.fd = fd
        self.transport = Transport(fd: fd, tls: tls)
        self.identity = identity
        self.listener = listener
        self.peerHost = peerHost
        self.peerPort = peerPort
        self.limits = limits
        request.connection = self
    }

    /// A stream's connection (HTTP2StreamPort): no socket of its own, never in the selector.
    init(stream: HTTP2StreamPort, listener: Listener, peerHost: String, peerPort: Int, limits: RequestLimits) {
        fd = -1
        transport = Transport(stream: stream)
        identity = 0   // no descriptor's: a timer queued for it finds no owner
        self.listener = listener
        self.peerHost = peerHost
        self.peerPort = peerPort
        self.limits = limits
        request.connection = self
    }

    /// Parses what has arrived of the current request head; the head once it is complete.
    func parseHead() -> (RequestParser.Result, RequestHead?) {
        if request.parser == nil, Connection.endsWithEmptyLine(input) {
            // Most heads arrive whole, alone: parsed by a parser that does not
            // outlive this call, which the compiler keeps off the heap. Any
            // other outcome (more to come, an error whose method the answer
            // needs) is parsed again below by one the connection keeps.
            let whole = RequestParser(limits: limits)
            let result = whole.parse(input)
            if case .head = result { return (result, whole.head) }
        }
        let parser = request.parser ?? RequestParser(limits: limits)
        request.parser = parser
        return (parser.parse(input), parser.head)
    }

    /// The bytes end with an empty line (LF LF or LF CR LF), as a head does.
    private static func endsWithEmptyLine(_ bytes: [UInt8]) -> Bool {
        let count = bytes.count
        guard count >= 2, bytes[count - 1] == UInt8(ascii: "\n") else { return false }
        return bytes[count - 2] == UInt8(ascii: "\n")
            || (count >= 3 && bytes[count - 2] == UInt8(ascii: "\r") && bytes[count - 3] == UInt8(ascii: "\n"))
    }

    var isIdle: Bool {
        if case .idle = state { return input.isEmpty }
        return false
    }

    var wantsWrite: Bool { state.isWriting }

    /// Response bytes wait for the socket to take them.
    var hasUnsentOutput: Bool { wantsWrite && request.outputOffset < request.output.count }
}

/// A request's value kept out of line: while it is nil (an
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
            // Set to nil once per request (HTTPRequest.reset) while nil nearly always: no release then.
            guard let newValue else { if storage != nil { storage = nil }; return }
            if storage != nil && isKnownUniquelyReferenced(&storage) { storage?.value = newValue } else { storage = Storage(newValue) }
        }
    }
}
