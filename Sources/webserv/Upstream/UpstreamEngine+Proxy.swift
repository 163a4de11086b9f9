import ConfLang

/// `proxy_pass` on the upstream engine: a non-blocking connection (or an
/// idle one from the keep-alive pool), the request head (hop-by-hop fields
/// removed, Host and X-Forwarded-* set) and its body streaming up.
extension UpstreamEngine {
    /// `fresh`: never a pooled connection (the retry after a pooled one failed).
    func startProxy(_ request: ProxyRequest, head: RequestHead, maxBodySize: Int, on connection: Connection, fresh: Bool = false) {
        guard let settings = connection.request.context?.route.settings else {
            return connections.deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
        }
        // A request with a body never takes a pooled connection: it could not be sent again.
        let pooled = fresh || head.hasBody ? nil : takePooledUpstream(ProxyAdapter.poolKey(request.upstream))
        guard let socket = pooled ?? addresses[request.upstream.host].flatMap({ try? Socket.connect(to: $0, port: request.upstream.port) }) else {
            loop.logs.error("error", "cannot connect to upstream \(request.upstream.host):\(request.upstream.port)", to: request.errorLog)
            return connections.deliver(Response(status: 502), head: head, on: connection, keepAlive: keepsAlive(head, bodyIn: !head.hasBody))
        }
        let exchange = UpstreamExchange(adapter: ProxyAdapter(socket: socket, request: request), head: head,
                                        timeouts: .phases(settings.proxyTimeouts), connected: pooled != nil, now: loop.now())
        exchange.pendingInput = request.head
        exchange.renewDeadline(now: loop.now())
        if pooled != nil {
            exchange.retry = { [unowned self, unowned connection] in
                self.startProxy(request, head: head, maxBodySize: maxBodySize, on: connection, fresh: true)
            }
        }
        begin(exchange, on: connection)
        if head.hasBody {
            connections.beginBody(connection, head: head, consumer: ForwardingBodyConsumer(engine: self, connection: connection), maxBodySize: maxBodySize)
        } else {
            feed(connection, [], last: true)
        }
    }

    /// An idle connection to `key` that is still open and quiet, out of the pool.
    private func takePooledUpstream(_ key: String) -> Int32? {
        while let fd = pool.take(key) {
            loop.closeDescriptor(fd, keepOpen: true)
            if Socket.isOpenAndQuiet(fd) { return fd }
            Socket.close(fd)
        }
        return nil
    }

    /// Keeps a connection that ended an answer cleanly for the next request to its upstream.
    func poolUpstream(_ fd: Int32, key: String) {
        if let evicted = pool.put(fd, for: key, now: loop.now()) { loop.closeDescriptor(evicted) }
        loop.reassign(fd, to: .pooledUpstream, interest: .read)
    }

    /// The upstream closed an idle pooled connection (or sent what nobody asked for).
    func pooledConnectionReady(_ fd: Int32) {
        pool.remove(fd)
        loop.closeDescriptor(fd)
    }

    /// Every pooled connection closed (the loop stops).
    func closePool() {
        for fd in pool.removeAll() { loop.closeDescriptor(fd) }
    }

    /// Closes pooled connections idle for too long.
    func expirePooledConnections() {
        for fd in pool.expire(now: loop.now()) { loop.closeDescriptor(fd) }
    }
}
