import ConfLang

/// HTTP/2's side of the driver: a connection whose first bytes are the
/// client preface becomes an `HTTP2Connection`; its reads feed the session,
/// each request event becomes a stream's connection that the HTTP/1.1 path
/// answers (`HTTP2StreamPort`), and the session's frames go out through the
/// socket's transport with back-pressure: a stream's writes wait while its
/// window or the socket is behind, and the socket is not read while much
/// output waits.
extension ConnectionDriver {
    /// The connection's bytes so far begin with (a piece of) the preface:
    /// true when they are the whole preface and the connection became HTTP/2,
    /// or a piece of it to wait on. Reached only for a new connection's first
    /// bytes on an address that speaks HTTP/2.
    func beginsHTTP2(_ connection: Connection) -> Bool {
        let preface = HTTP2Connection.preface
        let count = min(connection.input.count, preface.count)
        guard connection.transport.stream == nil, connection.input[..<count].elementsEqual(preface[..<count]) else { return false }
        guard count == preface.count else { return true }   // more of the preface to come
        let h2 = HTTP2Connection(taking: connection, limits: HTTP2Driver.limits(connection.listener.servers?.defaultServer, head: connection.limits))
        // The socket changes owner, keeping its token (and the header timer armed at accept).
        _ = loop.adopt(connection.fd, by: .http2(h2))
        h2.deadline = connection.deadline
        h2.queuedDeadline = connection.queuedDeadline
        h2.interest = connection.interest
        connection.isClosed = true   // the old object no longer speaks for the socket
        connection.deadline = nil
        http2Connections[ObjectIdentifier(h2)] = h2
        let input = connection.input
        connection.input = []
        handleHTTP2(h2) { receiveHTTP2(h2, input[...]) }
        return true
    }

    /// Readiness of an HTTP/2 connection's socket.
    func readyHTTP2(_ h2: HTTP2Connection, _ event: Selector.Event) {
        if !retiredStreams.isEmpty { retiredStreams.removeAll(keepingCapacity: true) }   // called from the loop: none is in use
        handleHTTP2(h2) {
            if event.readable || event.closed { readHTTP2(h2) }
        }
    }

    /// Runs `body` for the connection, then writes what it queued, wakes the
    /// streams that can write again, and sets the socket's interest and timer.
    private func handleHTTP2(_ h2: HTTP2Connection, _ body: () -> Void) {
        guard !h2.isClosed else { return }
        h2.isHandling = true
        body()
        var rounds = 0
        while !h2.isClosed {
            writeHTTP2(h2)
            // Streams held back by a window or the socket go on while there is room.
            let waking = h2.streams.values.filter { $0.waitsToWrite && !h2.holdsBack($0.id) }
            guard !waking.isEmpty, rounds < 64 else { break }
            rounds += 1
            for port in waking {
                port.waitsToWrite = false
                if let connection = port.connection, !connection.isClosed, connection.wantsWrite { flush(connection) }
            }
        }
        h2.isHandling = false
        settleHTTP2(h2)
    }

