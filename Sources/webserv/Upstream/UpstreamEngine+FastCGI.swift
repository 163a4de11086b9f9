import Glibc
import ConfLang

/// `fastcgi_pass` on the upstream engine: a connection to the application
/// (TCP or a unix socket, or an idle one from the keep-alive pool with
/// `fastcgi_keep_conn on`), BEGIN_REQUEST and PARAMS, then the body as STDIN
/// records while it arrives.
extension UpstreamEngine {
    /// `fresh`: never a pooled connection (the retry after a pooled one failed).
    func startFastCGI(_ request: FastCGIRequest, head: RequestHead, maxBodySize: Int, on connection: Connection, fresh: Bool = false) {
        // Unlike a proxied server, a request with a body takes a pooled connection
        // too: PHP-FPM's worker waits on a kept connection, so a fresh one could wait
        // for a free worker behind our own idle connections. Only one without a body is retried.
        let pooled = fresh || !request.settings.keepConnection ? nil : takePooledUpstream(FastCGIAdapter.poolKey(request.address))
        let socket: Int32
        var connected = pooled != nil
        if let pooled {
            socket = pooled
        } else {
            do {
                switch request.address {
                case .unix(let path):
                    socket = try Socket.connect(toUnixPath: path)
                    connected = true   // a unix socket's connect is done at once
                case .tcp(let host, let port):
                    guard let address = addresses[host] else { throw SystemError(call: "getaddrinfo(\(host))", errorNumber: EINVAL) }
                    socket = try Socket.connect(to: address, port: port)
                }
            } catch {
                loop.logs.error("error", "connect() to \(request.address) failed (\(error)) while connecting to upstream, client: \(request.client), "
                                + "request: \"\(request.requestLine)\", upstream: \"fastcgi://\(request.address)\"", to: request.errorLog)
                return connections.deliver(Response(status: 502), head: head, on: connection, keepAlive: false)
            }
        }
        let settings = request.settings
        let exchange = UpstreamExchange(adapter: FastCGIAdapter(socket: socket, request: request), head: head,
                                        timeout: connected ? settings.readTimeoutMilliseconds : settings.connectTimeoutMilliseconds,
                                        renews: true, connected: connected, now: loop.now(),
                                        renewal: settings.readTimeoutMilliseconds, sendRenewal: settings.sendTimeoutMilliseconds)
        exchange.pendingInput = request.records
        if pooled != nil && !head.hasBody {
            exchange.retry = { [unowned self, unowned connection] in
                self.startFastCGI(request, head: head, maxBodySize: maxBodySize, on: connection, fresh: true)
            }
        }
        begin(exchange, on: connection)
        if head.hasBody {
            connections.beginBody(connection, head: head, consumer: ForwardingBodyConsumer(engine: self, connection: connection), maxBodySize: maxBodySize)
        } else {
            feed(connection, [], last: true)
        }
    }
}
