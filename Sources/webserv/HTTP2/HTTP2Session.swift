/// One HTTP/2 connection's protocol state (RFC 9113), pure: bytes in, events
/// and frames to write out, no socket and no clock. The connection driver
/// feeds it what it reads (`receive`), acts on the events (a request head
/// for stream N, its body, its end, its reset, the connection closing), and
/// writes `output`; the answers go back in through `sendHead`, `sendData` and
/// `sendTrailers`, which frame them within the peer's windows and frame size.
///
/// It answers SETTINGS and PING itself, keeps the streams' states (§5.1) and
/// ids (§5.1.1), gathers HEADERS and CONTINUATION into one block for HPACK,
/// checks the request head (§8.3.1), counts DATA against both receive windows
/// and gives them back (WINDOW_UPDATE) only as `consumed` says the
/// application read the body; a stream error resets the stream (RST_STREAM),
/// a connection error sends GOAWAY and ends everything (§5.4). The defences
/// of `HTTP2Limits` are counted here.
struct HTTP2Session {
    enum Event: Equatable {
        /// A new stream's request; `endStream`: it has no body (no `.endStream` follows).
        case request(stream: UInt32, HTTP2RequestHead, endStream: Bool)
        /// Body bytes (padding removed), a slice of what was fed.
        case data(stream: UInt32, ArraySlice<UInt8>)
        /// The request's trailers; `.endStream` follows.
        case trailers(stream: UInt32, [HPACKHeaderField])
        /// The request's body is complete.
        case endStream(stream: UInt32)
        /// The stream is gone (the client reset it, or it broke a rule): drop its request.
        case reset(stream: UInt32, HTTP2ErrorCode)
        /// The client will open no more streams; those up to its last id go on.
        case peerGoingAway(lastStreamID: UInt32, HTTP2ErrorCode)
        /// A connection error: GOAWAY is in `output`; write it, then close. Nothing more is read.
        case closing(HTTP2ErrorCode)
    }

    let limits: HTTP2Limits
    var parser: HTTP2FrameParser
    var decoder: HPACKDecoder
    var encoder = HPACKEncoder()
    /// Frames to write, in order.
    var output: [UInt8] = []
    /// Streams open or half-closed; closed ones leave.
    var streams: [UInt32: HTTP2Stream] = [:]
    /// The highest stream id the client used: ids above it are idle (§5.1.1).
    var highestStreamID: UInt32 = 0
    /// The highest stream handed to the application: GOAWAY's last stream id.
    var lastProcessedStreamID: UInt32 = 0
    /// Requests handed to the application, against `limits.maxRequests`.
    var acceptedRequests = 0
    /// The client acknowledged our SETTINGS (our initial window holds from then on).
    var settingsAcknowledged = false
    /// The last streams closed, to tell a HEADERS on a closed stream
    /// (STREAM_CLOSED) from one on an id skipped over (PROTOCOL_ERROR).
    var recentlyClosed = [UInt32](repeating: 0, count: 16)
    var recentlyClosedNext = 0
    var connectionReceive: HTTP2ReceiveWindow
    var connectionSend = HTTP2SendWindow(HTTP2Protocol.defaultWindowSize)
    /// The client's settings.
    var peerInitialWindowSize = HTTP2Protocol.defaultWindowSize
    var peerMaxFrameSize = HTTP2Protocol.defaultMaxFrameSize
    var defences: HTTP2Defences
    /// A header block gathered across HEADERS and CONTINUATION (`blockStream` 0: none).
    var block: [UInt8] = []
    var blockStream: UInt32 = 0
    var blockEndStream = false
    var blockDependsOnItself = false
    var blockContinuations = 0
    /// Streams whose answer waits for a window, in the order they began waiting.
    var blocked: [UInt32] = []
    /// Reused while encoding an answer's head.
    var fieldScratch: [HPACKHeaderField] = []
    var blockScratch: [UInt8] = []
    /// We sent GOAWAY NO_ERROR: streams above the last go unanswered.
    private(set) var goingAway = false
    /// A connection error was sent: the session is over.
    private(set) var closed = false

