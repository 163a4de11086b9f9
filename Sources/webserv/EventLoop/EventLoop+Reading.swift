import Glibc
import ConfLang

/// Reading requests: bytes from the socket, heads parsed and answered one
/// at a time (pipelining), bodies handed to their consumer or skipped.
extension EventLoop {
    /// Reads what the socket has; the connection is processed at the end of
    /// the turn (EventLoop.turn), or at once when much arrived (a body).
    func receive(_ connection: Connection) {
        let before = connection.input.count
        guard readSocket(connection), !connection.isClosed else { return }
        guard connection.input.count > before else { return process(connection) }
        handler.smallFiles.clientBytesArrived()
        if connection.input.count > 1 << 16 { return process(connection) }
        received.append(connection)
    }

    /// Reads until the socket is drained (or enough is buffered); false when
    /// the connection closed or is lingering.
    private func readSocket(_ connection: Connection) -> Bool {
        while true {
            let result: IOResult<Int>
            do {
                result = try readBuffer.withUnsafeMutableBytes { try Socket.read(connection.fd, into: $0) }
            } catch {
                close(connection); return false
            }
            guard case .value(let count) = result else { break }
            if count == 0 {
                // The peer closed its side: nothing more will come.
                if case .writing = connection.state { return false }
                close(connection); return false
            }
            if case .lingering = connection.state { continue }
            connection.input.append(contentsOf: readBuffer[0..<count])
            if case .readingBody = connection.state { setTimer(connection, milliseconds: connection.stateTimeoutMilliseconds) }
            if case .writing = connection.state { break }
            // A short read drained the socket; level-triggered epoll reports any more.
            if count < readBuffer.count { break }
            if connection.input.count > 1 << 20 { break }   // bounded: process before reading more
        }
        if case .lingering = connection.state { return false }
        return true
    }

    /// Parses buffered input and answers one request at a time, in a loop:
    /// a response finished at once (from `finishResponse`) does not recurse
    /// here, so any number of pipelined requests uses constant stack.
    func process(_ connection: Connection) {
        guard !connection.isProcessing else { return }   // the loop below goes on with the next request
        connection.isProcessing = true
        defer { connection.isProcessing = false }
        while !connection.isClosed {
            switch connection.state {
            case .discardingBody:
                switch skip(connection.bodyToDiscard, in: connection) {
                case .skipped:
                    connection.bodyToDiscard = nil
                    connection.state = .readingHead
                case .incomplete(let rest):
                    connection.bodyToDiscard = rest
                    return
                case .malformed:
                    close(connection)   // as nginx: the request was answered, the connection cannot go on
                    return
                }
            case .readingHead:
                guard !connection.input.isEmpty else { return }
                if !connection.headStarted {
                    connection.headStarted = true
                    // After keep-alive the head gets client_header_timeout from its
                    // first byte; a new connection's has run since the accept (nginx).
                    if connection.keepAliveMilliseconds > 0, let server = handler.router.server(for: connection.listenAddress, host: nil) {
                        setTimer(connection, milliseconds: server.config.headerTimeoutMilliseconds)
                    }
                }
                switch connection.parseHead() {
                case .needMore: return
                case .error(let status):
                    deliver(Response(status: status), head: nil, on: connection, keepAlive: false)
                    return
                case .head(let consumed):
                    guard let head = connection.parsedHead else { return }
                    connection.input.removeFirst(consumed)
                    start(head, on: connection)
                }
            case .readingBody:
                receiveBody(connection)
                if case .readingBody = connection.state { return }
            case .writing:
                // A CGI script may answer before it has read the whole body: keep feeding it.
                guard connection.bodyConsumer != nil else { return }
                receiveBody(connection)
                if case .writing = connection.state { return }
            case .lingering, .awaitingUpstream:
                return
            }
        }
    }

