import Glibc
import ConfLang

/// The single-threaded server: one epoll selector, listening sockets,
/// connections, timers and signals. Nothing here blocks on a client.
final class EventLoop {
    let selector: Selector
    private let signals: SignalSource
    let logs = Logs()
    private(set) var config: WebservConfig
    private let configPath: String
    var handler: RequestHandler

    var listeners: [Int32: Values.ListenAddress] = [:]
    var connections: [Int32: Connection] = [:]
    var timers = TimerHeap()
    /// Pipe descriptor → the connection whose CGI script it belongs to.
    var pipeOwners: [Int32: Connection] = [:]
    /// Running scripts by pid, to note their exit.
    var scripts: [pid_t: CGIExchange] = [:]
    private var nextScriptDeadline: Int?
    private var nextIdentity: UInt64 = 0
    /// Upstream addresses of every proxy_pass, resolved when a configuration is applied.
    var upstreamAddresses: [String: in_addr] = [:]
    /// Proxied requests in flight (to know when deadlines need checking).
    var proxies = 0
    private var acceptingPaused = false
    private var acceptResumeAt: Int?
    private var stopping = false
    var draining = false
    private var lastFlush = 0
    private var dateCache: (second: Int, text: String) = (0, "")
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Where each response head is built before it is sent.
    private var headBuffer: [UInt8] = []

    /// Token of the signal descriptor in the selector (listeners and
    /// connections use their descriptor number).
    private static let signalToken = UInt64.max

    /// One of several worker processes (worker_processes > 1): listening
    /// ports are shared with the others, and the master reports them.
    let isWorker: Bool

    init(config: WebservConfig, configPath: String, isWorker: Bool = false) throws {
        self.isWorker = isWorker
        selector = try Selector()
        signals = try SignalSource()
        self.config = config
        self.configPath = configPath
        handler = RequestHandler(router: Router(config: config))
        try selector.register(signals.fd, interest: .read, token: EventLoop.signalToken)
    }

    // MARK: start, configuration

    /// Opens logs and listening sockets for `config`; on failure nothing changes.
    func apply(_ new: WebservConfig) -> String? {
        let router = Router(config: new)
        var accessLogs = Set<String>(), errorLogs = Set<String>()
        var resolved: [String: in_addr] = [:]
        for location in router.servers.flatMap(\.everyLocation).map(\.settings) {
            if let path = location.accessLog { accessLogs.insert(path) }
            errorLogs.insert(location.errorLog.path)
            guard let upstream = location.proxyPass, resolved[upstream.host] == nil else { continue }
            guard let address = try? Socket.ipv4Address(upstream.host) else { return "host not found in proxy_pass upstream '\(upstream.host)'" }
            resolved[upstream.host] = address
        }
        if let problem = logs.open(errorLog: new.errorLog, requestErrorLogs: errorLogs, accessLogs: accessLogs) { return problem }
        let wanted = new.listenAddresses
        var opened: [Int32: Values.ListenAddress] = [:]
        for address in wanted where !listeners.values.contains(address) {
            do {
                let (fd, _) = try Socket.listen(on: address, sharedPort: isWorker)
                opened[fd] = address
            } catch {
                for fd in opened.keys { Socket.close(fd) }
                return "cannot listen on \(address): \(error)"
            }
        }
        for (fd, address) in listeners where !wanted.contains(address) {
            selector.deregister(fd)
            Socket.close(fd)
            listeners[fd] = nil
        }
        for (fd, address) in opened {
            listeners[fd] = address
            if !acceptingPaused { try? selector.register(fd, interest: .read, token: UInt64(fd)) }
        }
        config = new
        upstreamAddresses = resolved
        handler = RequestHandler(router: router, files: handler.files)
        return nil
    }

    /// Runs until stopped; returns the exit status.
    func run() -> Int32 {
        for url in Server.urls(config.listenAddresses) {
            logs.error("notice", "listening on \(url)")
            if !isWorker { fputs("webserv: listening on \(url)\n", stderr) }
        }
        while !stopping {
            let timeout = nextTimeout()
            let events: [Selector.Event]
            do {
                events = try selector.wait(timeoutMilliseconds: timeout)
            } catch {
                logs.error("alert", "\(error)")
                return 1
            }
            for event in events { dispatch(event) }
            expireTimers()
            periodic()
            if draining && connections.values.allSatisfy(\.isIdle) { break }
        }
        shutdown()
        return 0
    }

