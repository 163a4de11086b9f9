import Glibc
import ConfLang

/// Reading requests: bytes from the transport, heads parsed and answered one
/// at a time (pipelining), bodies handed to their consumer or skipped.
extension ConnectionDriver {
    /// Reads what the socket has; the connection is processed at the end of
    /// the turn (`processReceived`), or at once when much arrived (a body).
    func receive(_ connection: Connection) {
        let before = connection.input.count
        guard readSocket(connection), !connection.isClosed else { return }
        guard connection.input.count > before else { return process(connection) }
        // Bytes while an upstream answers that are not its request's body (the
        // next request, pipelined): kept for later, and the socket watched
        // only for the client's leaving, as before the answer began.
        if connection.request.upstream != nil && !readsBody(connection) { watch(connection, .hangUp) }
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
                result = try readBuffer.withUnsafeMutableBytes { try connection.transport.read(into: $0) }
            } catch {
                if let tls = connection.transport.tls {   // a broken or hostile handshake: only this connection ends (nginx logs it at info)
                    logs.error("info", "\(error) while \(tls.isEstablished ? "reading" : "SSL handshaking"), client: \(connection.peerHost), server: \(connection.listenAddress)")
                }
                close(connection); return false
            }
            guard case .value(let count) = result else { break }
            if count == 0 {
                // The peer closed its side: nothing more will come. An answer
                // from a file is still sent; a script or upstream still at
                // work is ended (as nginx, which sees a client abort there).
                if let exchange = connection.request.upstream {
                    logs.error("info", "client closed the connection while \(exchange.adapter.name) was answering; ending it",
                               to: exchange.adapter.errorLog)
                } else if case .writing = connection.state {
                    return false
                }
                close(connection); return false
            }
            if case .lingering = connection.state { continue }
            connection.input.append(contentsOf: readBuffer[0..<count])
            if case .readingBody = connection.state { setTimer(connection, milliseconds: Int(connection.request.stateTimeoutMilliseconds)) }
            if case .writing = connection.state { break }
            // A short read drained the socket; level-triggered epoll reports any more.
            if count < readBuffer.count { break }
            if connection.input.count > 1 << 20 { break }   // bounded: process before reading more
        }
        if case .lingering = connection.state { return false }
        return true
    }

    /// Parses buffered input and answers one request at a time, in a loop:
    /// the connection says what its bytes mean (`Connection.nextStep`) and the
    /// loop carries that out. A response finished at once (from
    /// `finishResponse`) does not recurse here, so any number of pipelined
    /// requests uses constant stack.
    func process(_ connection: Connection) {
        guard !connection.isProcessing else { return }   // the loop below goes on with the next request
        connection.isProcessing = true
        defer { connection.isProcessing = false }
        while !connection.isClosed, perform(connection.nextStep(), on: connection) {}
    }

    /// Carries out one step; false when there is nothing more to do now.
    private func perform(_ step: consuming Connection.Step, on connection: Connection) -> Bool {
        switch consume step {
        case .wait:
            return false
        case .headBegins:
            // A new connection's first bytes on an HTTP/2 address may be the client preface (h2c, or ALPN h2).
            // (Over TLS, ALPN chose it: the server SNI picked may have `http2 on` where the default server has not.)
            if case .idle(kept: false) = connection.state, connection.input[0] == UInt8(ascii: "P"),
               connection.listener.servers?.speaksHTTP2 == true || connection.transport.tls?.negotiatedHTTP2 == true,
               beginsHTTP2(connection) { return false }
            enter(.readingHead, connection)
        case .head(let head):
            start(head, on: connection)
        case .badHead(let status):
            deliver(Response(status: status), head: nil, on: connection, keepAlive: false)
            return false
        case .skipped:
            connection.request.bodyToDiscard = nil
            enter(.idle(kept: true), connection)
        case .skipping(let rest):
            connection.request.bodyToDiscard = rest
            enter(.discardingBody, connection)
            return false
        case .badSkip:
            close(connection)   // as nginx: the request was answered, the connection cannot go on
            return false
        case .body(let reception, let ranges, let consumed, let end):
            feedBody(reception, ranges: ranges, consumed: consumed, end: end, on: connection)
        case .badBody(let reception, let status):
            var response = Response(status: status)
            response.closeConnection = true
            abortBody(connection)
            deliver(response, head: reception.head, on: connection, keepAlive: false)
        }
        return true
    }

    /// Decides a request and sets it going: routed once, here, into the
    /// request's context. An internal redirect (`previous`) stays on the
    /// previous request's server and configuration.
    func start(_ head: RequestHead, on connection: Connection, after previous: RequestContext? = nil,
               errorPage: ErrorPages.Redirect? = nil) {
        if connection.transport.tls?.sentPlainHTTP == true {
            return deliver(ErrorPages.plainHTTPOnTLSPort(), head: head, on: connection, keepAlive: false)
        }
        let routing = previous.map { ($0.server, handler.router.route(head.path, in: $0.server)) }
            ?? handler.settings(for: head, on: connection.listener)
        guard let (server, route) = routing else {
            return deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
        }
        let request = connection.request
        request.context = RequestContext(server: server, route: route, redirects: previous.map { $0.redirects + 1 } ?? 0,
                                         errorPage: errorPage, started: previous?.started ?? loop.now())
        if let values = previous?.setValues { request.context?.setValues = values }   // nginx keeps them across redirects
        if previous == nil && head.hasIgnoredFields { logIgnoredFields(head, on: connection, to: route.settings.errorLog) }
        switch handler.action(for: head, routing: (server, route), from: connection) {
        case .respond(var response):
            var keepAlive = head.wantsKeepAlive && !response.closeConnection && !draining
            // 444 closes at once, as nginx: no body invited or skipped (`deliver`).
            if head.hasBody && response.status != 444 {
                // Nobody reads this body: skip a small one, else close after answering.
                if (head.contentLength ?? 0) > 1 << 20 || (head.expectsContinue && !keepAlive) {
                    keepAlive = false
                } else {
                    // As nginx: the body is invited (if the client waits for that) and
                    // skipped, what has arrived now, the rest after the answer.
                    if head.expectsContinue { sendContinue(connection) }
                    let framing = head.isChunked ? BodyFraming.chunked(ChunkedDecoder()) : .length(remaining: head.contentLength ?? 0)
                    switch connection.skip(framing) {
                    case .skipped: break
                    case .incomplete(let rest): request.bodyToDiscard = rest
                    case .malformed:
                        // nginx's content handlers answer 400 here; an error answer keeps its status.
                        if response.status < 300 { response = Response(status: 400) }
                        keepAlive = false
                    }
                }
            }
            deliver(response, head: head, on: connection, keepAlive: keepAlive)
        case .cgi(let request, let maxBodySize):
            upstreams.startScript(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .proxy(let request, let maxBodySize):
            upstreams.startProxy(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .fastcgi(let request, let maxBodySize):
            upstreams.startFastCGI(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .redirect(let next):
            redirect(next, on: connection, errorPage: errorPage)
        case .receive(let consumer, let maxBodySize):
            beginBody(connection, head: head, consumer: consumer, maxBodySize: maxBodySize)
        }
    }

    /// nginx's info line for each field dropped for an underscore in its name.
    private func logIgnoredFields(_ head: RequestHead, on connection: Connection, to log: LogTarget) {
        for line in head.ignoredFields {
            logs.error("info", "client sent invalid header line: \"\(line)\" while reading client request headers, client: "
                       + "\(connection.peerHost), request: \"\(head.method) \(head.target) \(head.version.rawValue)\"", to: log)
        }
    }

    /// Starts receiving a request body for `consumer` (framing, timeout, 100-continue).
    func beginBody(_ connection: Connection, head: RequestHead, consumer: BodyConsumer, maxBodySize: Int) {
        let framing: BodyFraming = head.isChunked ? .chunked(ChunkedDecoder(maxBodySize: maxBodySize)) : .length(remaining: head.contentLength ?? 0)
        let request = connection.request
        if let settings = request.context?.route.settings {
            request.stateTimeoutMilliseconds = Int32(truncatingIfNeeded: settings.clientBodyTimeoutMilliseconds)
        }
        request.body = BodyReception(head: head, framing: framing, consumer: consumer)
        enter(.readingBody, connection)
        if head.expectsContinue { sendContinue(connection) }
        process(connection)   // the body bytes already here (inside `process`, its loop goes on with them)
    }

    /// Drops an unfinished body (an upload leaves nothing behind); the state
    /// without it is entered as every state is.
    func abortBody(_ connection: Connection) {
        guard let reception = connection.request.body else { return }
        reception.consumer.abort()
        connection.request.body = nil
        if case .readingBody = connection.state { enter(.readingHead, connection) }   // left at once for an answer
    }

    /// Invites the body of a request that will be read (RFC 9110 §10.1.1).
    /// Nothing else is queued on the connection then, so the socket takes it whole.
    private func sendContinue(_ connection: Connection) {
        let line = HTTP1Encoder.continueLine
        _ = try? connection.transport.write(UnsafeRawBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
    }

    /// Hands body bytes to the consumer; answers when the body ends (or the
    /// consumer stops it).
    private func feedBody(_ reception: BodyReception, ranges: [Range<Int>], consumed: Int, end: Bool, on connection: Connection) {
        var stop: Response?
        for range in ranges where stop == nil { stop = reception.consumer.consume(connection.input[range]) }
        connection.input.removeFirst(consumed)
        if let stop {
            abortBody(connection)
            return deliver(stop, head: reception.head, on: connection, keepAlive: false)
        }
        guard end else { return }
        // The body is in: the consumer answers now (an upload) or later (a
        // script, an upstream, whose deadline alone applies meanwhile).
        connection.request.body = nil
        if case .readingBody = connection.state { enter(.awaitingUpstream, connection) }
        guard let response = reception.consumer.finish() else { return }
        let keepAlive = reception.head.wantsKeepAlive && !draining && response.status < 400
        deliver(response, head: reception.head, on: connection, keepAlive: keepAlive)
    }
}
