import Glibc
import ConfLang

/// Writing responses: the head built and sent at once, file bodies with
/// sendfile(2), then keep-alive, lingering close or close.
extension ConnectionDriver {
    /// Sends an answer through the output pipeline: the header filters
    /// (Output/HeaderFilters.swift), the HTTP/1 encoder, the body filters, the
    /// transport; the access-log line is made when the answer ends (`finishResponse`).
    /// `location`: the answering location, when the caller has it already.
    func respond(_ connection: Connection, with response: consuming Response, head: RequestHead?, keepAlive: Bool,
                 location: ResolvedLocation? = nil) {
        // A request that failed before its head was complete is still answered
        // without a body when its request line said HEAD (RFC 9110 §9.3.2).
        let request = connection.request
        let headOnly = (head?.method ?? request.method) == "HEAD"
        // The answering location, or for a request refused before routing its server's own settings.
        // Its settings are read through it: binding them would copy them for every request.
        guard let location = location ?? handler.settings(for: head, on: connection.listener)?.1.location else {
            return close(connection)   // no server has this address: cannot happen for an accepted connection
        }
        var output = OutputDecision(keepAlive: keepAlive, listening: connection.listener.servers != nil)
        HeaderFilters.run(&response, head: head, location: location, transport: connection.transport, connection: connection, &output)
        request.keepAliveMilliseconds = Int32(truncatingIfNeeded: location.settings.keepaliveTimeoutMilliseconds)
        request.keepAliveAfterResponse = output.keepAlive
        request.bodyless = head.map { ($0.contentLength ?? 0) == 0 && !$0.isChunked } ?? false
        request.chunkedOutput = output.chunked
        if let gzip = output.gzip { request.gzip = gzip }
        if response.status >= 400 && !response.streamed { abortBody(connection) }
        // A script that answers early may still be taking the request body.
        request.stateTimeoutMilliseconds = Int32(truncatingIfNeeded: location.settings.sendTimeoutMilliseconds)
        enter(.writing, connection)
        var body: ArraySlice<UInt8> = []
        switch response.body {
        case .bytes(let bytes) where !headOnly: body = bytes[...]
        case .file(let file, let offset, let length) where !headOnly: request.file = (file, offset, length)
        case .parts(let parts) where !headOnly: request.pendingParts = parts[...]
        default: break
        }
        if output.trailers {
            request.trailers = PendingTrailers(location: location, head: head, connection: connection, status: response.status,
                                               clock: { [unowned loop = self.loop] in loop.now() })
            // HTTP/1.1 carries them in the last chunk: a body of known length goes chunked too.
            if request.chunkedOutput && !response.streamed && request.gzip == nil {
                request.chunkKnownBody(response.body)
                body = []
            }
        }
        // The head is built in one buffer of the loop and sent at once with a
        // body of bytes (neither copied into the other); only what the socket
        // does not take is kept by the connection.
        headBuffer.removeAll(keepingCapacity: true)
        if let stream = connection.transport.stream {
            // HTTP/2's encoder in place of HTTP/1's: HEADERS now, the body as DATA, END_STREAM at the end (`linger`).
            request.keepAliveAfterResponse = false
            // nginx's header_only (HEAD, 1xx, 204, 304) or an empty body: END_STREAM on the HEADERS frame itself.
            let status = response.status
            let bodiless = headOnly || status < 200 || status == 204 || status == 304
                || (!response.streamed && response.bodyLength == 0 && !output.trailers)
            stream.sendHead(response, date: httpDate(), endStream: bodiless, chunkSize: location.settings.http2ChunkSize,
                            trailersFollow: output.trailers)
        } else {
            HTTP1Encoder.appendHead(response, chunked: output.chunked, keepAlive: output.keepAlive, date: httpDate(), to: &headBuffer)
        }
        let transport = connection.transport, more = request.bodyFollows
        // A script's or upstream's answer: its first body bytes come from the
        // same read, and the caller sends the head with them in one write.
        let holdsHead = response.streamed
        let sent = holdsHead ? 0 : headBuffer.withUnsafeBytes { head in
            body.withUnsafeBytes { body -> Int in
                guard case .value(let count)? = try? transport.write(head, body, more: more) else { return 0 }
                return count
            }
        }
        if holdsHead {
            if request.outputOffset > 0 { request.output.removeFirst(request.outputOffset) }
            request.output.reserveCapacity(request.output.count + headBuffer.count + 2048)
            request.output.append(contentsOf: headBuffer)
        } else if sent < headBuffer.count {
            request.output = Array(headBuffer[sent...]) + body
        } else {
            request.output = sent < headBuffer.count + body.count ? Array(body[(body.startIndex + sent - headBuffer.count)...]) : []
        }
        request.outputOffset = 0
        if headBuffer.capacity > 1 << 16 { headBuffer = [] }   // one large page must not stay resident
        if let path = location.settings.accessLog {
            request.accessLog = AccessLogRecord(path: path, remoteAddress: connection.peerHost, head: head,
                                                rejected: head == nil ? request.rejected : nil,
                                                status: response.status, bytesSent: headOnly || output.gzip != nil ? 0 : response.bodyLength)
            if let format = location.settings.accessLogFormat {
                request.accessLog?.formatted = .init(format: format,
                                                     variables: RequestVariables(head: head, connection: connection, location: location))
            }
        }
        if !holdsHead { flush(connection) }
    }