    init(limits: HTTP2Limits = HTTP2Limits()) {
        self.limits = limits
        parser = HTTP2FrameParser(maxFrameSize: HTTP2Protocol.defaultMaxFrameSize)
        decoder = HPACKDecoder(maxHeaderListSize: limits.maxHeaderListSize)
        connectionReceive = HTTP2ReceiveWindow(size: max(limits.connectionWindowSize, HTTP2Protocol.defaultWindowSize))
        defences = HTTP2Defences(limits)
        // The server's preface (§3.4): our SETTINGS, then the connection's window raised.
        HTTP2FrameEncoder.appendSettings([
            (HTTP2SettingID.maxConcurrentStreams, UInt32(clamping: limits.maxConcurrentStreams)),
            (HTTP2SettingID.initialWindowSize, UInt32(clamping: limits.initialWindowSize)),
            (HTTP2SettingID.maxHeaderListSize, UInt32(clamping: limits.maxHeaderListSize)),
        ], into: &output)
        let raise = connectionReceive.size - HTTP2Protocol.defaultWindowSize
        if raise > 0 { HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: raise, into: &output) }
    }

    /// Nothing is left to do: a connection error was sent, or GOAWAY and every stream is done.
    var finished: Bool { closed || goingAway && streams.isEmpty }

    /// Streams the application is answering or receiving.
    var activeStreams: Int { streams.count }

    /// Bytes of the stream's answer the windows hold back (the application's back-pressure).
    func queuedCount(stream id: UInt32) -> Int { streams[id]?.queued.count ?? 0 }

    /// Feeds what was read; appends what it means to `events` (reused by the caller).
    mutating func receive(_ bytes: ArraySlice<UInt8>, into events: inout [Event]) {
        guard !closed else { return }
        parser.feed(bytes)
        while !closed {
            switch parser.next() {
            case .needMore:
                return
            case .failed(let code):
                connectionError(code, &events)
            case .frame(let header, let payload):
                handle(header, payload, &events)
            }
        }
    }

    /// `count` bytes of `output` were written.
    mutating func written(_ count: Int) {
        if count >= output.count {
            output.removeAll(keepingCapacity: true)
            // The client reads what we send: its ACKs no longer pile up.
            defences.queuedControlFrames = 0
        } else if count > 0 {
            output.removeFirst(count)
        }
    }

    /// Graceful close (SIGQUIT, reload): GOAWAY NO_ERROR with the last stream
    /// handed to the application, which goes on answering those (§6.8).
    mutating func goAway() {
        guard !closed, !goingAway else { return }
        goingAway = true
        HTTP2FrameEncoder.appendGoAway(lastStreamID: lastProcessedStreamID, code: .noError, into: &output)
    }

    /// The application read `count` body bytes of the stream: the windows open again.
    mutating func consumed(stream id: UInt32, count: Int) {
        guard !closed, count > 0, let stream = streams[id] else { return }
        let taken = min(count, stream.unconsumed)
        stream.unconsumed -= taken
        let increment = stream.receiveWindow.consume(taken)
        if increment > 0, stream.receiving {
            HTTP2FrameEncoder.appendWindowUpdate(streamID: id, increment: increment, into: &output)
        }
        creditConnection(taken)
    }

    /// Bytes the connection's window gave that nobody will consume (padding,
    /// a closed stream's DATA, a reset stream's unread body) or that were consumed.
    mutating func creditConnection(_ count: Int) {
        guard count > 0 else { return }
        let increment = connectionReceive.consume(count)
        if increment > 0 { HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: increment, into: &output) }
    }

    // MARK: Errors (§5.4)

    /// GOAWAY with the code; the session is over.
    mutating func connectionError(_ code: HTTP2ErrorCode, _ events: inout [Event]) {
        guard !closed else { return }
        closed = true
        HTTP2FrameEncoder.appendGoAway(lastStreamID: lastProcessedStreamID, code: code, into: &output)
        events.append(.closing(code))
    }

    /// RST_STREAM with the code; the stream, if it was open, closes, and the
    /// application hears of it if it had its request.
    mutating func streamError(_ id: UInt32, _ code: HTTP2ErrorCode, _ events: inout [Event]) {
        HTTP2FrameEncoder.appendRSTStream(streamID: id, code: code, into: &output)
        if let stream = streams[id] {
            closeStream(stream)
            if stream.headDelivered { events.append(.reset(stream: id, code)) }
        }
        // Frames that each cost us a reset (DATA on closed streams, say) are a flood like PINGs.
        if defences.controlFrameQueued(limits) { connectionError(.enhanceYourCalm, &events) }
    }

    /// The stream leaves the table; what it held of the connection's window comes back.
    mutating func closeStream(_ stream: HTTP2Stream) {
        streams[stream.id] = nil
        creditConnection(stream.unconsumed)
        stream.unconsumed = 0
        recentlyClosed[recentlyClosedNext] = stream.id
        recentlyClosedNext = (recentlyClosedNext + 1) % recentlyClosed.count
        if !blocked.isEmpty, let index = blocked.firstIndex(of: stream.id) {
            blocked.remove(at: index)
        }
    }

    /// Idle (§5.1): never used by the client. Even ids are ours, and we open none.
    func isIdle(_ id: UInt32) -> Bool { id > highestStreamID || id & 1 == 0 }

    func wasRecentlyClosed(_ id: UInt32) -> Bool { recentlyClosed.contains(id) }
}