    private func dispatch(_ event: Selector.Event) {
        if event.token == EventLoop.signalToken { handleSignals(); return }
        let fd = Int32(truncatingIfNeeded: event.token)
        if event.token & EventLoop.pipeFlag != 0 { pipeEvent(fd: fd, event: event); return }
        if let address = listeners[fd] { acceptAll(on: fd, address: address); return }
        guard let connection = connections[fd] else { return }
        if event.readable || event.closed { readable(connection) }
        if event.writable, connections[fd] === connection, connection.wantsWrite { flush(connection) }
    }

    private func periodic() {
        let now = Clock.monotonicMilliseconds()
        if now - lastFlush >= 1000 {
            logs.flush()
            handler.files.sweep(nowSeconds: now / 1000)
            lastFlush = now
        }
        if let resume = acceptResumeAt, now >= resume { acceptResumeAt = nil; resumeAccepting() }
        nextScriptDeadline = scripts.isEmpty && proxies == 0 ? nil : expireUpstreams(now: now)
    }

    private func nextTimeout() -> Int32 {
        var wait = 1000
        if let next = timers.next { wait = min(wait, max(0, next.deadline - Clock.monotonicMilliseconds())) }
        if let resume = acceptResumeAt { wait = min(wait, max(0, resume - Clock.monotonicMilliseconds())) }
        if let deadline = nextScriptDeadline { wait = min(wait, max(0, deadline - Clock.monotonicMilliseconds())) }
        return Int32(wait)
    }

    private func shutdown() {
        for fd in Array(connections.keys) { if let connection = connections[fd] { close(connection) } }
        for fd in listeners.keys { Socket.close(fd) }
        listeners = [:]
        logs.flush()
    }

    // MARK: signals

    private func handleSignals() {
        for signal in signals.drain() {
            switch signal {
            case SIGHUP: reload()
            case SIGTERM, SIGINT:
                logs.error("notice", "signal \(signal) received, exiting")
                stopping = true
            case SIGQUIT:
                logs.error("notice", "SIGQUIT received, finishing in-flight requests")
                beginDraining()
            case SIGCHLD:
                reapScripts()
            default: break
            }
        }
    }

    /// SIGHUP: read and check the configuration again; keep the old one if
    /// the new one is invalid or cannot be applied, and say why.
    private func reload() {
        guard let new = ConfigurationCheck().reload(path: configPath, logs: logs) else { return }
        if let problem = apply(new) {
            logs.error("error", "reload of \(configPath) failed; keeping the current configuration: \(problem)")
        } else {
            logs.error("notice", "configuration \(configPath) reloaded")
        }
    }

    /// Stop accepting; idle connections close now, busy ones after their response.
    private func beginDraining() {
        draining = true
        for fd in listeners.keys { selector.deregister(fd); Socket.close(fd) }
        listeners = [:]
        for connection in Array(connections.values) where connection.isIdle { close(connection) }
    }

    // MARK: accepting

    private func acceptAll(on listener: Int32, address: Values.ListenAddress) {
        while connections.count < config.workerConnections {
            do {
                guard case .value(let accepted) = try Socket.accept(listener) else { return }
                let server = handler.router.server(for: address, host: nil)
                let limits = RequestLimits(maxLineBytes: server?.config.largeHeaderBufferSize ?? 8192,
                                           maxHeadBytes: (server?.config.largeHeaderBufferSize ?? 8192) * (server?.config.largeHeaderBufferCount ?? 4))
                nextIdentity &+= 1
                let connection = Connection(fd: accepted.fd, identity: nextIdentity, listenAddress: address, peerHost: accepted.host,
                                            peerPort: accepted.port, limits: limits)
                do {
                    try selector.register(accepted.fd, interest: .read, token: UInt64(accepted.fd))
                } catch {
                    Socket.close(accepted.fd)
                    continue
                }
                connections[accepted.fd] = connection
                setTimer(connection, milliseconds: server?.config.headerTimeoutMilliseconds ?? 60_000)
            } catch let error as SystemError where error.errorNumber == EMFILE || error.errorNumber == ENFILE {
                // Out of descriptors: pause accepting briefly instead of spinning.
                logs.error("crit", "\(error); pausing accept for 100ms")
                handler.files.removeAll()
                pauseAccepting()
                acceptResumeAt = Clock.monotonicMilliseconds() + 100
                return
            } catch {
                logs.error("error", "\(error)")
                return
            }
        }
        pauseAccepting()   // at worker_connections: resume when one closes
    }

