/// One stream of a connection (RFC 9113 §5.1) as a server sees it: a client
/// opens it with HEADERS; it has no push, so no reserved states.
///
///     idle → open (HEADERS) or half-closed (remote) (HEADERS with END_STREAM)
///     open → half-closed (remote) (END_STREAM received)
///          → half-closed (local) (END_STREAM sent)
///     either half → closed (the other END_STREAM; RST_STREAM either way)
///
/// A closed stream leaves the session's table: an id at or below the highest
/// seen and not in the table is closed.
final class HTTP2Stream {
    enum State: Equatable {
        case open
        case halfClosedRemote
        case halfClosedLocal
    }

    let id: UInt32
    private(set) var state: State
    var receiveWindow: HTTP2ReceiveWindow
    var sendWindow: HTTP2SendWindow
    /// The request's content-length, if it gave one, against the DATA received (§8.1.1).
    let contentLength: Int?
    private(set) var bodyReceived = 0
    /// The head has been handed to the application (so a reset is news to it).
    var headDelivered = false
    /// Our response head has been sent: trailers may follow, not another head.
    var headSent = false
    /// The largest DATA frame of the answer (`http2_chunk_size`); 0: the peer's SETTINGS_MAX_FRAME_SIZE.
    var chunkSize = 0
    /// Body bytes the windows hold back, and what comes after them.
    var queued: [UInt8] = []
    var queuedEnd = false
    var queuedTrailers: [HPACKHeaderField]?
    /// Received bytes the application has not consumed yet, so a reset gives them back to the connection's window.
    var unconsumed = 0

    init(id: UInt32, endStream: Bool, receiveWindow: Int, sendWindow: Int, contentLength: Int?) {
        self.id = id
        state = endStream ? .halfClosedRemote : .open
        self.receiveWindow = HTTP2ReceiveWindow(size: receiveWindow)
        self.sendWindow = HTTP2SendWindow(sendWindow)
        self.contentLength = contentLength
    }

    /// The client may still send DATA or trailers.
    var receiving: Bool { state == .open || state == .halfClosedLocal }
    /// We may still send.
    var sending: Bool { state == .open || state == .halfClosedRemote }

    /// DATA of `count` body bytes arrived: false when it passes the content-length.
    func received(bodyBytes count: Int) -> Bool {
        bodyReceived += count
        return contentLength.map { bodyReceived <= $0 } ?? true
    }

    /// The body's end: false when content-length promised more.
    var bodyComplete: Bool { contentLength.map { bodyReceived == $0 } ?? true }

    /// END_STREAM received; true when the stream is now closed.
    func endRemote() -> Bool {
        if state == .halfClosedLocal { return true }
        state = .halfClosedRemote
        return false
    }

    /// END_STREAM sent; true when the stream is now closed.
    func endLocal() -> Bool {
        if state == .halfClosedRemote { return true }
        state = .halfClosedLocal
        return false
    }
}