    /// Sends what is queued (`Connection.writeQueued`) and carries out what that came to.
    func flush(_ connection: Connection) {
        switch connection.writeQueued() {
        case .failed, .fileShrank:
            close(connection)
        case .blocked(let progressed):
            // send_timeout runs between two writes that make progress, as nginx's.
            if progressed && connection.state.isWriting { setTimer(connection, milliseconds: Int(connection.request.stateTimeoutMilliseconds)) }
            waitForWritable(connection)
        case .sent where connection.request.awaitsMoreOutput:
            // Everything so far is sent; the script or upstream has more to say,
            // and its deadline, not the client's, applies until it does.
            clearTimer(connection)
            // Watched for reading still: the next request's bytes, should
            // they come, switch it to the client's leaving (`receive`).
            watch(connection, readsBody(connection) || connection.interest == .read ? .read : .hangUp)
            upstreams.resume(connection)
        case .sent:
            finishResponse(connection)
        }
    }

    private func waitForWritable(_ connection: Connection) {
        watch(connection, readsBody(connection) ? [.write, .read] : .write)
    }

    /// Changes what the selector watches on a client socket (only when it changes).
    func watch(_ connection: Connection, _ interest: Selector.Interest) {
        guard connection.interest != interest else { return }
        connection.interest = interest
        // A stream's connection has no socket: reading again means its body's window may open (the upstream caught up).
        if let stream = connection.transport.stream { return interest.contains(.read) ? creditBody(stream, connection) : () }
        try? loop.selector.reregister(connection.fd, interest: interest, token: connection.identity)
    }

    /// Whether the socket should be read for a request body right now (not
    /// when the CGI script is behind on its stdin).
    func readsBody(_ connection: Connection) -> Bool {
        guard connection.request.body != nil else { return false }
        return (connection.request.upstream?.pendingInput.count ?? 0) <= UpstreamEngine.bufferLimit
    }

    func finishResponse(_ connection: Connection) {
        upstreams.end(connection)
        let request = connection.request
        // HTTP/2's trailers: a HEADERS frame after the body, which ends the stream (HTTP/1.1's went in its last chunk).
        if let trailers = request.trailers, let stream = connection.transport.stream { stream.sendTrailers(trailers.fields()) }
        if let record = request.accessLog { logs.access(record, now: loop.now()) }
        guard request.keepAliveAfterResponse, connection.listener.servers != nil else {
            // nginx's ngx_http_finalize_connection: a request without a body,
            // nothing more received, is closed at once (close_notify first over
            // TLS); the rest linger, their client perhaps still sending.
            let quiet = request.bodyless && request.bodyToDiscard == nil && connection.input.isEmpty
                && connection.transport.stream == nil && Socket.isOpenAndQuiet(connection.fd)
            request.reset()
            request.bodyToDiscard = nil
            return quiet ? close(connection) : linger(connection)
        }
        // The same object serves the connection's next request; it keeps what
        // is left to skip of this one's body.
        request.reset()
        // An idle keep-alive connection holds no buffer (10,000 of them should cost little).
        if connection.input.isEmpty { connection.input = [] }
        watch(connection, .read)
        enter(request.bodyToDiscard == nil ? .idle(kept: true) : .discardingBody, connection)
        if draining && connection.input.isEmpty { close(connection); return }
        process(connection)
    }

    /// Close after the response without resetting data the client may still
    /// be sending (a 413 body): shut our side, drain theirs briefly.
    func linger(_ connection: Connection) {
        enter(.lingering, connection)
        connection.transport.shutdownWrite()
        watch(connection, .read)
    }

    /// The Date value of this second, with its line end.
    private func httpDate() -> [UInt8] {
        let now = Clock.wallSeconds()
        if dateCache.second != now { dateCache = (now, Array((HTTPDate.format(now) + "\r\n").utf8)) }
        return dateCache.bytes
    }
}