    private func pauseAccepting() {
        guard !acceptingPaused else { return }
        acceptingPaused = true
        for fd in listeners.keys { selector.deregister(fd) }
    }

    func resumeAccepting() {
        guard acceptingPaused, acceptResumeAt == nil, connections.count < config.workerConnections else { return }
        acceptingPaused = false
        for fd in listeners.keys { try? selector.register(fd, interest: .read, token: UInt64(fd)) }
    }

    // MARK: timers

    func setTimer(_ connection: Connection, milliseconds: Int) {
        let deadline = Clock.monotonicMilliseconds() + milliseconds
        connection.deadline = deadline
        if let queued = connection.queuedDeadline, queued <= deadline { return }
        connection.queuedDeadline = deadline
        timers.push(.init(deadline: deadline, fd: connection.fd, identity: connection.identity))
    }

    private func expireTimers() {
        let now = Clock.monotonicMilliseconds()
        while let next = timers.next, next.deadline <= now {
            _ = timers.pop()
            guard let connection = connections[next.fd], connection.identity == next.identity,
                  connection.queuedDeadline == next.deadline else { continue }
            connection.queuedDeadline = nil
            if let deadline = connection.deadline, deadline > now {
                // Moved later since this entry was queued: re-arm it.
                connection.queuedDeadline = deadline
                timers.push(.init(deadline: deadline, fd: connection.fd, identity: connection.identity))
                continue
            }
            timedOut(connection)
        }
    }

    /// A stalled request head gets 408; idle keep-alive, a stalled send or a
    /// lingering close just end.
    private func timedOut(_ connection: Connection) {
        if case .readingBody = connection.state {
            connection.abortBody()
            respond(connection, with: handler.finalize(Response(status: 408), head: connection.currentHead, on: connection.listenAddress),
                    head: connection.currentHead, keepAlive: false)
            return
        }
        if case .readingHead = connection.state, connection.headStarted {
            respond(connection, with: Response(status: 408, headers: [("Content-Type", "text/html")],
                                               body: .bytes(StatusCode.defaultPage(408))), head: nil, keepAlive: false)
            return
        }
        close(connection)
    }

    // MARK: reading

    func readable(_ connection: Connection) {
        while true {
            let result: IOResult<Int>
            do {
                result = try readBuffer.withUnsafeMutableBytes { try Socket.read(connection.fd, into: $0) }
            } catch {
                close(connection); return
            }
            guard case .value(let count) = result else { break }
            if count == 0 {
                // The peer closed its side: nothing more will come.
                if case .writing = connection.state { return }
                close(connection); return
            }
            if case .lingering = connection.state { continue }
            connection.input.append(contentsOf: readBuffer[0..<count])
            if case .readingBody = connection.state { setTimer(connection, milliseconds: connection.bodyTimeoutMilliseconds) }
            if case .writing = connection.state { break }
            // A short read drained the socket; level-triggered epoll reports any more.
            if count < readBuffer.count { break }
            if connection.input.count > 1 << 20 { break }   // bounded: process before reading more
        }
        if case .lingering = connection.state { return }
        process(connection)
    }

