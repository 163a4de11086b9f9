import ConfLang

/// One request answered by an upstream (a CGI script or a proxied server):
/// the engine's state, the same for both; `adapter` holds what differs.
final class UpstreamExchange {
    let adapter: UpstreamAdapter
    /// The client's request being answered.
    let head: RequestHead
    var deadline: Int
    /// A proxy's read timeout starts again with every read; cgi_timeout does not.
    let renewal: Int?
    /// A FastCGI application's send timeout starts again with every write it
    /// takes while the request is sent (then its read timeout runs).
    let sendRenewal: Int?
    /// Starts the request again on a fresh connection (a pooled one that the
    /// upstream closed before answering), when that is safe.
    var retry: (() -> Void)?

    /// A connecting socket: writable means connected (or failed).
    var connected: Bool
    var sendOpen: Bool
    var receiveOpen = true
    var logOpen: Bool
    /// Request bytes the upstream has not accepted yet.
    var pendingInput: [UInt8] = []
    /// Where the rest of a spooled body comes from, a block at a time as the
    /// upstream takes the last (nil: a read failed); nil when the body arrives by `feed`.
    var bodySource: (() -> (block: ArraySlice<UInt8>, last: Bool)?)?
    var bodyComplete = false
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

    /// `timeout` counts from now; `renewal` (`timeout` unless given) from each read when `renews`.
    init(adapter: UpstreamAdapter, head: RequestHead, timeout: Int, renews: Bool, connected: Bool, now: Int,
         renewal: Int? = nil, sendRenewal: Int? = nil) {
        self.adapter = adapter
        self.head = head
        deadline = now + timeout
        self.renewal = renews ? renewal ?? timeout : nil
        self.sendRenewal = sendRenewal
        self.connected = connected
        sendOpen = adapter.sendFD >= 0
        logOpen = adapter.logFD != nil
    }

    /// The descriptors still open, each once.
    var descriptors: [Int32] {
        var result: [Int32] = []
        if receiveOpen { result.append(adapter.receiveFD) }
        if sendOpen && adapter.sendFD != adapter.receiveFD { result.append(adapter.sendFD) }
        if logOpen, let log = adapter.logFD { result.append(log) }
        return result
    }

    /// What `fd` should be watched for in the exchange's state.
    func interest(for fd: Int32) -> Selector.Interest {
        var interest: Selector.Interest = []
        if fd == adapter.receiveFD && receiveOpen && !paused { interest.insert(.read) }
        if fd == adapter.sendFD && sendOpen && (!connected || !pendingInput.isEmpty) { interest.insert(.write) }
        if fd == adapter.logFD && logOpen { interest.insert(.read) }
        return interest
    }
}
