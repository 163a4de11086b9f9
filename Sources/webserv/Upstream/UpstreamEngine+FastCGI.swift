import Glibc
import ConfLang

/// `fastcgi_pass` on the upstream engine: a connection to the application
/// (TCP or a unix socket, or an idle one from the keep-alive pool with
/// `fastcgi_keep_conn on`), BEGIN_REQUEST and PARAMS, then the body as STDIN
/// records while it arrives.
extension UpstreamEngine {
    /// `fresh`: never a pooled connection (the retry after a pooled one failed).
    /// A chunked body is spooled first (`SpooledBody`), as nginx buffers
    /// it: the application must be told CONTENT_LENGTH, which PHP needs to read a form.
    func startFastCGI(_ request: FastCGIRequest, head: RequestHead, maxBodySize: Int, on connection: Connection) {
        guard head.isChunked else { return startFastCGI(request, head: head, maxBodySize: maxBodySize, on: connection, spool: nil) }
        let spooled = try? SpooledBody { [unowned self, unowned connection] file in
            self.startFastCGI(request.withContentLength(file.written), head: head, maxBodySize: 0, on: connection,
                              spool: SpoolReader(file: file))
        }
        guard let spool = spooled else {
            return connections.deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
        }
        connections.beginBody(connection, head: head, consumer: spool, maxBodySize: maxBodySize)
    }

    /// `spool`: the spooled body, sent from its file once connected.
    /// `fresh`: never a pooled connection (the retry after a pooled one failed).
    func startFastCGI(_ request: FastCGIRequest, head: RequestHead, maxBodySize: Int, on connection: Connection,
                      spool: SpoolReader?, fresh: Bool = false) {
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
                // nginx's words: "connect() to unix:/run/php.sock failed (2: No such file or directory)".
                let reason = (error as? SystemError).map { "\($0.errorNumber): \(String(cString: strerror($0.errorNumber)))" } ?? "\(error)"
                loop.logs.error("error", "connect() to \(request.address) failed (\(reason)) while connecting to upstream, client: \(request.client), "
                                + "request: \"\(request.requestLine)\", upstream: \"fastcgi://\(request.address)\"", to: request.errorLog)
                return connections.deliver(Response(status: 502), head: head, on: connection, keepAlive: false)
            }
        }
        let settings = request.settings
        // fastcgi_connect_timeout, fastcgi_send_timeout and fastcgi_read_timeout are the proxy's three, by phase.
        var limits = ProxyTimeouts()
        limits.connectMilliseconds = settings.connectTimeoutMilliseconds
        limits.sendMilliseconds = settings.sendTimeoutMilliseconds
        limits.readMilliseconds = settings.readTimeoutMilliseconds
        let exchange = UpstreamExchange(adapter: FastCGIAdapter(socket: socket, request: request), head: head,
                                        timeouts: .phases(limits), connected: connected, now: loop.now())
        exchange.pendingInput = request.records
        exchange.renewDeadline(now: loop.now())
        if pooled != nil && !head.hasBody {
            exchange.retry = { [unowned self, unowned connection] in
                self.startFastCGI(request, head: head, maxBodySize: maxBodySize, on: connection, spool: nil, fresh: true)
            }
        }
        if let spool {
            exchange.bodySource = spool.next
            begin(exchange, on: connection)
            // The client's body is all in: only the upstream's deadline applies.
            if connection.request.upstream === exchange { awaitAnswer(connection) }
        } else if head.hasBody {
            begin(exchange, on: connection)
            connections.beginBody(connection, head: head, consumer: ForwardingBodyConsumer(engine: self, connection: connection), maxBodySize: maxBodySize)
        } else {
            // No body: STDIN's end goes with BEGIN_REQUEST and PARAMS, in one write
            // (`begin` writes them at once to a kept connection, `feed` to a new one).
            exchange.pendingInput += exchange.adapter.encode(body: [], last: true)
            exchange.bodyComplete = true
            begin(exchange, on: connection)
            feed(connection, [], last: true)
        }
    }
}

/// Reads a spooled body back in blocks; the file is closed with its last block, or when dropped.
final class SpoolReader {
    private let file: UploadFile
    private let length: Int
    private var offset = 0
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(file: UploadFile) {
        self.file = file
        length = file.written
    }

    /// The next block and whether it is the last; nil when the file cannot be read.
    func next() -> (block: ArraySlice<UInt8>, last: Bool)? {
        let count = min(buffer.count, length - offset)
        guard count > 0 else { return ([], true) }
        let result = try? buffer.withUnsafeMutableBytes { try Socket.readFile(file.fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<count]), at: offset) }
        guard case .value(let read)? = result, read > 0 else { return nil }
        offset += read
        return (buffer[..<read], offset >= length)
    }

    deinit { file.abort() }
}
