import ConfLang

/// One request answered by an upstream (a CGI script or a proxied server):
/// the engine's state, the same for both; `adapter` holds what differs.
final class UpstreamExchange {
    let adapter: UpstreamAdapter
    /// The client's request being answered.
    let head: RequestHead
    /// When the exchange times out (504, or the connection cut after the head).
    var deadline: Int
    let timeouts: Timeouts
    /// Starts the request again on a fresh connection (a pooled one that the
    /// upstream closed before answering), when that is safe.
    var retry: (() -> Void)?
    /// The server of an upstream group it talks to, released when it ends.
    var peer: PeerUse?
    /// A failure that counts against `peer` (nginx's NGX_PEER_FAILED).
    var peerFailed = false
    /// The request's next try on another server of its group after a failure
    /// (`condition`, `requestSent`), when proxy_next_upstream allows it; nil otherwise.
    var nextTry: ((_ condition: NextUpstream.Condition, _ requestSent: Bool) -> (() -> Void)?)?

    /// Ready for the request: connected (writable means connected, or failed), and over TLS handshaken.
    var connected: Bool
    /// `proxy_pass https://`: the connection's TLS (nil: plain, or not a socket).
    var tls: TLSSession?
    /// The socket has connected; over TLS the handshake follows before `connected`.
    var socketConnected = false
    /// The TLS handshake waits for the upstream's bytes (not for room to write).
    var handshakeWantsRead = false
    var sendOpen: Bool
    var receiveOpen = true
    var logOpen: Bool
    /// Request bytes the upstream has not accepted yet.
    var pendingInput: [UInt8] = []
    /// Where the rest of a spooled body comes from, a block at a time as the
    /// upstream takes the last (nil: a read failed); nil when the body arrives by `feed`.
    var bodySource: (() -> (block: ArraySlice<UInt8>, last: Bool)?)?
    var bodyComplete = false
    /// How much of the answer may wait for the client before the upstream
    /// is no longer read (a proxy's `proxy_buffer_size` and `proxy_buffers`).
    var answerLimit = UpstreamEngine.bufferLimit
    /// The client reads slower than the upstream writes: reading is paused.
    var paused = false
    var receivedAny = false

    var headersSent = false
    var framing = UpstreamFraming.none
    /// The answer has no body for the client (HEAD, 204, 304): the upstream's is read and dropped.
    var discardsBody = false
    /// The answer's body has ended (and its terminator is queued).
    var outputDone = false
    /// The body has ended on its framing's boundary, nothing left over.
    var endedCleanly = false
    var bodyBytesSent = 0
    /// What the selector watches on each descriptor now.
    var interests: [Int32: Selector.Interest] = [:]
    /// After a 101 the socket is a relay's (its deadline is `deadline`); ended with the exchange.
    var tunnel: UpstreamTunnel?

    /// What bounds an exchange's time.
    enum Timeouts {
        /// One deadline from the start (cgi_timeout).
        case total(Int)
        /// nginx's proxy timeouts, each for its phase and renewed by progress
        /// in it: connecting, writing the request, reading the answer.
        case phases(ProxyTimeouts)
    }

    /// The phase a proxy exchange is in, for its deadline and for the log.
    enum Phase: String {
        case connecting = "while connecting to upstream"
        case handshaking = "while SSL handshaking to upstream"
        case sending = "while sending request to upstream"
        case reading = "while reading response from upstream"
    }

    init(adapter: UpstreamAdapter, head: RequestHead, timeouts: Timeouts, connected: Bool, now: Int) {
        self.adapter = adapter
        self.head = head
        self.timeouts = timeouts
        self.connected = connected
        sendOpen = adapter.sendFD >= 0
        logOpen = adapter.logFD != nil
        if case .total(let timeout) = timeouts { deadline = now + timeout } else { deadline = 0 }
        renewDeadline(now: now)
    }

    var phase: Phase {
        if !connected { return socketConnected && tls != nil ? .handshaking : .connecting }
        return sendOpen && !pendingInput.isEmpty ? .sending : .reading
    }

    /// Progress in the phase the exchange is in (or a new phase) starts its
    /// timeout again; a total deadline stays.
    func renewDeadline(now: Int) {
        guard case .phases(let limits) = timeouts else { return }
        switch phase {
        case .connecting, .handshaking: deadline = now + limits.connectMilliseconds   // nginx's handshake timer is connect's
        case .sending: deadline = now + limits.sendMilliseconds
        case .reading: deadline = now + limits.readMilliseconds
        }
    }

    /// The descriptors still open, each once.
    var descriptors: [Int32] {
        var result: [Int32] = []
        if receiveOpen { result.append(adapter.receiveFD) }
        if sendOpen && adapter.sendFD != adapter.receiveFD { result.append(adapter.sendFD) }
        if logOpen, let log = adapter.logFD { result.append(log) }
        return result
    }

    /// How the engine reads and writes `fd`: through the TLS session on an https upstream's socket.
    func transport(_ fd: Int32) -> UpstreamTransport {
        UpstreamTransport(fd: fd, tls: fd == adapter.receiveFD ? tls : nil)
    }

    /// What `fd` should be watched for in the exchange's state.
    func interest(for fd: Int32) -> Selector.Interest {
        var interest: Selector.Interest = []
        if fd == adapter.receiveFD && receiveOpen && !paused { interest.insert(.read) }
        if fd == adapter.sendFD && sendOpen && (connected ? !pendingInput.isEmpty : !handshakeWantsRead) { interest.insert(.write) }
        if fd == adapter.logFD && logOpen { interest.insert(.read) }
        return interest
    }
}