    /// Parses buffered input and answers one request at a time, in a loop:
    /// a response finished at once (from `finishResponse`) does not recurse
    /// here, so any number of pipelined requests uses constant stack.
    func process(_ connection: Connection) {
        guard !connection.isProcessing else { return }   // the loop below goes on with the next request
        connection.isProcessing = true
        defer { connection.isProcessing = false }
        while !connection.isClosed {
            switch connection.state {
            case .discardingBody:
                switch skip(connection.bodyToDiscard, in: connection) {
                case .skipped:
                    connection.bodyToDiscard = nil
                    connection.state = .readingHead
                case .incomplete(let rest):
                    connection.bodyToDiscard = rest
                    return
                case .malformed:
                    close(connection)   // as nginx: the request was answered, the connection cannot go on
                    return
                }
            case .readingHead:
                guard !connection.input.isEmpty else { return }
                if !connection.headStarted {
                    connection.headStarted = true
                    let server = handler.router.server(for: connection.listenAddress, host: nil)
                    setTimer(connection, milliseconds: server?.config.headerTimeoutMilliseconds ?? 60_000)
                }
                switch connection.parseHead() {
                case .needMore: return
                case .error(let status):
                    respond(connection, with: handler.finalize(Response(status: status), head: nil, on: connection.listenAddress),
                            head: nil, keepAlive: false)
                    return
                case .head(let consumed):
                    guard let head = connection.parsedHead else { return }
                    connection.input.removeFirst(consumed)
                    answer(head, on: connection)
                }
            case .readingBody:
                receiveBody(connection)
                if case .readingBody = connection.state { return }
            case .writing:
                // A CGI script may answer before it has read the whole body: keep feeding it.
                guard connection.bodyConsumer != nil else { return }
                receiveBody(connection)
                if case .writing = connection.state { return }
            case .lingering, .awaitingUpstream:
                return
            }
        }
    }

