import ConfLang

/// `proxy_pass` on the upstream engine: a non-blocking connection (or an
/// idle one from the keep-alive pool), the request head (hop-by-hop fields
/// removed, Host and X-Forwarded-* set) and its body streaming up.
extension UpstreamEngine {
    /// `fresh`: never a pooled connection (the retry after a pooled one failed).
    /// `attempt`: the servers of an upstream group this request has tried.
    /// `bodyRead`: a body that does not go up was read and dropped already.
    func startProxy(_ request: ProxyRequest, head: RequestHead, maxBodySize: Int, on connection: Connection, fresh: Bool = false,
                    attempt previous: ProxyAttempt = ProxyAttempt(), bodyRead: Bool = false) {
        // proxy_pass_request_body off, proxy_set_body: as nginx, the client's body is
        // read whole first and dropped, then the request goes up; however slowly
        // the body comes, the connection then carries the next request.
        if head.hasBody && !request.passesBody && !bodyRead {
            let dropped = DroppedBody { [unowned self, unowned connection] in
                self.startProxy(request, head: head, maxBodySize: maxBodySize, on: connection, bodyRead: true)
            }
            return connections.beginBody(connection, head: head, consumer: dropped, maxBodySize: maxBodySize)
        }
        // The client's body streams up while it arrives (so it cannot be sent twice).
        let streamsBody = head.hasBody && !bodyRead
        guard let settings = connection.request.context?.route.settings else {
            return connections.deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
        }
        // An upstream group: one of its servers (nginx's get_peer), else proxy_pass's own address.
        var attempt = previous
        var use: PeerUse?
        if !groups.isEmpty, let peers = groups[request.upstream.host.lowercased()] {
            use = choosePeer(peers, &attempt, head: head, clientAddress: connection.peerHost, errorLog: request.errorLog)
            if use == nil {
                return connections.deliver(Response(status: 502), head: head, on: connection, keepAlive: keepsAlive(head, bodyIn: !streamsBody))
            }
        }
        let host = use?.server.host ?? request.upstream.host, port = use?.server.port ?? request.upstream.port
        let address = use.map { $0.peers.addresses[$0.index] } ?? addresses[request.upstream.host]
        // A request with a body never takes a pooled connection: it could not be sent again.
        let pooled = fresh || streamsBody ? nil : takePooledUpstream(request.poolKey(use?.server.address ?? ProxyAdapter.poolKey(request.upstream)))
        guard let socket = pooled ?? address.flatMap({ try? Socket.connect(to: $0, port: port) }) else {
            loop.logs.error("error", "cannot connect to upstream \(host):\(port)", to: request.errorLog)
            if let use {
                release(use, failed: true, errorLog: request.errorLog)
                // Nothing was sent nor taken from the client yet.
                if UpstreamEngine.mayTryNext(.error, settings: settings.nextUpstream, attempt: attempt, peers: use.peers,
                                             head: head, requestSent: false, bodyTaken: false) {
                    return startProxy(request, head: head, maxBodySize: maxBodySize, on: connection, attempt: attempt, bodyRead: bodyRead)
                }
            }
            return connections.deliver(Response(status: 502), head: head, on: connection, keepAlive: keepsAlive(head, bodyIn: !streamsBody))
        }
        // proxy_pass https://: a pooled connection keeps its session; a new one begins its own, handshaking once connected.
        var tls = pooled.flatMap { pooledTLS.removeValue(forKey: $0) }
        if pooled == nil, request.upstream.secure {
            do {
                guard let context = tlsContexts[request.tlsContextKey ?? ""] else { throw TLSFailure("no TLS context for the upstream") }
                tls = try context.session(fd: socket, server: "\(host):\(port)", name: request.sslName ?? host)
            } catch {
                Socket.close(socket)
                loop.logs.error("error", "\(error) while SSL handshaking to upstream \(host):\(port)", to: request.errorLog)
                if let use { release(use, failed: false, errorLog: request.errorLog) }
                return connections.deliver(Response(status: 502), head: head, on: connection, keepAlive: keepsAlive(head, bodyIn: !streamsBody))
            }
        }
        let exchange = UpstreamExchange(adapter: ProxyAdapter(socket: socket, request: request, peer: use?.server), head: head,
                                        timeouts: .phases(settings.proxyTimeouts), connected: pooled != nil, now: loop.now())
        exchange.tls = tls
        exchange.answerLimit = settings.proxyAnswerBuffer.limit
        exchange.pendingInput = request.head
        exchange.renewDeadline(now: loop.now())
        exchange.peer = use
        if pooled != nil {
            // The same server again, on a fresh connection: not a try of its own.
            var again = attempt
            if let use {
                again.selection.tried.remove(use.index)
                again.tries -= 1
            }
            exchange.retry = { [unowned self, unowned connection] in
                self.startProxy(request, head: head, maxBodySize: maxBodySize, on: connection, fresh: true, attempt: again, bodyRead: bodyRead)
            }
        }
        if let use {
            exchange.nextTry = { [unowned self, unowned connection] condition, requestSent in
                // A body streams up as it arrives: once taken from the client it cannot be sent again.
                guard UpstreamEngine.mayTryNext(condition, settings: settings.nextUpstream, attempt: attempt, peers: use.peers,
                                                head: head, requestSent: requestSent, bodyTaken: streamsBody) else { return nil }
                return { self.startProxy(request, head: head, maxBodySize: maxBodySize, on: connection, attempt: attempt, bodyRead: bodyRead) }
            }
        }
        begin(exchange, on: connection)
        if streamsBody {
            connections.beginBody(connection, head: head, consumer: ForwardingBodyConsumer(engine: self, connection: connection), maxBodySize: maxBodySize)
        } else {
            feed(connection, [], last: true)
        }
    }