    private func readHTTP2(_ h2: HTTP2Connection) {
        // http2_recv_buffer_size: what the connection reads in one turn (the socket stays readable
        // for the next); each read takes at least 16k, a whole TLS record, so none waits inside OpenSSL.
        var budget = h2.listener.servers?.defaultServer.config.http2RecvBufferSize ?? 262_144
        while budget > 0, !h2.isClosed, !h2.closing, h2.session.output.count < HTTP2Connection.outputBacklog {
            let size = min(readBuffer.count, max(budget, 16_384))
            let result: IOResult<Int>
            do {
                result = try readBuffer.withUnsafeMutableBytes { try h2.transport.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<size])) }
            } catch {
                return closeHTTP2(h2)
            }
            guard case .value(let count) = result else { return }
            guard count > 0 else { return closeHTTP2(h2) }
            let bytes = Array(readBuffer[0..<count])
            receiveHTTP2(h2, bytes[...])
            budget -= count
            if count < size { return }
        }
    }

    /// The session's events for what was read, acted on.
    private func receiveHTTP2(_ h2: HTTP2Connection, _ bytes: ArraySlice<UInt8>) {
        h2.events.removeAll(keepingCapacity: true)
        h2.session.receive(bytes, into: &h2.events)
        let events = h2.events
        for event in events where !h2.isClosed {
            switch event {
            case .request(let id, let head, let endStream):
                startStream(h2, id: id, head: head, endStream: endStream)
            case .data(let id, let body):
                guard let port = h2.streams[id], let connection = port.connection else { continue }
                if port.chunkedBody { ChunkedEncoder.appendChunk(body, to: &connection.input) } else { connection.input.append(contentsOf: body) }
                port.unconsumed += body.count
                bodyArrived(port, connection)
            case .endStream(let id):
                guard let port = h2.streams[id], let connection = port.connection else { continue }
                if port.chunkedBody {
                    ChunkedEncoder.appendEnd(to: &connection.input)
                    bodyArrived(port, connection)
                }
            case .reset(let id, _):
                guard let port = h2.streams[id] else { continue }
                port.finished = true   // the session has forgotten the stream: nothing to send
                if let connection = port.connection { close(connection) }
            case .trailers, .peerGoingAway:
                break
            case .closing:
                h2.closing = true
            }
        }
    }

    /// A request: a connection of its own for the stream, given the head as
    /// HTTP/1.1's reading would have it (the HTTP/2 rules were checked by the
    /// session), then answered as any request is.
    private func startStream(_ h2: HTTP2Connection, id: UInt32, head: HTTP2RequestHead, endStream: Bool) {
        h2.sawRequest = true
        let port = HTTP2StreamPort(owner: h2, driver: self, id: id)
        let connection = Connection(stream: port, listener: h2.listener, peerHost: h2.peerHost, peerPort: h2.peerPort, limits: h2.limits)
        port.connection = connection
        h2.streams[id] = port
        port.chunkedBody = !endStream && head.contentLength == nil
        connection.input = HTTP2Driver.requestHead(head, endStream: endStream, chunked: port.chunkedBody)
        process(connection)
        creditBody(port, connection)
    }

    private func bodyArrived(_ port: HTTP2StreamPort, _ connection: Connection) {
        guard !connection.isClosed else { return }
        process(connection)
        creditBody(port, connection)
    }

    /// The body bytes the request read give the client's windows back (WINDOW_UPDATE), not before:
    /// not while a script or upstream is behind on them (`readsBody`, as HTTP/1.1 stops reading its
    /// socket then); `watch` gives them back when it catches up.
    func creditBody(_ port: HTTP2StreamPort, _ connection: Connection) {
        guard port.unconsumed > 0, connection.input.isEmpty || connection.isClosed, !port.owner.isClosed else { return }
        guard connection.isClosed || connection.request.body == nil || readsBody(connection) else { return }
        port.owner.session.consumed(stream: port.id, count: port.unconsumed)
        port.unconsumed = 0
        http2OutputQueued(port.owner)
    }

    /// A stream wrote frames: outside the connection's own handling (an
    /// upstream's answer arriving), they go to the socket now.
    func http2OutputQueued(_ h2: HTTP2Connection) {
        guard !h2.isHandling, !h2.isClosed else { return }
        writeHTTP2(h2)
        settleHTTP2(h2)
    }

    /// Writes the session's frames as far as the socket takes them.
    private func writeHTTP2(_ h2: HTTP2Connection) {
        while !h2.isClosed, !h2.session.output.isEmpty {
            let transport = h2.transport
            let result = try? h2.session.output.withUnsafeBytes { try transport.write($0) }
            guard let result else { return closeHTTP2(h2) }
            guard case .value(let count) = result, count > 0 else { return }
            h2.session.written(count)
        }
    }

    /// After a step: close when the session is over, else watch the socket
    /// for what is due and arm the connection's deadline.
    private func settleHTTP2(_ h2: HTTP2Connection) {
        guard !h2.isClosed else { return }
        let pending = !h2.session.output.isEmpty
        if (h2.closing || h2.session.finished) && !pending { return closeHTTP2(h2) }
        var interest: Selector.Interest = pending ? .write : .read
        if pending && h2.session.output.count < HTTP2Connection.outputBacklog && !h2.closing { interest = [.read, .write] }
        // A stream held back by the socket's backlog, which was written outside `handleHTTP2` (GOAWAY, an
        // upstream's answer): the socket's writable readiness, at once, wakes it there.
        if !pending && h2.streams.values.contains(where: { $0.waitsToWrite && !h2.holdsBack($0.id) }) { interest = [.read, .write] }
        if interest != h2.interest {
            h2.interest = interest
            try? loop.selector.reregister(h2.fd, interest: interest, token: h2.identity)
        }
        let server = h2.listener.servers?.defaultServer
        if pending {
            // send_timeout while the client does not read what is due.
            setHTTP2Timer(h2, milliseconds: server?.base.settings.sendTimeoutMilliseconds ?? 60_000)
        } else if h2.streams.isEmpty {
            // client_header_timeout until the first request, then keepalive_timeout between them.
            let wait = h2.sawRequest ? server?.base.settings.keepaliveTimeoutMilliseconds ?? 75_000 : server?.config.headerTimeoutMilliseconds ?? 60_000
            if h2.deadline == nil || h2.sawRequest { setHTTP2Timer(h2, milliseconds: wait) }
        } else {
            h2.deadline = nil   // the streams' requests are at work
        }
        // The streams' own deadlines (client_body_timeout, send_timeout, a script's or upstream's) come through the connection's entry.
        var earliest = h2.deadline
        for port in h2.streams.values {
            if let next = port.connection?.nextDeadline { earliest = min(earliest ?? next, next) }
        }
        if let earliest, h2.queuedDeadline.map({ $0 > earliest }) ?? true {
            h2.queuedDeadline = earliest
            loop.timers.push(.init(deadline: earliest, identity: h2.identity))
        }
        if draining || h2.listener.servers == nil { goAwayHTTP2(h2) }
    }

    private func setHTTP2Timer(_ h2: HTTP2Connection, milliseconds: Int) {
        let deadline = loop.now() + milliseconds
        h2.deadline = deadline
        if let queued = h2.queuedDeadline, queued <= deadline { return }
        h2.queuedDeadline = deadline
        loop.timers.push(.init(deadline: deadline, identity: h2.identity))
    }

    /// The timer heap's entry for the connection popped.
    func timerHTTP2(_ h2: HTTP2Connection, now: Int) {
        if !retiredStreams.isEmpty { retiredStreams.removeAll(keepingCapacity: true) }
        h2.queuedDeadline = nil
        if let deadline = h2.deadline, deadline <= now {
            // Idle past keepalive_timeout (or no request in time, or a client that does not read): GOAWAY, then close.
            h2.session.goAway()
            writeHTTP2(h2)
            return closeHTTP2(h2)
        }
        handleHTTP2(h2) {
            // A stream whose deadline passed: as an HTTP/1.1 connection's (a 408, a 504, a reset when its answer stalls).
            for port in Array(h2.streams.values) {
                guard let connection = port.connection, !connection.isClosed, let next = connection.nextDeadline, next <= now else { continue }
                if let upstream = connection.upstreamDeadline, upstream <= now {
                    upstreams.timedOut(connection)
                } else {
                    timedOut(connection)
                }
            }
        }
    }

    /// SIGQUIT, or a reload that dropped the address: GOAWAY with the last
    /// stream handed to a request; those are answered, then the connection closes.
    func goAwayHTTP2(_ h2: HTTP2Connection) {
        guard !h2.isClosed, !h2.session.goingAway else { return }
        h2.session.goAway()
        writeHTTP2(h2)
        if h2.session.finished && h2.session.output.isEmpty { closeHTTP2(h2) } else { settleHTTP2(h2) }
    }

    func closeHTTP2(_ h2: HTTP2Connection) {
        guard !h2.isClosed else { return }
        h2.isClosed = true
        for port in Array(h2.streams.values) {
            port.finished = true
            if let connection = port.connection { close(connection) }
        }
        h2.streams = [:]
        h2.transport.tls?.shutdown()
        loop.closeDescriptor(h2.fd)
        h2.deadline = nil
        http2Connections[ObjectIdentifier(h2)] = nil
        retiredStreams.append(h2)   // its streams' ports name it without holding it
        loop.acceptor.connectionClosed()
    }
}

