import Glibc
import ConfLang

/// The one upstream engine, for CGI scripts, proxied servers and FastCGI applications alike: the
/// request body streams up while it arrives and the answer streams down as it
/// comes, each side pausing the other when its buffer is full (so nothing can
/// deadlock a request); the deadline lives in the connection's timer entry;
/// failures leave through the request's one exit (`deliver`). The adapter
/// says what differs (UpstreamAdapter).
final class UpstreamEngine {
    unowned(unsafe) let loop: EventLoop

    /// Running scripts by pid, to note their exit.
    var scripts: [pid_t: CGIAdapter] = [:]
    /// Scripts asked to end (SIGTERM), with when they get SIGKILL if still running.
    var scriptKills: [(script: CGIAdapter, deadline: Int)] = []
    /// Idle keep-alive connections to upstream servers.
    var pool = UpstreamPool()
    /// Upstream addresses of every proxy_pass, resolved when a configuration is applied.
    var addresses: [String: in_addr] = [:]
    /// The `upstream` groups of the configuration, by lower-cased name.
    var groups: [String: UpstreamGroupPeers] = [:]
    /// The client contexts of `proxy_pass https://` locations, by their settings' `contextKey`.
    var tlsContexts: [String: UpstreamTLSContext] = [:]
    /// The TLS sessions of pooled https upstream connections, by descriptor.
    var pooledTLS: [Int32: TLSSession] = [:]
    /// The buffer each read of an upstream (or a script's stderr) goes into.
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Writes to upstreams so far: tests count them (a stream's reader cannot
    /// see where one write ended), e.g. a FastCGI request without a body in one.
    private(set) var upstreamWrites = 0

    init(loop: EventLoop) {
        self.loop = loop
    }

    var connections: ConnectionDriver { loop.connections }

    /// The address of every proxy_pass host and upstream group server of
    /// `router`'s configuration, resolved once, as it is applied (nginx
    /// resolves at start too); a group's name is not a host.
    static func resolve(_ router: Router) -> Result<[String: in_addr], Acceptor.ListenProblem> {
        var resolved: [String: in_addr] = [:]
        for server in router.config.upstreams.values.flatMap(\.servers) where resolved[server.host] == nil {
            guard let address = try? Socket.ipv4Address(server.host) else {
                return .failure(.init(message: "host not found in upstream '\(server.address)'"))
            }
            resolved[server.host] = address
        }
        for location in router.servers.flatMap(\.everyLocation).map(\.settings) {
            if case .tcp(let host, _)? = location.fastcgi.pass, resolved[host] == nil {
                guard let address = try? Socket.ipv4Address(host) else {
                    return .failure(.init(message: "host not found in fastcgi_pass upstream '\(host)'"))
                }
                resolved[host] = address
            }
            guard let upstream = location.proxyPass, resolved[upstream.host] == nil,
                  router.config.upstreamGroup(for: upstream) == nil else { continue }
            guard let address = try? Socket.ipv4Address(upstream.host) else {
                return .failure(.init(message: "host not found in proxy_pass upstream '\(upstream.host)'"))
            }
            resolved[upstream.host] = address
        }
        return .success(resolved)
    }
}

extension UpstreamEngine {
    static let bufferLimit = 1 << 20

    /// Sets an exchange going for the connection's request.
    func begin(_ exchange: UpstreamExchange, on connection: Connection) {
        connection.request.upstream = exchange
        for fd in exchange.descriptors {
            guard loop.adopt(fd, by: .upstream(connection.request)) else {
                let interest = exchange.interest(for: fd)
                exchange.interests[fd] = interest
                loop.register(fd, owner: .upstream(connection.request), interest: interest)
                continue
            }
            // A kept connection (a non-blocking socket, watched while idle)
            // takes the request's head at once, so it is then watched for the
            // answer alone, as while idle: no system call to watch it (a
            // proxied request made three epoll_ctl calls here before).
            if fd == exchange.adapter.sendFD, !exchange.pendingInput.isEmpty {
                upstreamWrites += 1
                if case .value(let count)? = try? exchange.pendingInput.withUnsafeBytes({ try exchange.transport(fd).write($0) }) {
                    exchange.pendingInput.removeFirst(count)
                }
            }
            let interest = exchange.interest(for: fd)
            exchange.interests[fd] = interest
            if interest != UpstreamEngine.idleInterest { loop.changeInterest(fd, interest) }
        }
        loop.armTimer(connection)
    }

