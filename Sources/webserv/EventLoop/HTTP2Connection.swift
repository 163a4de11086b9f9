import ConfLang

/// A client connection that speaks HTTP/2 (ALPN `h2`, or the preface on a
/// plain `http2` address): the socket, its transport and the protocol's
/// state (`HTTP2Session`), and a stream's connection for each request
/// (`HTTP2StreamPort`). It owns the socket's descriptor from the moment
/// the preface arrived (`DescriptorOwner.http2`); `ConnectionDriver+HTTP2`
/// drives it.
final class HTTP2Connection {
    let fd: Int32
    /// The socket's epoll token, kept from its HTTP/1.1 beginning (its timers too).
    let identity: UInt64
    let transport: Transport
    let listener: Listener
    let peerHost: String
    let peerPort: Int
    let limits: RequestLimits
    var session: HTTP2Session
    /// The streams being answered, by id.
    var streams: [UInt32: HTTP2StreamPort] = [:]
    /// Reused for each read's events.
    var events: [HTTP2Session.Event] = []
    /// The connection's own deadline (header, keep-alive or send timeout), and that of its timer heap entry (the streams' may be earlier).
    var deadline: Int?
    var queuedDeadline: Int?
    var interest: Selector.Interest = .read
    /// The driver is handling this connection's reads: writes queued
    /// meanwhile go out once it is done, not one by one.
    var isHandling = false
    /// A connection error was sent: write it, then close.
    var closing = false
    var isClosed = false
    /// A stream was opened: `keepalive_timeout` applies when none is, `client_header_timeout` before.
    var sawRequest = false

    init(taking connection: Connection, limits: HTTP2Limits) {
        fd = connection.fd
        identity = connection.identity
        transport = connection.transport
        listener = connection.listener
        peerHost = connection.peerHost
        peerPort = connection.peerPort
        var requestLimits = connection.limits
        requestLimits.acceptsHTTP2 = true
        self.limits = requestLimits
        session = HTTP2Session(limits: limits)
    }

    /// Answers waiting for a window or for the socket hold their stream back past this.
    static let streamBacklog = 256 * 1024
    /// The socket's backlog past which no more is read (the client reads less than it asks).
    static let outputBacklog = 1 << 20

    /// Whether a stream's writes should wait: its window or the socket is behind.
    func holdsBack(_ id: UInt32) -> Bool {
        session.queuedCount(stream: id) > HTTP2Connection.streamBacklog || session.output.count > HTTP2Connection.streamBacklog
    }

    /// The first bytes of every HTTP/2 client (RFC 9113 §3.4).
    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
}

/// One stream of an HTTP/2 connection as the transport of a connection of
/// its own (nginx's fake connection `fc`): the request goes through the
/// HTTP/1.1 driver's reading, routing, handlers, upstreams and output
/// pipeline unchanged, and what they write becomes the stream's HEADERS
/// (`HTTP2Encoder`, in `respond`) and DATA. The stream's connection is never
/// in the selector: its readiness comes from the HTTP/2 driver.
final class HTTP2StreamPort {
    unowned(unsafe) let owner: HTTP2Connection
    unowned(unsafe) let driver: ConnectionDriver
    let id: UInt32
    /// The HTTP/2 connection's socket (for `$server_addr`).
    let socket: Int32
    let secure: Bool
    /// The stream's connection: the request's, as an HTTP/1.1 one's.
    var connection: Connection?
    /// The request body comes without a length: relayed in chunks to the body reception, ended by END_STREAM.
    var chunkedBody = false
    /// Body bytes handed to the stream's connection and not yet given back to the client's window.
    var unconsumed = 0
    /// A write found the stream held back: its connection is flushed when the window or the socket allows.
    var waitsToWrite = false
    var finished = false
    /// What the answer's body still has to bring when its length is known
    /// (its `content-length`) and no trailers follow: the write that completes
    /// it carries END_STREAM, as nginx's last DATA frame does, instead of an
    /// empty DATA frame after it.
    private var bodyRemaining: Int?
    /// END_STREAM went with the answer's HEADERS (no body), its body's last
    /// DATA frame (a known length) or its trailers: `finish` has nothing to send.
    var ended = false

