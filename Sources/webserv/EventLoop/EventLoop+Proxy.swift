import ConfLang

/// `proxy_pass` on the upstream engine: a non-blocking connection (or an
/// idle one from the keep-alive pool), the request head (hop-by-hop fields
/// removed, Host and X-Forwarded-* set) and its body streaming up.
extension EventLoop {
    /// `fresh`: never a pooled connection (the retry after a pooled one failed).
    func startProxy(_ request: ProxyRequest, head: RequestHead, maxBodySize: Int, on connection: Connection, fresh: Bool = false) {
        guard let settings = connection.request.context?.route.settings else {
            return deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
        }
        // A request with a body never takes a pooled connection: it could not be sent again.
        let pooled = fresh || head.hasBody ? nil : takePooledUpstream(ProxyAdapter.poolKey(request.upstream))
        guard let socket = pooled ?? upstreamAddresses[request.upstream.host].flatMap({ try? Socket.connect(to: $0, port: request.upstream.port) }) else {
            logs.error("error", "cannot connect to upstream \(request.upstream.host):\(request.upstream.port)", to: request.errorLog)
            return deliver(Response(status: 502), head: head, on: connection, keepAlive: false)
        }
        let exchange = UpstreamExchange(adapter: ProxyAdapter(socket: socket, request: request), head: head,
                                        timeout: settings.sendTimeoutMilliseconds, renews: true, connected: pooled != nil, now: now())
        exchange.pendingInput = request.head
        if pooled != nil {
            exchange.retry = { [unowned self, unowned connection] in
                self.startProxy(request, head: head, maxBodySize: maxBodySize, on: connection, fresh: true)
            }
        }
        begin(exchange, on: connection)
        if head.hasBody {
            beginBody(connection, head: head, consumer: ForwardingBodyConsumer(loop: self, connection: connection), maxBodySize: maxBodySize)
        } else {
            feedUpstream(connection, [], last: true)
        }
    }

    /// An idle connection to `key` that is still open and quiet, out of the pool.
    private func takePooledUpstream(_ key: String) -> Int32? {
        while let fd = pool.take(key) {
            closeDescriptor(fd, keepOpen: true)
            if Socket.isOpenAndQuiet(fd) { return fd }
            Socket.close(fd)
        }
        return nil
    }

    /// Keeps a connection that ended an answer cleanly for the next request to its upstream.
    func poolUpstream(_ fd: Int32, key: String) {
        if let evicted = pool.put(fd, for: key, now: now()) { closeDescriptor(evicted) }
        reassign(fd, to: .pooledUpstream, interest: .read)
    }

    /// Closes pooled connections idle for too long.
    func expirePooledUpstreams() {
        for fd in pool.expire(now: now()) { closeDescriptor(fd) }
    }
}