    /// The body is all in (or there is none): stop reading the socket until the answer.
    func awaitAnswer(_ connection: Connection) {
        guard let exchange = connection.request.upstream, !exchange.headersSent else { return }
        loop.enter(.awaitingUpstream, connection)   // the upstream's deadline alone applies now
        // A client that leaves ends the script or upstream request (`readSocket`).
        // One still watched for reading stays so: it sends nothing more (or
        // its next request, and `receive` then watches only for its leaving),
        // and an answer costs no system call to watch it and none to undo it.
        if connection.interest != .read { connections.watch(connection, .hangUp) }
    }

    /// Request body bytes for the upstream (`last`: the body has ended).
    func feed(_ connection: Connection, _ bytes: ArraySlice<UInt8>, last: Bool) {
        guard let exchange = connection.request.upstream else { return }
        // A body whose end is queued already (a FastCGI request without one, STDIN's end with its head) is not ended twice.
        if exchange.sendOpen && !exchange.bodyComplete { exchange.pendingInput += exchange.adapter.encode(body: bytes, last: last) }
        if last { exchange.bodyComplete = true }
        writeUpstream(exchange, connection)
        guard connection.request.upstream === exchange else { return }
        if last {
            awaitAnswer(connection)
        } else if exchange.pendingInput.count > UpstreamEngine.bufferLimit {
            // The upstream reads slower than the client sends: stop reading the
            // client, but notice its leaving (what it sent is then read, and the close).
            connections.watch(connection, connection.hasUnsentOutput ? [.write, .hangUp] : .hangUp)
        }
    }

    /// Readiness of one of the exchange's descriptors, for the request it works for.
    func ready(_ request: HTTPRequest, fd: Int32, _ event: Selector.Event) {
        guard let exchange = request.upstream, let connection = request.connection else { return }
        if fd == exchange.adapter.logFD { return readLog(exchange) }
        var justConnected = false
        if !exchange.connected {
            if !exchange.socketConnected {
                guard event.writable || event.closed else { return }
                let error = Socket.pendingError(fd)
                guard error == 0 else {
                    loop.logs.error("error", "\(exchange.adapter.name): \(SystemError(call: "connect", errorNumber: error))", to: exchange.adapter.errorLog)
                    return fail(connection, status: 502)
                }
                exchange.socketConnected = true
                renew(exchange, connection)   // over TLS, the handshake has proxy_connect_timeout of its own
            }
            if let tls = exchange.tls, !tls.isEstablished {
                guard handshake(tls, exchange, connection) else { return }
            }
            exchange.connected = true
            justConnected = true
            renew(exchange, connection)
        }
        let sendSide = fd == exchange.adapter.sendFD, receiveSide = fd == exchange.adapter.receiveFD
        if sendSide && (event.writable || justConnected || (event.closed && !receiveSide)) { writeUpstream(exchange, connection) }
        guard connection.request.upstream === exchange else { return }
        if receiveSide && (event.readable || event.closed) { readUpstream(exchange, connection) }
        if connection.request.upstream === exchange { updateInterests(exchange, connection) }
    }

    private func writeUpstream(_ exchange: UpstreamExchange, _ connection: Connection) {
        guard exchange.connected else { return }
        let fd = exchange.adapter.sendFD
        while exchange.sendOpen {
            if exchange.pendingInput.isEmpty {
                guard let source = exchange.bodySource else { break }
                // A spooled body's next block (FastCGI), once the last is taken.
                let next = source()
                exchange.pendingInput = next.map { exchange.adapter.encode(body: $0.block, last: $0.last) } ?? []
                if next?.last ?? true {
                    exchange.bodySource = nil
                    exchange.bodyComplete = true
                }
                continue
            }
            let result: IOResult<Int>
            upstreamWrites += 1
            do {
                result = try exchange.pendingInput.withUnsafeBytes { try exchange.transport(fd).write($0) }
            } catch {
                // The upstream stopped reading (a script that never reads its
                // stdin, a server that answered early): drop the rest of the
                // body; the answer, if any, still comes on the other side.
                exchange.pendingInput = []
                exchange.bodySource = nil
                closeSendSide(exchange, connection)
                break
            }
            guard case .value(let count) = result else { break }
            exchange.pendingInput.removeFirst(count)
            if count > 0 { renew(exchange, connection) }
        }
        if exchange.bodyComplete && exchange.pendingInput.isEmpty { closeSendSide(exchange, connection) }
        updateInterests(exchange, connection)
        if connections.readsBody(connection) { connections.watch(connection, connection.hasUnsentOutput ? [.read, .write] : .read) }
    }