    /// Decides a request and sets it going: routed once, here, into the
    /// request's context. An internal redirect (`previous`) stays on the
    /// previous request's server and configuration.
    func start(_ head: RequestHead, on connection: Connection, after previous: RequestContext? = nil,
               errorPage: ErrorPages.Redirect? = nil) {
        let routing = previous.map { ($0.server, handler.router.route(head.path, in: $0.server)) }
            ?? handler.settings(for: head, on: connection.listenAddress)
        guard let (server, route) = routing else {
            return deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
        }
        connection.context = RequestContext(server: server, route: route, redirects: previous.map { $0.redirects + 1 } ?? 0,
                                            errorPage: errorPage)
        switch handler.action(for: head, on: connection.listenAddress, peer: (connection.peerHost, connection.peerPort),
                              routing: (server, route)) {
        case .respond(var response):
            var keepAlive = head.wantsKeepAlive && !response.closeConnection && !draining
            if head.hasBody {
                // Nobody reads this body: skip a small one, else close after answering.
                if (head.contentLength ?? 0) > 1 << 20 || (head.expectsContinue && !keepAlive) {
                    keepAlive = false
                } else {
                    // As nginx: the body is invited (if the client waits for that) and
                    // skipped, what has arrived now, the rest after the answer.
                    if head.expectsContinue { sendContinue(connection) }
                    let framing = head.isChunked ? BodyFraming.chunked(ChunkedDecoder()) : .length(remaining: head.contentLength ?? 0)
                    switch skip(framing, in: connection) {
                    case .skipped: break
                    case .incomplete(let rest): connection.bodyToDiscard = rest
                    case .malformed:
                        // nginx's content handlers answer 400 here; an error answer keeps its status.
                        if response.status < 300 { response = Response(status: 400) }
                        keepAlive = false
                    }
                }
            }
            deliver(response, head: head, on: connection, keepAlive: keepAlive)
        case .cgi(let request, let maxBodySize):
            startScript(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .proxy(let request, let maxBodySize):
            startProxy(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .receive(let consumer, let maxBodySize):
            beginBody(connection, head: head, consumer: consumer, maxBodySize: maxBodySize)
        }
    }

    private enum Skipped { case skipped, incomplete(rest: BodyFraming), malformed }

    /// Drops as much of a body nobody reads as has arrived; says what is left.
    private func skip(_ framing: BodyFraming?, in connection: Connection) -> Skipped {
        switch framing {
        case nil:
            return .skipped
        case .length(let remaining):
            let dropped = min(remaining, connection.input.count)
            connection.input.removeFirst(dropped)
            return remaining > dropped ? .incomplete(rest: .length(remaining: remaining - dropped)) : .skipped
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(connection.input[...])
            if events.contains(where: { if case .error = $0 { return true } else { return false } }) { return .malformed }
            connection.input.removeFirst(consumed)
            return decoder.isDone ? .skipped : .incomplete(rest: .chunked(decoder))
        }
    }

    /// Starts receiving a request body for `consumer` (framing, timeout, 100-continue).
    func beginBody(_ connection: Connection, head: RequestHead, consumer: BodyConsumer, maxBodySize: Int) {
        connection.currentHead = head
        connection.bodyConsumer = consumer
        connection.bodyFraming = head.isChunked ? .chunked(ChunkedDecoder(maxBodySize: maxBodySize))
            : .length(remaining: head.contentLength ?? 0)
        connection.state = .readingBody
        if let settings = connection.context?.route.settings {
            connection.stateTimeoutMilliseconds = settings.clientBodyTimeoutMilliseconds
        }
        setTimer(connection, milliseconds: connection.stateTimeoutMilliseconds)
        if head.expectsContinue { sendContinue(connection) }
        receiveBody(connection)
    }

    /// Invites the body of a request that will be read (RFC 9110 §10.1.1).
    /// Nothing else is queued on the connection then, so the socket takes it whole.
    private func sendContinue(_ connection: Connection) {
        _ = try? EventLoop.continueLine.withUnsafeBytes { try Socket.write(connection.fd, $0) }
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Hands buffered body bytes to the consumer; answers when the body ends.
    func receiveBody(_ connection: Connection) {
        guard let consumer = connection.bodyConsumer, let framing = connection.bodyFraming, let head = connection.currentHead else { return }
        var stop: Response?
        var finished = false
        switch framing {
        case .length(let remaining):
            let count = min(remaining, connection.input.count)
            if count > 0 { stop = consumer.consume(connection.input[0..<count]) }
            connection.input.removeFirst(count)
            finished = remaining == count
            connection.bodyFraming = .length(remaining: remaining - count)
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(connection.input[...])
            for event in events where stop == nil {
                switch event {
                case .data(let range): stop = consumer.consume(connection.input[range])
                case .end: finished = true
                case .error(let status):
                    var response = Response(status: status)
                    response.closeConnection = true
                    stop = response
                }
            }
            connection.input.removeFirst(consumed)
            connection.bodyFraming = .chunked(decoder)
        }
        if let stop {
            connection.abortBody()
            connection.currentHead = nil
            deliver(stop, head: head, on: connection, keepAlive: false)
        } else if finished {
            connection.bodyConsumer = nil
            connection.bodyFraming = nil
            connection.currentHead = nil
            guard let response = consumer.finish() else { return }   // answered later (CGI)
            let keepAlive = head.wantsKeepAlive && !draining && response.status < 400
            deliver(response, head: head, on: connection, keepAlive: keepAlive)
        }
    }
}