    private func answer(_ head: RequestHead, on connection: Connection) {
        // Route once per request; the answer, its error page and its log line share it.
        let routing = handler.settings(for: head, on: connection.listenAddress)
        switch handler.action(for: head, on: connection.listenAddress, peer: (connection.peerHost, connection.peerPort), routing: routing) {
        case .respond(var response):
            var keepAlive = head.wantsKeepAlive && !response.closeConnection && !draining
            if head.hasBody {
                // Nobody reads this body: skip a small one, else close after answering.
                if (head.contentLength ?? 0) > 1 << 20 || (head.expectsContinue && !keepAlive) {
                    keepAlive = false
                } else {
                    // As nginx: the body is invited (if the client waits for that) and
                    // skipped, what has arrived now, the rest after the answer.
                    if head.expectsContinue { sendContinue(connection) }
                    let framing = head.isChunked ? BodyFraming.chunked(ChunkedDecoder()) : .length(remaining: head.contentLength ?? 0)
                    switch skip(framing, in: connection) {
                    case .skipped: break
                    case .incomplete(let rest): connection.bodyToDiscard = rest
                    case .malformed:
                        // nginx's content handlers answer 400 here; an error answer keeps its status.
                        if response.status < 300 { response = Response(status: 400) }
                        keepAlive = false
                    }
                }
            }
            respond(connection, with: handler.finalize(response, head: head, on: connection.listenAddress, routing: routing),
                    head: head, keepAlive: keepAlive, location: routing?.1.location)
        case .cgi(let request, let maxBodySize):
            startScript(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .proxy(let request, let maxBodySize):
            startProxy(request, head: head, maxBodySize: maxBodySize, on: connection)
        case .receive(let consumer, let maxBodySize):
            beginBody(connection, head: head, consumer: consumer, maxBodySize: maxBodySize)
        }
    }

    private enum Skipped { case skipped, incomplete(rest: BodyFraming), malformed }

    /// Drops as much of a body nobody reads as has arrived; says what is left.
    private func skip(_ framing: BodyFraming?, in connection: Connection) -> Skipped {
        switch framing {
        case nil:
            return .skipped
        case .length(let remaining):
            let dropped = min(remaining, connection.input.count)
            connection.input.removeFirst(dropped)
            return remaining > dropped ? .incomplete(rest: .length(remaining: remaining - dropped)) : .skipped
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(connection.input[...])
            if events.contains(where: { if case .error = $0 { return true } else { return false } }) { return .malformed }
            connection.input.removeFirst(consumed)
            return decoder.isDone ? .skipped : .incomplete(rest: .chunked(decoder))
        }
    }

    /// Starts receiving a request body for `consumer` (framing, timeout, 100-continue).
    func beginBody(_ connection: Connection, head: RequestHead, consumer: BodyConsumer, maxBodySize: Int) {
        connection.currentHead = head
        connection.bodyConsumer = consumer
        connection.bodyFraming = head.isChunked ? .chunked(ChunkedDecoder(maxBodySize: maxBodySize))
            : .length(remaining: head.contentLength ?? 0)
        connection.state = .readingBody
        let settings = handler.settings(for: head, on: connection.listenAddress)?.1.settings
        connection.bodyTimeoutMilliseconds = settings?.clientBodyTimeoutMilliseconds ?? 60_000
        setTimer(connection, milliseconds: connection.bodyTimeoutMilliseconds)
        if head.expectsContinue { sendContinue(connection) }
        receiveBody(connection)
    }

    /// Invites the body of a request that will be read (RFC 9110 §10.1.1).
    /// Nothing else is queued on the connection then, so the socket takes it whole.
    private func sendContinue(_ connection: Connection) {
        _ = try? EventLoop.continueLine.withUnsafeBytes { try Socket.write(connection.fd, $0) }
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Hands buffered body bytes to the consumer; answers when the body ends.
    func receiveBody(_ connection: Connection) {
        guard let consumer = connection.bodyConsumer, let framing = connection.bodyFraming, let head = connection.currentHead else { return }
        var stop: Response?
        var finished = false
        switch framing {
        case .length(let remaining):
            let count = min(remaining, connection.input.count)
            if count > 0 { stop = consumer.consume(connection.input[0..<count]) }
            connection.input.removeFirst(count)
            finished = remaining == count
            connection.bodyFraming = .length(remaining: remaining - count)
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(connection.input[...])
            for event in events where stop == nil {
                switch event {
                case .data(let range): stop = consumer.consume(connection.input[range])
                case .end: finished = true
                case .error(let status):
                    var response = Response(status: status)
                    response.closeConnection = true
                    stop = response
                }
            }
            connection.input.removeFirst(consumed)
            connection.bodyFraming = .chunked(decoder)
        }
        if let stop {
            connection.abortBody()
            connection.currentHead = nil
            respond(connection, with: handler.finalize(stop, head: head, on: connection.listenAddress), head: head, keepAlive: false)
        } else if finished {
            connection.bodyConsumer = nil
            connection.bodyFraming = nil
            connection.currentHead = nil
            guard let response = consumer.finish() else { return }   // answered later (CGI)
            let keepAlive = head.wantsKeepAlive && !draining && response.status < 400
            respond(connection, with: handler.finalize(response, head: head, on: connection.listenAddress), head: head, keepAlive: keepAlive)
        }
    }

    // MARK: writing

    /// `settings`: the answering location's, when the caller has them already.
    func respond(_ connection: Connection, with response: Response, head: RequestHead?, keepAlive: Bool,
                 location: ResolvedLocation? = nil) {
        var response = response
        if response.status >= 201, response.status < 400,
           let index = response.headers.firstIndex(where: { $0.name.caseInsensitiveEquals("Location") }) {
            response.headers[index].value = RedirectLocation.absolute(
                response.headers[index].value, requestHost: head?.host, local: { try? Socket.localAddress(connection.fd) })
        }
        let headOnly = head?.method == "HEAD"
        let settings = (location ?? handler.settings(for: head, on: connection.listenAddress)?.1.location)?.settings
        connection.keepAliveMilliseconds = settings?.keepaliveTimeoutMilliseconds ?? 75_000
        // `keepalive_timeout 0` turns keep-alive off, as in nginx.
        let keepAlive = keepAlive && connection.keepAliveMilliseconds > 0
        connection.state = .writing
        connection.keepAliveAfterResponse = keepAlive
        if response.status >= 400 && !response.streamed { connection.abortBody() }
        switch response.body {
        case .file(let file, let offset, let length) where !headOnly: connection.file = (file, offset, length)
        case .parts(let parts) where !headOnly: connection.pendingParts = parts[...]
        default: break
        }
        // The head (and a small body) is built in one buffer of the loop and
        // sent at once; only what the socket does not take is kept by the connection.
        headBuffer.removeAll(keepingCapacity: true)
        response.appendHead(to: &headBuffer, date: httpDate(), keepAlive: keepAlive)
        if case .bytes(let bytes) = response.body, !headOnly { headBuffer += bytes }
        let sent = headBuffer.withUnsafeBytes { bytes -> Int in
            guard case .value(let count)? = try? Socket.write(connection.fd, bytes, more: connection.bodyFollows) else { return 0 }
            return count
        }
        connection.output = sent < headBuffer.count ? Array(headBuffer[sent...]) : []
        connection.outputOffset = 0
        if headBuffer.capacity > 1 << 16 { headBuffer = [] }   // one large page must not stay resident
        if let accessLog = settings?.accessLog {
            connection.logLine = AccessLogLine(
                path: accessLog, remoteAddress: connection.peerHost,
                requestLine: head.map { "\($0.method) \($0.target) \($0.version.rawValue)" } ?? "-",
                status: response.status, bytesSent: headOnly ? 0 : response.bodyLength,
                referer: head?.headers["Referer"] ?? "-", userAgent: head?.headers["User-Agent"] ?? "-")
        }
        setTimer(connection, milliseconds: settings?.sendTimeoutMilliseconds ?? 60_000)
        flush(connection)
    }

    func flush(_ connection: Connection) {
        do {
            while true {
                let more = connection.bodyFollows
                while connection.outputOffset < connection.output.count {
                    let result = try connection.output[connection.outputOffset...].withUnsafeBytes {
                        try Socket.write(connection.fd, $0, more: more)
                    }
                    guard case .value(let count) = result else { return waitForWritable(connection) }
                    connection.outputOffset += count
                }
                while var file = connection.file, file.remaining > 0 {
                    let result = try Socket.sendFile(connection.fd, from: file.file.fd, offset: &file.offset, count: min(file.remaining, 1 << 30))
                    guard case .value(let count) = result else { connection.file = file; return waitForWritable(connection) }
                    // The file shrank under us: the promised length cannot be sent.
                    if count == 0 { close(connection); return }
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
            // Everything so far is sent; the script or upstream has more to say.
            watch(connection, readsBody(connection) ? .read : [])
            resumeScriptOutput(connection)
            resumeUpstreamOutput(connection)
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
        try? selector.reregister(connection.fd, interest: interest, token: UInt64(connection.fd))
    }

    /// Whether the socket should be read for a request body right now (not
    /// when the CGI script is behind on its stdin).
    func readsBody(_ connection: Connection) -> Bool {
        guard connection.bodyConsumer != nil else { return false }
        return (connection.cgi?.pendingInput.count ?? 0) <= EventLoop.bufferLimit
    }

    func finishResponse(_ connection: Connection) {
        endScript(connection)
        endProxy(connection)
        connection.releaseFile()
        connection.output = []
        connection.outputOffset = 0
        if let line = connection.logLine { logs.access(line) }
        connection.logLine = nil
        guard connection.keepAliveAfterResponse else { return linger(connection) }
        connection.resetParser()
        connection.headStarted = false
        connection.state = connection.bodyToDiscard != nil ? .discardingBody : .readingHead
        // An idle keep-alive connection holds no buffer (10,000 of them should cost little).
        if connection.input.isEmpty { connection.input = [] }
        watch(connection, .read)
        setTimer(connection, milliseconds: connection.keepAliveMilliseconds)
        if draining && connection.input.isEmpty { close(connection); return }
        process(connection)
    }

    /// Close after the response without resetting data the client may still
    /// be sending (a 413 body): shut our side, drain theirs briefly.
    func linger(_ connection: Connection) {
        connection.state = .lingering
        Socket.shutdownWrite(connection.fd)
        watch(connection, .read)
        setTimer(connection, milliseconds: 2000)
    }

    func close(_ connection: Connection) {
        guard !connection.isClosed else { return }   // its descriptor number may be reused already
        endScript(connection)
        endProxy(connection)
        connection.abortBody()
        connection.releaseFile()
        selector.deregister(connection.fd)
        Socket.close(connection.fd)
        connection.isClosed = true
        connections[connection.fd] = nil
        connection.deadline = nil
        if acceptingPaused && !draining { resumeAccepting() }
    }

    private func httpDate() -> String {
        let now = Clock.wallSeconds()
        if dateCache.second != now { dateCache = (now, HTTPDate.format(now)) }
        return dateCache.text
    }
}