    /// A separate send side (a script's stdin) is closed so the upstream sees
    /// the body's end; a socket's framing says that instead.
    private func closeSendSide(_ exchange: UpstreamExchange, _ connection: Connection) {
        guard exchange.sendOpen else { return }
        exchange.sendOpen = false
        guard exchange.adapter.sendFD != exchange.adapter.receiveFD else { return }
        loop.closeDescriptor(exchange.adapter.sendFD)
        exchange.interests[exchange.adapter.sendFD] = nil
    }

    private func readUpstream(_ exchange: UpstreamExchange, _ connection: Connection) {
        let fd = exchange.adapter.receiveFD
        while !exchange.paused && exchange.receiveOpen && connection.request.upstream === exchange {
            let result: IOResult<Int>
            do {
                result = try readBuffer.withUnsafeMutableBytes { try exchange.transport(fd).read(into: $0) }
            } catch {
                return upstreamEnded(exchange, connection, error: "\(error)")
            }
            guard case .value(let count) = result else { return }
            renew(exchange, connection)
            guard count > 0 else { return upstreamEnded(exchange, connection, error: nil) }
            exchange.receivedAny = true
            let read = exchange.adapter.unwrap(readBuffer[0..<count])
            for message in read.log { loop.logs.error("error", message, to: exchange.adapter.errorLog) }
            if let problem = read.problem {
                loop.logs.error("error", "\(exchange.adapter.name) \(problem)", to: exchange.adapter.errorLog)
                return fail(connection, status: 502)
            }
            if !exchange.headersSent {
                switch read.data.isEmpty ? .needMore : exchange.adapter.parseHead(read.data) {
                case .needMore: if !read.ended { continue }
                case .invalid:
                    loop.logs.error("error", "\(exchange.adapter.name) sent an invalid header block", to: exchange.adapter.errorLog)
                    return fail(connection, status: 502, condition: .invalidHeader)
                case .refused(let problem):
                    loop.logs.error("error", "\(exchange.adapter.name) \(problem)", to: exchange.adapter.errorLog)
                    return fail(connection, status: 502, condition: .invalidHeader)
                case .complete(let status, let headers, let body):
                    guard sendUpstreamHead(exchange, connection, status: status, headers: headers, body: body) else { return }
                    relay(exchange, connection, body)
                }
            } else {
                relay(exchange, connection, read.data)
            }
            if read.ended {
                answerEnded(exchange, connection)
                guard connection.request.upstream === exchange else { return }
            }
            // A body the upstream broke (a malformed chunk) closed the client's connection.
            if connection.isClosed { return }
            if connection.request.output.count - connection.request.outputOffset > exchange.answerLimit {
                // The client reads slower than the upstream writes: pause the upstream.
                exchange.paused = true
                updateInterests(exchange, connection)
            }
            connections.flush(connection)
        }
    }

