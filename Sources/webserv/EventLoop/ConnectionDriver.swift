import ConfLang

/// Drives client connections through the request cycle, HTTP/1.1's: bytes
/// read through each connection's transport, heads parsed and decided once,
/// bodies received or skipped, every answer out through the one exit and the
/// output pipeline, then keep-alive, lingering close or close
/// (`ConnectionDriver+Reading`, `+Exit`, `+Writing`). The loop gives it the
/// readiness of client sockets and their deadlines; the states and timers are
/// the loop's (`EventLoop.enter`). HTTP/2 would be a second driver of its own.
final class ConnectionDriver {
    unowned(unsafe) let loop: EventLoop

    /// Connections whose socket brought bytes in this turn, to process after the reads.
    var received: [Connection] = []
    /// Shared by every connection: the formatted Date of this second and the
    /// buffer each response head is built in before it is sent.
    var dateCache: (second: Int, bytes: [UInt8]) = (0, [])
    var headBuffer: [UInt8] = []
    /// The buffer each read of a client goes into.
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// The connections that speak HTTP/2 (ConnectionDriver+HTTP2).
    var http2Connections: [ObjectIdentifier: HTTP2Connection] = [:]
    /// Streams' connections and HTTP/2 connections closed during a call that may
    /// still use them (an upstream's event ends an answer, and with it a connection
    /// going away): released at the next HTTP/2 event, which no such call is under.
    var retiredStreams: [AnyObject] = []

    init(loop: EventLoop) {
        self.loop = loop
    }

    // What the driver uses of the loop, by the names it has there.
    var handler: RequestHandler { loop.handler }
    var logs: Logs { loop.logs }
    var draining: Bool { loop.draining }
    var upstreams: UpstreamEngine { loop.upstreams }
    func enter(_ state: Connection.State, _ connection: Connection) { loop.enter(state, connection) }
    func setTimer(_ connection: Connection, milliseconds: Int) { loop.setTimer(connection, milliseconds: milliseconds) }
    func clearTimer(_ connection: Connection) { loop.clearTimer(connection) }

    /// Readiness of a client socket.
    func ready(_ connection: Connection, _ event: Selector.Event) {
        if case .tunneling = connection.state { return upstreams.tunnelReady(connection, event) }
        if event.readable || event.closed { receive(connection) }
        if event.writable, !connection.isClosed, connection.wantsWrite { flush(connection) }
    }

    /// Once every ready socket of the turn is read, the small-file cache's
    /// inotify queue is read once and the requests are answered: a file
    /// changed before a request was sent has its event queued before that
    /// request's bytes are read, so one read of the queue between the two
    /// serves the whole batch fresh (lookups read it themselves when bytes
    /// arrive otherwise).
    @inline(__always)
    func processReceived() {
        guard !received.isEmpty else { return }
        handler.smallFiles.drainEvents()
        // Processing reads no socket, so nothing is added to `received` meanwhile.
        for connection in received where !connection.isClosed { process(connection) }
        received.removeAll(keepingCapacity: true)
    }

    /// A reload changed the listening addresses: a connection on an address no
    /// longer listened on that has not begun a request ends now; an answer
    /// under way is finished, then its connection ends (`finishResponse`).
    func listenersChanged() {
        for connection in loop.descriptors.clients where connection.listener.servers == nil {
            switch connection.state {
            case .idle, .readingHead: close(connection)
            default: break
            }
        }
        // HTTP/2: GOAWAY; the streams taken are answered, then the connection ends.
        for connection in http2Connections.values where connection.listener.servers == nil { goAwayHTTP2(connection) }
    }

    /// A stalled request head or body gets 408; idle keep-alive, a stalled
    /// send or a lingering close just end.
    func timedOut(_ connection: Connection) {
        switch connection.state {
        case .readingBody:
            let head = connection.request.body?.head
            abortBody(connection)
            deliver(Response(status: 408), head: head, on: connection, keepAlive: false)
        case .readingHead:
            deliver(Response(status: 408), head: nil, on: connection, keepAlive: false)
        default:
            close(connection)
        }
    }

    func close(_ connection: Connection) {
        guard !connection.isClosed else { return }   // its descriptor number may be reused already
        upstreams.end(connection)
        abortBody(connection)
        connection.request.reset()
        connection.request.bodyToDiscard = nil
        if let stream = connection.transport.stream {
            // A stream's connection: the stream ends, the HTTP/2 connection stays.
            connection.isClosed = true
            connection.deadline = nil
            return stream.closed()
        }
        connection.transport.tls?.shutdown()   // close_notify, as nginx sends before closing
        loop.closeDescriptor(connection.fd)
        connection.isClosed = true
        connection.deadline = nil
        loop.acceptor.connectionClosed()
    }
}