    init(owner: HTTP2Connection, driver: ConnectionDriver, id: UInt32) {
        self.owner = owner
        self.driver = driver
        self.id = id
        socket = owner.fd
        secure = owner.transport.tls != nil
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        guard !owner.isClosed, !finished else { throw HTTP2StreamGone() }
        // The stream ended (HEADERS without a body, or the body's last bytes): nothing more is
        // sent (dropped, as HTTP/1.1's HEAD drops a body).
        guard !bytes.isEmpty, !ended else { return .value(bytes.count) }
        if owner.holdsBack(id) {
            waitsToWrite = true
            return .wouldBlock
        }
        var last = false
        if let remaining = bodyRemaining {
            last = bytes.count >= remaining
            bodyRemaining = max(remaining - bytes.count, 0)
        }
        guard owner.session.sendData(stream: id, Array(bytes)[...], endStream: last) else { throw HTTP2StreamGone() }
        if last { ended = true }
        driver.http2OutputQueued(owner)
        return .value(bytes.count)
    }

    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        guard !first.isEmpty else { return try write(second) }
        guard case .value(let count) = try write(first) else { return .wouldBlock }
        guard !second.isEmpty, case .value(let more) = try write(second) else { return .value(count) }
        return .value(count + more)
    }

    /// The answer's head, from `respond`; its body follows as writes, unless
    /// `endStream` (no body: the HEADERS frame ends the stream). `date`: the
    /// loop's Date value with its line end; `chunkSize`: the largest DATA frame (`http2_chunk_size`);
    /// `trailersFollow`: `add_trailer`'s HEADERS will end the stream, not the body.
    func sendHead(_ response: Response, date: [UInt8], endStream: Bool, chunkSize: Int, trailersFollow: Bool) {
        guard !owner.isClosed, !finished else { return }
        let fields = HTTP2Encoder.fields(response, date: date.dropLast(2))
        // A known length without trailers: the write that completes it ends the stream (`write`).
        if !endStream, !trailersFollow, response.bodyLength > 0, fields.contains(where: { $0.name == HTTP2StreamPort.contentLength }) {
            bodyRemaining = response.bodyLength
        }
        owner.session.sendHead(stream: id, status: response.status, fields: fields, endStream: endStream, chunkSize: chunkSize)
        ended = endStream
        driver.http2OutputQueued(owner)
    }

    /// The answer's trailers (`add_trailer`), after its body: a HEADERS frame that ends the stream.
    func sendTrailers(_ fields: [(name: String, value: String)]) {
        guard !owner.isClosed, !finished, !ended, !fields.isEmpty else { return }
        let list = fields.map { HPACKHeaderField(name: Array($0.name.lowercased().utf8), value: Array($0.value.utf8)) }
        ended = owner.session.sendTrailers(stream: id, list)
        driver.http2OutputQueued(owner)
    }

    /// The answer is complete (`linger`, where HTTP/1.1 would shut its side): END_STREAM, and the stream's connection ends.
    func finish() {
        guard !finished else { return }
        finished = true
        if !owner.isClosed && !ended { owner.session.sendData(stream: id, [], endStream: true) }
        driver.http2OutputQueued(owner)
        if let connection { driver.close(connection) }
    }

    /// The stream's connection closed (`ConnectionDriver.close`): an answer
    /// not finished is given up (RST_STREAM), the stream leaves its connection.
    func closed() {
        if !finished && !ended {
            finished = true
            if !owner.isClosed { owner.session.reset(stream: id, .internalError) }
            driver.http2OutputQueued(owner)
        }
        if owner.streams[id] === self { owner.streams[id] = nil }
        // Nothing else holds a stream's connection (no descriptor does): kept until the
        // calls under way are done with it, as a socket's connection is kept by its descriptor's entry.
        if let connection { driver.retiredStreams.append(connection) }
        connection = nil
    }
}

extension HTTP2StreamPort {
    static let contentLength = Array("content-length".utf8)
}

/// A write to a stream that is gone (reset by the client, or its connection closed).
struct HTTP2StreamGone: Error {}