    /// Answers the client with the upstream's header block (or, for a local
    /// redirect, sends the request through the decision again); false when
    /// the exchange is over.
    private func sendUpstreamHead(_ exchange: UpstreamExchange, _ connection: Connection, status: Int,
                                  headers: [UpstreamHeader], body: ArraySlice<UInt8>) -> Bool {
        let head = exchange.head
        // An answer proxy_next_upstream names (http_502 ...): the next server of the group, this one unanswered.
        if let condition = NextUpstream.condition(forStatus: status), let next = exchange.nextTry?(condition, true) {
            loop.logs.error("error", "\(exchange.adapter.name) answered \(status): trying the next upstream server", to: exchange.adapter.errorLog)
            if NextUpstream.countsAsFailure(condition) { exchange.peerFailed = true }
            end(connection)
            next()
            return false
        }
        switch exchange.adapter.answer(status: status, headers: headers, to: head) {
        case .internalRedirect(let location):
            end(connection)
            // Through the whole decision again, as nginx does: another script,
            // a proxy, a file, a return.
            let redirected = ErrorPages.request(for: location, replacing: head, keepingFields: true,
                                                wantsKeepAlive: head.wantsKeepAlive && !head.hasBody)
            connections.redirect(redirected, on: connection, errorPage: connection.request.context?.errorPage)
            return false
        case .upgrade(let fields):
            upgrade(exchange, connection, fields: fields, after: body)
            return false
        case .respond(let fields, let framing, let lengthKnown):
            exchange.headersSent = true
            exchange.framing = framing
            let keepAlive = head.wantsKeepAlive && !loop.draining && exchange.bodyComplete && !(connection.request.context?.errorPage?.closeAfter ?? false)
            let outgoingStatus = connection.request.context?.errorPage?.status(forPage: status) ?? status
            // HEAD, 204 and 304 answers have no body (RFC 9110 §6.4.1): one the upstream sends is read to its end and dropped.
            let hasBody: Bool
            if case .none = framing { hasBody = false } else { hasBody = head.method != "HEAD" && outgoingStatus != 204 && outgoingStatus != 304 }
            exchange.discardsBody = !hasBody
            // Its framing to the client is the pipeline's (FramingFilter: chunked, or the close for HTTP/1.0).
            var response = Response(status: outgoingStatus, headers: fields)
            response.streamed = true
            response.lengthUnknown = hasBody && !lengthKnown
            connections.respond(connection, with: response, head: head, keepAlive: keepAlive)
            guard connection.request.upstream === exchange else { return false }
            if case .none = framing { finishOutput(exchange, connection, cleanly: true) }
            if case .length(0) = framing { finishOutput(exchange, connection, cleanly: true) }
            return true
        }
    }

    /// Passes body bytes on, decoding the upstream's framing.
    private func relay(_ exchange: UpstreamExchange, _ connection: Connection, _ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        // More than the framing said: never sent (the client would read it as the next answer).
        guard !exchange.outputDone else { return noteExcess(exchange) }
        let discard = exchange.discardsBody
        switch exchange.framing {
        case .none:
            exchange.endedCleanly = false
        case .length(let remaining):
            let piece = bytes.prefix(remaining)
            if !discard { sendBody(piece, of: exchange, on: connection) }
            exchange.framing = .length(remaining: remaining - piece.count)
            if remaining == piece.count {
                finishOutput(exchange, connection, cleanly: true)
                if bytes.count > piece.count { noteExcess(exchange) }
            }
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(bytes)
            exchange.framing = .chunked(decoder)
            for event in events {
                switch event {
                case .data(let range):
                    if !discard { sendBody(bytes[range], of: exchange, on: connection) }
                case .end:
                    finishOutput(exchange, connection, cleanly: consumed == bytes.count)
                case .error:
                    loop.logs.error("error", "\(exchange.adapter.name) sent invalid chunked response", to: exchange.adapter.errorLog)
                    return connections.close(connection)
                }
            }
        case .untilClose:
            if !discard { sendBody(bytes, of: exchange, on: connection) }
        }
    }

    private func sendBody(_ bytes: ArraySlice<UInt8>, of exchange: UpstreamExchange, on connection: Connection) {
        let request = connection.request
        let body = BodyFilters.run(bytes, last: false, gzip: request.gzip)
        // What the client gets (compressed, with gzip), as nginx's $body_bytes_sent.
        exchange.bodyBytesSent += body.count
        request.accessLog?.bytesSent = exchange.bodyBytesSent
        HTTP1Encoder.appendBody(body, chunked: request.chunkedOutput, to: &request.output)
    }

    /// Bytes after the body's end: dropped, and the connection not reused.
    private func noteExcess(_ exchange: UpstreamExchange) {
        guard exchange.endedCleanly else { return }
        exchange.endedCleanly = false
        loop.logs.error("warn", "\(exchange.adapter.name) sent data after the end of its body", to: exchange.adapter.errorLog)
    }

    private func finishOutput(_ exchange: UpstreamExchange, _ connection: Connection, cleanly: Bool) {
        guard !exchange.outputDone else { return }
        let request = connection.request
        if let gzip = request.gzip {
            let rest = BodyFilters.run([], last: true, gzip: gzip)
            exchange.bodyBytesSent += rest.count
            request.accessLog?.bytesSent = exchange.bodyBytesSent
            HTTP1Encoder.appendBody(rest, chunked: request.chunkedOutput, to: &request.output)
            request.gzip = nil   // zlib's state goes now, not when the client has read the rest
        }
        request.appendBodyEnd(to: &request.output)   // the last chunk, with add_trailer's fields
        exchange.outputDone = true
        exchange.endedCleanly = cleanly
    }

