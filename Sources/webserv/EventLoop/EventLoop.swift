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

    var listeners: [Int32: Listener] = [:]
    /// Client connections open now (they are found through `descriptors`).
    private(set) var connectionCount = 0
    /// The owner of every descriptor in the selector (Descriptors).
    var descriptors = Descriptors()
    var timers = TimerHeap()
    /// Running scripts by pid, to note their exit.
    var scripts: [pid_t: CGIAdapter] = [:]
    /// Scripts asked to end (SIGTERM), with when they get SIGKILL if still running.
    var scriptKills: [(script: CGIAdapter, deadline: Int)] = []
    /// Idle keep-alive connections to upstream servers.
    var pool = UpstreamPool()
    /// Connections whose socket brought bytes in this turn, to process after the reads.
    var received: [Connection] = []
    /// Milliseconds of a monotonic clock; tests drive the loop with their own.
    var clock: () -> Int = Clock.monotonicMilliseconds { didSet { turnTime = clock() } }
    /// The clock when the turn began (epoll_wait returned). As nginx's cached
    /// time: the deadlines a turn sets count from it, with no clock read for each.
    private var turnTime = Clock.monotonicMilliseconds()
    /// Upstream addresses of every proxy_pass, resolved when a configuration is applied.
    var upstreamAddresses: [String: in_addr] = [:]
    private var acceptingPaused = false
    private var acceptResumeAt: Int?
    private var stopping = false
    var draining = false
    private var lastFlush = 0
    /// Shared by every connection (see EventLoop+Reading, EventLoop+Writing):
    /// the formatted Date of this second, the buffer each read goes into and
    /// the one each response head is built in before it is sent.
    var dateCache: (second: Int, bytes: [UInt8]) = (0, [])
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    var headBuffer: [UInt8] = []

    /// One of several worker processes (worker_processes > 1): listening
    /// ports are shared with the others, and the master reports them.
    let isWorker: Bool
    /// Sockets handed down to bind no address again (`InheritedSockets`).
    var inheritedSockets = InheritedSockets()

    init(config: WebservConfig, configPath: String, isWorker: Bool = false) throws {
        self.isWorker = isWorker
        selector = try Selector()
        signals = try SignalSource()
        self.config = config
        self.configPath = configPath
        handler = RequestHandler(router: Router(config: config))
        let token = descriptors.newToken(for: signals.fd)
        try selector.register(signals.fd, interest: .read, token: token)
        descriptors.set(token, .signals)
        // Client reads tell the cache when to read its events (see `turn`).
        handler.smallFiles.drainPolicy = .afterClientReads
        if let events = handler.smallFiles.descriptor { register(events, owner: .fileEvents, interest: .read) }
    }

    func now() -> Int { turnTime }

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
        // Certificates and keys are read now (at start, before any privilege drop): one that fails keeps the old configuration.
        let tls: [Values.ListenAddress: TLSAddress]
        switch TLSAddress.build(router, ticketKeys: TLSTicketKeys.current) {
        case .success(let built): tls = built
        case .failure(let failure): return failure.description
        }
        if let problem = logs.open(errorLog: new.errorLog, requestErrorLogs: errorLogs, accessLogs: accessLogs) { return problem }
        // One socket per wildcard and per specific address without one on its
        // port (nginx without `bind`); the specific addresses a wildcard's socket
        // accepts for are told apart by their numeric host, found first so that
        // a name that does not resolve changes nothing.
        let wanted = new.socketAddresses
        var hosts: [Values.ListenAddress: String] = [:]
        for address in wanted.flatMap(new.addresses(sharing:)) {
            do { hosts[address] = try Listener.numericHost(of: address) } catch { return "cannot listen on \(address): \(error)" }
        }
        // Every address's listener, kept across the reload whether it has a socket
        // or shares a wildcard's, so that its open connections see the new servers.
        var known: [Values.ListenAddress: Listener] = [:]
        for listener in listeners.values {
            known[listener.address] = listener
            for entry in listener.specific { known[entry.listener.address] = entry.listener }
        }
        let opened: [Int32: Values.ListenAddress]
        switch openSockets(for: wanted.filter { address in !listeners.values.contains { $0.address == address } }, keeping: wanted) {
        case .success(let sockets): opened = sockets
        case .failure(let problem): return problem.message
        }
        for (fd, listener) in listeners where !wanted.contains(listener.address) {
            closeDescriptor(fd)
            listeners[fd] = nil
        }
        for (fd, address) in opened {
            let listener = known[address] ?? Listener(address: address, servers: nil)
            known[address] = listener
            listeners[fd] = listener
            descriptors.set(descriptors.newToken(for: fd), .listener)
            if !acceptingPaused { listen(fd) }
        }
        for listener in listeners.values {
            listener.specific = new.addresses(sharing: listener.address).map { address in
                let shared = known[address] ?? Listener(address: address, servers: nil)
                known[address] = shared
                return (hosts[address] ?? address.host, shared)
            }
        }
        config = new
        upstreamAddresses = resolved
        handler = RequestHandler(router: router, files: handler.files, smallFiles: handler.smallFiles)
        // An address no longer listened on gets none (and its connections end below).
        for listener in known.values {
            listener.servers = router.servers(on: listener.address)
            listener.tls = tls[listener.address]
        }
        // An address no longer listened on: what has not begun a request ends
        // now; an answer under way is finished, then its connection ends (`finishResponse`).
        for connection in descriptors.clients where connection.listener.servers == nil {
            switch connection.state {
            case .idle, .readingHead: close(connection)
            default: break
            }
        }
        return nil
    }

    struct ListenProblem: Error { let message: String }

    /// Opens a listening socket for each of `addresses` (handed down, or bound).
    /// A wildcard replacing the specific sockets of its family and port, or a
    /// specific address replacing its wildcard, cannot be bound while the old
    /// socket listens (the port is in use): the old one is closed first, what
    /// is queued on it accepted. On failure nothing opened stays open, and a
    /// socket closed for it is opened again.
    private func openSockets(for addresses: [Values.ListenAddress], keeping wanted: [Values.ListenAddress])
        -> Result<[Int32: Values.ListenAddress], ListenProblem> {
        var opened: [Int32: Values.ListenAddress] = [:]
        var replaced: [(address: Values.ListenAddress, listener: Listener)] = []
        func retiring(_ address: Values.ListenAddress) -> [(fd: Int32, listener: Listener)] {
            listeners.filter { !wanted.contains($0.value.address) && $0.value.address.wildcard == address.wildcard }.map { ($0.key, $0.value) }
        }
        let first = addresses.filter { retiring($0).isEmpty }
        for address in first + addresses.filter({ !retiring($0).isEmpty }) {
            for (fd, listener) in retiring(address) {
                acceptAll(on: fd, listener: listener)
                closeDescriptor(fd)
                listeners[fd] = nil
                replaced.append((listener.address, listener))
            }
            do {
                opened[try inheritedSockets.take(address) ?? Socket.listen(on: address, sharedPort: isWorker).fd] = address
            } catch {
                for fd in opened.keys { Socket.close(fd) }
                for (old, listener) in replaced {
                    guard let fd = try? Socket.listen(on: old, sharedPort: isWorker).fd else { continue }
                    listeners[fd] = listener
                    descriptors.set(descriptors.newToken(for: fd), .listener)
                    if !acceptingPaused { listen(fd) }
                }
                return .failure(ListenProblem(message: "cannot listen on \(address): \(error)"))
            }
        }
        return .success(opened)
    }

    /// Runs until stopped; returns the exit status.
    func run() -> Int32 {
        // A worker's master says it once for all of them.
        for url in Server.urls(config.listenAddresses, tls: config.tlsAddresses) where !isWorker {
            logs.error("notice", "listening on \(url)")
            fputs("webserv: listening on \(url)\n", stderr)
        }
        var status: Int32 = 0
        while status == 0 && !stopping {
            do { try turn(timeoutMilliseconds: nextTimeout()) } catch {
                logs.error("alert", "\(error)")
                status = 1
            }
            if draining && descriptors.clients.allSatisfy(\.isIdle) { break }
        }
        shutdown()
        return status
    }

    /// One turn of the loop: wait for readiness (at most `timeoutMilliseconds`),
    /// hand each to its owner, then the timers. Tests drive the loop with it.
    /// Client sockets are read first and their requests answered after: a
    /// file changed before a request was sent has its inotify event queued
    /// before that request's bytes are read, so one read of the queue between
    /// the two serves the whole batch fresh (lookups read it themselves when
    /// bytes arrive otherwise).
    func turn(timeoutMilliseconds: Int32) throws {
        let ready = try selector.wait(timeoutMilliseconds: timeoutMilliseconds)
        turnTime = clock()
        for index in 0..<ready { dispatch(selector.event(index)) }
        if !received.isEmpty {
            handler.smallFiles.drainEvents()
            // Processing reads no socket, so nothing is added to `received` meanwhile.
            for connection in received where !connection.isClosed { process(connection) }
            received.removeAll(keepingCapacity: true)
        }
        expireTimers()
        if !scriptKills.isEmpty { killLingeringScripts() }
        periodic()
    }

    func dispatch(_ event: Selector.Event) {
        guard let (fd, owner) = descriptors.owner(of: event.token) else { return }   // meant for a previous owner
        switch owner {
        case .client(let connection):
            if event.readable || event.closed { receive(connection) }
            if event.writable, !connection.isClosed, connection.wantsWrite { flush(connection) }
        case .upstream(let request):
            upstreamEvent(request, fd: fd, event)
        case .listener:
            if let listener = listeners[fd] { acceptAll(on: fd, listener: listener) }
        case .pooledUpstream:
            // The upstream closed an idle connection (or sent what nobody asked for).
            pool.remove(fd)
            closeDescriptor(fd)
        case .signals:
            handleSignals()
        case .fileEvents:
            handler.smallFiles.drainEvents()
            // Its events could not be read: the cache validates by stat now.
            if handler.smallFiles.descriptor == nil { closeDescriptor(fd, keepOpen: true) }
        }
    }

    private func periodic() {
        let now = self.now()
        if now - lastFlush >= 1000 {
            logs.flush()
            handler.files.sweep(nowSeconds: now / 1000)
            expirePooledUpstreams()
            lastFlush = now
        }
        if let resume = acceptResumeAt, now >= resume { acceptResumeAt = nil; resumeAccepting() }
    }

    /// Inlined into `run`: as a call of its own it cost about 13 instructions
    /// per turn (callgrind, bench/instructions.sh).
    @inline(__always)
    private func nextTimeout() -> Int32 {
        // From the clock itself: the turn that just ran took time.
        let now = clock()
        var wait = 1000
        if let next = timers.next { wait = min(wait, max(0, next.deadline - now)) }
        if let resume = acceptResumeAt { wait = min(wait, max(0, resume - now)) }
        if let kill = scriptKills.first { wait = min(wait, max(0, kill.deadline - now)) }
        return Int32(wait)
    }

    private func shutdown() {
        for connection in descriptors.clients { close(connection) }
        killLingeringScripts(all: true)   // stopping at once: no grace
        for fd in listeners.keys { closeDescriptor(fd) }
        listeners = [:]
        for fd in pool.removeAll() { closeDescriptor(fd) }
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
            case SIGUSR1:
                logs.reopen()
                logs.error("notice", "reopening logs: done (SIGUSR1)")
            case SIGUSR2:
                logs.error("warn", "SIGUSR2 ignored: webserv has no binary upgrade; restart it instead")
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
        } else if !isWorker {
            // The master logs a reload once for its workers (a failure is each worker's own).
            logs.error("notice", "configuration \(configPath) reloaded")
        }
    }

    /// Stop accepting; idle connections close now, busy ones after their response.
    private func beginDraining() {
        draining = true
        for fd in listeners.keys { closeDescriptor(fd) }
        listeners = [:]
        for connection in descriptors.clients where connection.isIdle { close(connection) }
    }

    // MARK: accepting

    private func acceptAll(on fd: Int32, listener: Listener) {
        while connectionCount < config.workerConnections {
            do {
                guard case .value(let accepted) = try Socket.accept(fd) else { return }
                adopt(accepted.fd, listener: listener.answering(accepted.fd), peer: (accepted.host, accepted.port))
            } catch let error as SystemError where error.errorNumber == EMFILE || error.errorNumber == ENFILE {
                // Out of descriptors: pause accepting briefly instead of spinning.
                logs.error("crit", "\(error); pausing accept for 100ms")
                handler.files.removeAll()
                pauseAccepting()
                acceptResumeAt = now() + 100
                return
            } catch {
                logs.error("error", "\(error)")
                return
            }
        }
        pauseAccepting()   // at worker_connections: resume when one closes
    }

    /// Takes a connected client socket into the loop (accepted, or one end of
    /// a socketpair in tests); its first deadline is client_header_timeout.
    @discardableResult
    func adopt(_ fd: Int32, listener: Listener, peer: (host: String, port: Int)) -> Connection? {
        // A listener exists only for an address some server has.
        guard let server = listener.servers?.defaultServer else { Socket.close(fd); return nil }
        let limits = RequestLimits(maxLineBytes: server.config.largeHeaderBufferSize,
                                   maxHeadBytes: server.config.largeHeaderBufferSize * server.config.largeHeaderBufferCount)
        // On a TLS address, the session the handshake will run in (TLSSession).
        var tls: TLSSession?
        if let address = listener.tls {
            guard let session = try? TLSSession(fd: fd, address: address) else { Socket.close(fd); return nil }
            tls = session
        }
        let token = descriptors.newToken(for: fd)
        let connection = Connection(fd: fd, identity: token, listener: listener, peerHost: peer.host, peerPort: peer.port, limits: limits,
                                    tls: tls)
        do {
            try selector.register(fd, interest: .read, token: token)
        } catch {
            Socket.close(fd)
            return nil
        }
        descriptors.set(token, .client(connection))
        connectionCount += 1
        enter(.idle(kept: false), connection)
        return connection
    }

    private func pauseAccepting() {
        guard !acceptingPaused else { return }
        acceptingPaused = true
        for fd in listeners.keys { selector.deregister(fd) }
    }

    func resumeAccepting() {
        guard acceptingPaused, acceptResumeAt == nil, connectionCount < config.workerConnections else { return }
        acceptingPaused = false
        for fd in listeners.keys { listen(fd) }
    }

    private func listen(_ fd: Int32) {
        guard let token = descriptors.token(of: fd) else { return }
        try? selector.register(fd, interest: .read, token: token)
    }

    // MARK: descriptors

    /// Adds `fd` to the selector for `owner`, with a token of its own.
    func register(_ fd: Int32, owner: DescriptorOwner, interest: Selector.Interest) {
        let token = descriptors.newToken(for: fd)
        descriptors.set(token, owner)
        try? selector.register(fd, interest: interest, token: token)
    }

    /// Changes what `fd` is watched for, keeping its owner.
    func changeInterest(_ fd: Int32, _ interest: Selector.Interest) {
        guard let token = descriptors.token(of: fd) else { return }
        try? selector.reregister(fd, interest: interest, token: token)
    }

    /// Gives `fd` to a new owner: events still queued for the old one are dropped.
    func reassign(_ fd: Int32, to owner: DescriptorOwner, interest: Selector.Interest) {
        let token = descriptors.newToken(for: fd)
        descriptors.set(token, owner)
        try? selector.reregister(fd, interest: interest, token: token)
    }

    /// Takes `fd` out of the selector and closes it (`keepOpen`: only takes it out).
    func closeDescriptor(_ fd: Int32, keepOpen: Bool = false) {
        selector.deregister(fd)
        descriptors.remove(fd)
        if !keepOpen { Socket.close(fd) }
    }

    // MARK: timers

    static let lingerMilliseconds = 2000

    /// The connection's one way into a state: sets it and arms the deadline
    /// the state names (Connection.State.deadline).
    func enter(_ state: Connection.State, _ connection: Connection) {
        let previous = connection.state
        connection.state = state
        switch state.deadline {
        case .header:
            // A new connection's head deadline runs from the accept, as nginx's: its first byte does not restart it.
            if case .idle(kept: false) = previous, case .readingHead = state { return }
            guard let server = connection.listener.servers?.defaultServer else { return clearTimer(connection) }
            setTimer(connection, milliseconds: server.config.headerTimeoutMilliseconds)
        case .keepAlive:
            // The rest of a skipped body is awaited from the answer's end, not from each piece of it.
            if case .discardingBody = state, case .discardingBody = previous { return }
            setTimer(connection, milliseconds: connection.keepAliveMilliseconds)
        case .body, .send: setTimer(connection, milliseconds: connection.stateTimeoutMilliseconds)
        case .upstream: clearTimer(connection)
        case .linger: setTimer(connection, milliseconds: EventLoop.lingerMilliseconds)
        }
    }

    /// The deadline of the connection's state, from now.
    func setTimer(_ connection: Connection, milliseconds: Int) {
        connection.deadline = now() + milliseconds
        armTimer(connection)
    }

    /// The connection's state has no deadline of its own now (it waits on a
    /// script or an upstream, whose deadline still counts).
    func clearTimer(_ connection: Connection) {
        connection.deadline = nil
    }

    /// Queues the connection's next deadline (its state's or its upstream's)
    /// unless an earlier entry is queued already: one heap entry per
    /// connection, re-armed when it pops if the deadline moved later.
    func armTimer(_ connection: Connection) {
        guard let deadline = connection.nextDeadline else { return }
        if let queued = connection.queuedDeadline, queued <= deadline { return }
        connection.queuedDeadline = deadline
        timers.push(.init(deadline: deadline, identity: connection.identity))
    }

    private func expireTimers() {
        let now = self.now()
        while let next = timers.next, next.deadline <= now {
            _ = timers.pop()
            guard case .client(let connection)? = descriptors.owner(of: next.identity)?.owner,
                  connection.queuedDeadline == next.deadline else { continue }
            connection.queuedDeadline = nil
            // Only the deadlines of the state the request is in apply.
            if let upstream = connection.upstreamDeadline, upstream <= now {
                upstreamTimedOut(connection)
            } else if let deadline = connection.deadline, deadline <= now {
                timedOut(connection)
            }
            if !connection.isClosed { armTimer(connection) }
        }
    }

    /// A stalled request head gets 408; idle keep-alive, a stalled send or a
    /// lingering close just end.
    private func timedOut(_ connection: Connection) {
        switch connection.state {
        case .readingBody(let reception):
            abortBody(connection)
            deliver(Response(status: 408), head: reception.head, on: connection, keepAlive: false)
        case .readingHead:
            deliver(Response(status: 408), head: nil, on: connection, keepAlive: false)
        default:
            close(connection)
        }
    }

    func close(_ connection: Connection) {
        guard !connection.isClosed else { return }   // its descriptor number may be reused already
        endUpstream(connection)
        abortBody(connection)
        connection.request.reset()
        connection.transport.tls?.shutdown()   // close_notify, as nginx sends before closing
        closeDescriptor(connection.fd)
        connection.isClosed = true
        connectionCount -= 1
        connection.deadline = nil
        if acceptingPaused && !draining { resumeAccepting() }
    }
}