/// The pure part of the HTTP/2 driver: a connection's limits from the
/// configuration, a stream's request head as the HTTP/1.1 reading path takes it.
enum HTTP2Driver {
    /// The limits of a connection from its address's default server (nginx reads
    /// them from the server the connection's configuration is, as here):
    /// `http2_max_concurrent_streams`, `http2_body_preread_size` (at least 1k: the window
    /// opens again only as the body is read), `keepalive_requests`, and the decoded
    /// header list bounded as `large_client_header_buffers` bounds a request head
    /// (N × SIZE for the list, SIZE for a name or a value, as nginx's).
    static func limits(_ server: VirtualServer?, head: RequestLimits) -> HTTP2Limits {
        var limits = HTTP2Limits()
        limits.maxHeaderListSize = max(head.maxHeadBytes, 4096)
        limits.maxFieldSize = head.maxLineBytes
        guard let server else { return limits }
        limits.maxConcurrentStreams = server.config.http2MaxConcurrentStreams
        limits.initialWindowSize = min(max(server.config.http2BodyPrereadSize, 1024), HTTP2Protocol.largestWindowSize)
        limits.maxRequests = max(1, server.base.settings.keepaliveRequests)
        return limits
    }

    /// `METHOD PATH HTTP/2.0`, `host` from `:authority` (or the `host`
    /// field), the other fields (cookies joined, §8.2.3; `expect` dropped,
    /// no interim answer is sent), and `transfer-encoding: chunked` for a
    /// body without a length, relayed in chunks as its DATA comes. The
    /// session checked the values: no CR, LF or NUL can be in them.
    static func requestHead(_ head: HTTP2RequestHead, endStream: Bool, chunked: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes += head.method
        bytes.append(UInt8(ascii: " "))
        bytes += head.path
        bytes += Array(" HTTP/2.0\r\n".utf8)
        let hostField = head.fields.first { $0.name.elementsEqual("host".utf8) }
        if let host = head.authority ?? hostField?.value {
            bytes += Array("host: ".utf8) + host + [13, 10]
        }
        var cookies: [[UInt8]] = []
        for field in head.fields {
            if field.name.elementsEqual("host".utf8) || field.name.elementsEqual("expect".utf8) { continue }
            if field.name.elementsEqual("cookie".utf8) { cookies.append(field.value); continue }
            bytes += field.name + Array(": ".utf8) + field.value + [13, 10]
        }
        if !cookies.isEmpty {
            bytes += Array("cookie: ".utf8) + Array(cookies.joined(separator: Array("; ".utf8))) + [13, 10]
        }
        if chunked { bytes += Array("transfer-encoding: chunked\r\n".utf8) }
        bytes += [13, 10]
        return bytes
    }
}