    /// The upstream closed its side (or failed, `error`).
    private func upstreamEnded(_ exchange: UpstreamExchange, _ connection: Connection, error: String?) {
        // Nothing more comes from this side; a socket cannot be written either.
        loop.closeDescriptor(exchange.adapter.receiveFD)
        exchange.interests[exchange.adapter.receiveFD] = nil
        exchange.receiveOpen = false
        if exchange.adapter.sendFD == exchange.adapter.receiveFD { exchange.sendOpen = false }
        exchange.endedCleanly = false
        guard exchange.headersSent else {
            // A pooled connection the upstream closed before answering: once more, fresh.
            if !exchange.receivedAny, let retry = exchange.retry {
                end(connection)
                return retry()
            }
            loop.logs.error("error", "\(exchange.adapter.name) \(error.map { "failed: \($0)" } ?? "closed the connection without a valid answer")",
                       to: exchange.adapter.errorLog)
            return fail(connection, status: 502)
        }
        // A body the client does not get (HEAD, 204, 304) cannot be cut short:
        // a script that prints none for HEAD ends its answer there.
        var closeEndsBody = exchange.discardsBody
        if case .untilClose = exchange.framing { closeEndsBody = true }
        if closeEndsBody {
            finishOutput(exchange, connection, cleanly: false)
            connections.flush(connection)
        } else if !exchange.outputDone {
            loop.logs.error("error", "\(exchange.adapter.name) prematurely closed connection", to: exchange.adapter.errorLog)
            connections.close(connection)   // the body was cut short: so is ours, and the client knows it
        }
    }

    /// The application said its answer is complete (FastCGI's END_REQUEST) and
    /// keeps the connection: a body that runs until then ends cleanly here.
    private func answerEnded(_ exchange: UpstreamExchange, _ connection: Connection) {
        guard exchange.headersSent else {
            loop.logs.error("error", "\(exchange.adapter.name) ended the request without a valid header block", to: exchange.adapter.errorLog)
            return fail(connection, status: 502)
        }
        var endsBody = exchange.discardsBody
        if case .untilClose = exchange.framing { endsBody = true }
        if endsBody {
            finishOutput(exchange, connection, cleanly: true)
            connections.flush(connection)
        } else if !exchange.outputDone {
            loop.logs.error("error", "\(exchange.adapter.name) ended the request before the end of its body", to: exchange.adapter.errorLog)
            connections.close(connection)
        }
    }

    /// Drives an https upstream's handshake (`proxy_connect_timeout` bounds
    /// it); true once done and, with proxy_ssl_verify, the certificate
    /// verified. A failure is a 502 (or the next server of a group), logged in nginx's words.
    private func handshake(_ tls: TLSSession, _ exchange: UpstreamExchange, _ connection: Connection) -> Bool {
        let step: TLSSession.HandshakeStep
        do {
            step = try tls.handshake()
        } catch {
            loop.logs.error("error", "\(error) while SSL handshaking to \(exchange.adapter.name)", to: exchange.adapter.errorLog)
            fail(connection, status: 502)
            return false
        }
        switch step {
        case .wantsRead, .wantsWrite:
            exchange.handshakeWantsRead = step == .wantsRead
            updateInterests(exchange, connection)
            return false
        case .done:
            exchange.handshakeWantsRead = false
        }
        if let failure = tls.verificationFailure {
            loop.logs.error("error", "upstream SSL certificate verify error: \(failure) while SSL handshaking to \(exchange.adapter.name)",
                            to: exchange.adapter.errorLog)
            fail(connection, status: 502)
            return false
        }
        return true
    }

    /// A script's stderr, line by line into the error log, until it closes.
    private func readLog(_ exchange: UpstreamExchange) {
        guard let fd = exchange.adapter.logFD, exchange.logOpen else { return }
        while true {
            let result: IOResult<Int>
            do { result = try readBuffer.withUnsafeMutableBytes { try Socket.read(fd, into: $0) } } catch { break }
            guard case .value(let count) = result else { return }   // nothing more for now
            guard count > 0 else { break }
            let text = String(decoding: readBuffer[0..<count], as: UTF8.self).trimmingCharacters(in: "\n")
            loop.logs.error("error", "\(exchange.adapter.name) stderr: \(text)", to: exchange.adapter.errorLog)
        }
        exchange.logOpen = false
        exchange.interests[fd] = nil
        loop.closeDescriptor(fd)
    }

