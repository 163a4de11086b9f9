/// What one HTTP/2 connection may cost, and the defences against the known
/// attacks on HTTP/2 servers, each a small counter. Defaults are nginx's where
/// nginx has the setting; the driver fills them from the configuration
/// (`http2_max_concurrent_streams`, `http2_body_preread_size`, `keepalive_requests`,
/// `large_client_header_buffers`).
struct HTTP2Limits {
    /// SETTINGS_MAX_CONCURRENT_STREAMS (`http2_max_concurrent_streams`, 128):
    /// a stream past it is refused (REFUSED_STREAM), its head still decoded.
    var maxConcurrentStreams = 128
    /// SETTINGS_INITIAL_WINDOW_SIZE: what a client may send on a stream
    /// before the application consumes it (nginx's `http2_body_preread_size`, 64k).
    var initialWindowSize = 65_536
    /// Requests one connection serves (`keepalive_requests`, 1000, as nginx 1.19.7+):
    /// the last one sends GOAWAY naming it; those taken finish, later ones are refused.
    var maxRequests = 1000
    /// The connection's receive window, raised from the protocol's 65,535 at the start.
    var connectionWindowSize = 1_048_576
    /// The decoded header list (names, values, 32 per field as RFC 7541 counts),
    /// as `large_client_header_buffers` bounds a request head (4 × 8k); past it
    /// the HPACK decoder fails, a connection error (its table would be lost):
    /// ENHANCE_YOUR_CALM, as nginx's "client sent too large header".
    var maxHeaderListSize = 32_768
    /// A field's name or value (`large_client_header_buffers`' SIZE, 8k): longer is ENHANCE_YOUR_CALM too.
    var maxFieldSize = 8192
    /// CONTINUATION flood (2024): the encoded block, gathered across frames,
    /// and the number of CONTINUATION frames of one block.
    var maxHeaderBlockSize = 65_536
    var maxContinuationFrames = 32
    /// Rapid Reset (CVE-2023-44487): streams the client resets before their
    /// answer ends, counted against the requests made; past `rapidResetMinimum`
    /// such resets and more than half of the requests, GOAWAY ENHANCE_YOUR_CALM.
    var rapidResetMinimum = 128
    /// SETTINGS and PING floods: answers (ACKs, and resets of streams that broke
    /// a rule) queued while the client does not read them; past this, the
    /// connection is closed (nginx's 10,000 frames).
    var maxQueuedControlFrames = 10_000
    /// Empty frames flood (CVE-2019-9518): DATA frames with no payload and no
    /// END_STREAM, and empty CONTINUATIONs, in a row.
    var maxEmptyFrames = 64
    /// Idle streams (CVE-2019-9513, -9516): PRIORITY frames naming streams
    /// nobody uses. nginx's allowance: max(concurrent streams, 100), and as
    /// many again for each request.
    var priorityAllowance: Int { max(maxConcurrentStreams, 100) }
}

/// The counters of `HTTP2Limits`' defences for one connection.
struct HTTP2Defences {
    var requests = 0
    var resetsByClient = 0
    var queuedControlFrames = 0
    var emptyFrames = 0
    var priorityFrames: Int

    init(_ limits: HTTP2Limits) {
        priorityFrames = limits.priorityAllowance
    }

    /// A client's RST_STREAM on a stream whose answer had not ended: true
    /// when the connection must go (Rapid Reset).
    mutating func clientReset(_ limits: HTTP2Limits) -> Bool {
        resetsByClient += 1
        return resetsByClient >= limits.rapidResetMinimum && resetsByClient * 2 > requests
    }

    /// A SETTINGS or PING answer queued: true past the flood bound.
    mutating func controlFrameQueued(_ limits: HTTP2Limits) -> Bool {
        queuedControlFrames += 1
        return queuedControlFrames > limits.maxQueuedControlFrames
    }

    /// A frame with no payload that carries nothing else: true past the flood bound.
    mutating func emptyFrame(_ limits: HTTP2Limits) -> Bool {
        emptyFrames += 1
        return emptyFrames > limits.maxEmptyFrames
    }

    /// A PRIORITY frame: true when the allowance is spent.
    mutating func priorityFrame() -> Bool {
        priorityFrames -= 1
        return priorityFrames < 0
    }

    /// A new request: counted for Rapid Reset's ratio, and it earns PRIORITY frames.
    mutating func request(_ limits: HTTP2Limits) {
        requests += 1
        priorityFrames = min(priorityFrames + limits.maxConcurrentStreams, limits.priorityAllowance * 8)
    }
}