    /// What an idle pooled connection is watched for: the upstream closing it.
    static let idleInterest: Selector.Interest = .read

    /// The newest idle connection to `key`, out of the pool, still watched
    /// (`begin` adopts it). One its upstream closed was seen and dropped by
    /// `pooledConnectionReady`; one closed since fails the request's first
    /// write or read, which then goes again on a fresh connection (`retry`).
    func takePooledUpstream(_ key: String) -> Int32? {
        pool.take(key)
    }

    /// Keeps a connection that ended an answer cleanly for the next request
    /// to its upstream; `interest`: what the exchange watched it for; `tls`:
    /// an https upstream's session, kept with its connection.
    func poolUpstream(_ fd: Int32, key: String, watchedFor interest: Selector.Interest?, tls: TLSSession? = nil) {
        pool.put(fd, for: key, now: loop.now())
        if let tls { pooledTLS[fd] = tls }
        guard loop.adopt(fd, by: .pooledUpstream) else {
            return loop.register(fd, owner: .pooledUpstream, interest: UpstreamEngine.idleInterest)
        }
        if interest != UpstreamEngine.idleInterest { loop.changeInterest(fd, UpstreamEngine.idleInterest) }
    }

    /// The end of a turn: each upstream keeps at most its `keepalive` idle connections.
    func trimPool() {
        for fd in pool.trim() { closePooled(fd) }
    }

    /// The upstream closed an idle pooled connection (or sent what nobody asked for).
    func pooledConnectionReady(_ fd: Int32) {
        pool.remove(fd)
        closePooled(fd)
    }

    /// Every pooled connection closed (the loop stops).
    func closePool() {
        for fd in pool.removeAll() { closePooled(fd) }
    }

    /// Closes pooled connections idle for too long.
    func expirePooledConnections() {
        for fd in pool.expire(now: loop.now()) { closePooled(fd) }
    }

    /// A pooled connection closed, after close_notify over TLS.
    private func closePooled(_ fd: Int32) {
        pooledTLS.removeValue(forKey: fd)?.shutdown()
        loop.closeDescriptor(fd)
    }
}