    /// Watches each of the exchange's descriptors for what its state needs (only when that changes).
    private func updateInterests(_ exchange: UpstreamExchange, _ connection: Connection) {
        for fd in exchange.descriptors {
            let interest = exchange.interest(for: fd)
            guard exchange.interests[fd] != interest else { continue }
            exchange.interests[fd] = interest
            loop.changeInterest(fd, interest)
        }
    }

    /// Progress in a proxy exchange: its phase's timeout starts again (one
    /// shorter than the deadline queued is queued at once).
    private func renew(_ exchange: UpstreamExchange, _ connection: Connection) {
        guard case .phases = exchange.timeouts else { return }
        exchange.renewDeadline(now: loop.now())
        loop.armTimer(connection)
    }

    /// 502 or 504 before the answer's head; a cut connection after it. A
    /// server of a group that failed (`condition`) counts it, and the request
    /// goes to the next server when proxy_next_upstream allows.
    func fail(_ connection: Connection, status: Int, condition: NextUpstream.Condition = .error) {
        guard let exchange = connection.request.upstream else { return }
        if exchange.peer != nil && !exchange.headersSent { exchange.peerFailed = true }
        let next = exchange.headersSent ? nil : exchange.nextTry?(condition, exchange.connected)
        end(connection)
        if let next { return next() }
        if exchange.headersSent {
            connections.close(connection)   // too late for a status: cut the response short
        } else {
            connections.deliver(Response(status: status), head: exchange.head, on: connection,
                                keepAlive: keepsAlive(exchange.head, bodyIn: exchange.bodyComplete))
        }
    }

    /// Whether the client's connection stays open after a 502 or 504: as
    /// nginx's (its special responses close only after 400, 413, 414, 500 and
    /// 501), when the request's body is all in (`bodyIn`): what is left of one
    /// would be read as the next request.
    func keepsAlive(_ head: RequestHead, bodyIn: Bool) -> Bool {
        head.wantsKeepAlive && bodyIn && !loop.draining
    }

    /// cgi_timeout, or nothing heard from the upstream for its read timeout.
    func timedOut(_ connection: Connection) {
        guard let exchange = connection.request.upstream else { return }
        if let tunnel = exchange.tunnel { return tunnel.timedOut() }
        if case .phases = exchange.timeouts {
            loop.logs.error("error", "\(exchange.adapter.name) timed out (110: Connection timed out) \(exchange.phase.rawValue)",
                            to: exchange.adapter.errorLog)
        } else {
            loop.logs.error("error", "\(exchange.adapter.name) timed out", to: exchange.adapter.errorLog)
        }
        fail(connection, status: 504, condition: .timeout)
    }

    /// Resumes a paused upstream once the client has taken its output.
    func resume(_ connection: Connection) {
        guard let exchange = connection.request.upstream, exchange.paused,
              connection.request.output.count - connection.request.outputOffset < exchange.answerLimit / 2 else { return }
        exchange.paused = false
        updateInterests(exchange, connection)
        readUpstream(exchange, connection)
    }

    /// Ends the connection's exchange: a proxy connection that ended cleanly
    /// goes back to the pool; everything else is closed (a script killed).
    func end(_ connection: Connection) {
        guard let exchange = connection.request.upstream else { return }
        connection.request.upstream = nil
        exchange.adapter.end()
        exchange.tunnel?.end()
        if let use = exchange.peer { release(use, failed: exchange.peerFailed, errorLog: exchange.adapter.errorLog) }
        if let key = exchange.adapter.poolKey, exchange.endedCleanly, exchange.bodyComplete,
           exchange.pendingInput.isEmpty, exchange.receiveOpen {
            return poolUpstream(exchange.adapter.receiveFD, key: key, watchedFor: exchange.interests[exchange.adapter.receiveFD], tls: exchange.tls)
        }
        if exchange.receiveOpen { exchange.tls?.shutdown() }   // close_notify, as nginx before it closes
        for fd in exchange.descriptors { loop.closeDescriptor(fd) }
        exchange.receiveOpen = false
        exchange.sendOpen = false
        exchange.logOpen = false
    }
}
