import Glibc
import ConfLang

/// Writing responses: the head built and sent at once, file bodies with
/// sendfile(2), then keep-alive, lingering close or close.
extension EventLoop {
    /// `location`: the answering location, when the caller has it already.
    func respond(_ connection: Connection, with response: consuming Response, head: RequestHead?, keepAlive: Bool,
                 location: ResolvedLocation? = nil) {
        if response.status >= 201, response.status < 400,
           let index = response.headers.firstIndex(where: { $0.name.caseInsensitiveEquals("Location") }) {
            response.headers[index].value = RedirectLocation.absolute(
                response.headers[index].value, requestHost: head?.host, local: { connection.transport.localAddress() })
        }
        // A request that failed before its head was complete is still answered
        // without a body when its request line said HEAD (RFC 9110 §9.3.2).
        let headOnly = (head?.method ?? connection.requestMethod) == "HEAD"
        // The answering location, or for a request refused before routing its server's own settings.
        // Its settings are read through it: binding them would copy them for every request.
        guard let location = location ?? handler.settings(for: head, on: connection.listener)?.1.location else {
            return close(connection)   // no server has this address: cannot happen for an accepted connection
        }
        Charset.apply(location.settings.charset, to: &response.headers)
        connection.keepAliveMilliseconds = location.settings.keepaliveTimeoutMilliseconds
        // `keepalive_timeout 0` turns keep-alive off, as in nginx; so does a
        // reload that stopped listening on the connection's address.
        let keepAlive = keepAlive && connection.keepAliveMilliseconds > 0 && connection.listener.servers != nil
        connection.keepAliveAfterResponse = keepAlive
        if response.status >= 400 && !response.streamed { abortBody(connection) }
        // A script that answers early may still be taking the request body.
        connection.stateTimeoutMilliseconds = location.settings.sendTimeoutMilliseconds
        enter(.writing(body: connection.state.reception), connection)
        switch response.body {
        case .file(let file, let offset, let length) where !headOnly: connection.file = (file, offset, length)
        case .parts(let parts) where !headOnly: connection.pendingParts = parts[...]
        default: break
        }
        // The head is built in one buffer of the loop and sent at once with a
        // body of bytes (neither copied into the other); only what the socket
        // does not take is kept by the connection.
        headBuffer.removeAll(keepingCapacity: true)
        response.appendHead(to: &headBuffer, date: httpDate(), keepAlive: keepAlive)
        var body: [UInt8] = []
        if case .bytes(let bytes) = response.body, !headOnly { body = bytes }
        let transport = connection.transport, more = connection.bodyFollows
        let sent = headBuffer.withUnsafeBytes { head in
            body.withUnsafeBytes { body -> Int in
                guard case .value(let count)? = try? transport.write(head, body, more: more) else { return 0 }
                return count
            }
        }
        if sent < headBuffer.count {
            connection.output = Array(headBuffer[sent...]) + body
        } else {
            connection.output = sent < headBuffer.count + body.count ? Array(body[(sent - headBuffer.count)...]) : []
        }
        connection.outputOffset = 0
        if headBuffer.capacity > 1 << 16 { headBuffer = [] }   // one large page must not stay resident
        if let accessLog = location.settings.accessLog {
            // The request as the client sent it (an internal redirect keeps its fields); one refused
            // before it was complete as far as it was read.
            let rejected = head == nil ? connection.rejectedRequest : nil
            let fields = head?.headers ?? rejected?.headers
            connection.logLine = AccessLogLine(
                path: accessLog, remoteAddress: connection.peerHost,
                requestLine: head.map { "\($0.clientMethod) \($0.target) \($0.version.rawValue)" } ?? rejected?.requestLine ?? "-",
                status: response.status, bytesSent: headOnly ? 0 : response.bodyLength,
                referer: fields?["Referer"] ?? "-", userAgent: fields?["User-Agent"] ?? "-")
        }
        flush(connection)
    }

    func flush(_ connection: Connection) {
        // send_timeout runs between two writes that make progress, as nginx's.
        var progressed = false
        defer { if progressed && !connection.isClosed && connection.state.isWriting { setTimer(connection, milliseconds: connection.stateTimeoutMilliseconds) } }
        do {
            while true {
                let more = connection.bodyFollows
                while connection.outputOffset < connection.output.count {
                    let result = try connection.output[connection.outputOffset...].withUnsafeBytes {
                        try connection.transport.write($0, more: more)
                    }
                    guard case .value(let count) = result else { return waitForWritable(connection) }
                    connection.outputOffset += count
                    progressed = progressed || count > 0
                }
                while var file = connection.file, file.remaining > 0 {
                    let result = try connection.transport.sendFile(file.file.fd, offset: &file.offset, count: min(file.remaining, 1 << 30))
                    guard case .value(let count) = result else { connection.file = file; return waitForWritable(connection) }
                    // The file shrank under us: the promised length cannot be sent.
                    if count == 0 { close(connection); return }
                    progressed = true
                    file.remaining -= count
                    connection.file = file
                }
                guard let next = connection.pendingParts.popFirst() else { break }
                switch next {
                case .bytes(let bytes):
                    connection.output = bytes
                    connection.outputOffset = 0
                case .file(let file, let offset, let length):
                    connection.file = (file, offset, length)
                }
            }
        } catch {
            close(connection); return
        }
        if connection.outputOffset > 1 << 16 {
            connection.output.removeFirst(connection.outputOffset)
            connection.outputOffset = 0
        }
        if connection.awaitsMoreOutput {
            // Everything so far is sent; the script or upstream has more to say,
            // and its deadline, not the client's, applies until it does.
            progressed = false
            clearTimer(connection)
            watch(connection, readsBody(connection) ? .read : .hangUp)
            resumeUpstream(connection)
            return
        }
        finishResponse(connection)
    }

    private func waitForWritable(_ connection: Connection) {
        watch(connection, readsBody(connection) ? [.write, .read] : .write)
    }

    /// Changes what the selector watches on a client socket (only when it changes).
    func watch(_ connection: Connection, _ interest: Selector.Interest) {
        guard connection.interest != interest else { return }
        connection.interest = interest
        try? selector.reregister(connection.fd, interest: interest, token: connection.identity)
    }

    /// Whether the socket should be read for a request body right now (not
    /// when the CGI script is behind on its stdin).
    func readsBody(_ connection: Connection) -> Bool {
        guard connection.state.reception != nil else { return false }
        return (connection.upstream?.pendingInput.count ?? 0) <= EventLoop.bufferLimit
    }

    func finishResponse(_ connection: Connection) {
        endUpstream(connection)
        connection.releaseFile()
        connection.output = []
        connection.outputOffset = 0
        if let line = connection.logLine { logs.access(line) }
        connection.logLine = nil
        connection.context = nil
        guard connection.keepAliveAfterResponse, connection.listener.servers != nil else { return linger(connection) }
        connection.resetParser()
        let discard = connection.bodyToDiscard
        connection.bodyToDiscard = nil
        // An idle keep-alive connection holds no buffer (10,000 of them should cost little).
        if connection.input.isEmpty { connection.input = [] }
        watch(connection, .read)
        enter(discard.map { .discardingBody($0) } ?? .idle(kept: true), connection)
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
