import Glibc
import ConfLang

/// The single-threaded server: one epoll selector, the owners of its
/// descriptors, the connections' timers and the signals. What the
/// descriptors carry is driven by three parts the loop hands readiness to:
/// accepting (`Acceptor`), the connections' request cycle
/// (`ConnectionDriver`) and the upstream engine (`UpstreamEngine`). Nothing
/// here blocks on a client.
final class EventLoop {
    let selector: Selector
    private let signals: SignalSource
    let logs = Logs()
    private(set) var config: WebservConfig
    private let configPath: String
    /// The answers of the configuration in force (its router, the file caches).
    var handler: RequestHandler

    /// The owner of every descriptor in the selector (Descriptors).
    var descriptors = Descriptors()
    var timers = TimerHeap()
    /// Milliseconds of a monotonic clock; tests drive the loop with their own.
    var clock: () -> Int = Clock.monotonicMilliseconds { didSet { turnTime = clock() } }
    /// The clock when the turn began (epoll_wait returned). As nginx's cached
    /// time: the deadlines a turn sets count from it, with no clock read for each.
    private var turnTime = Clock.monotonicMilliseconds()
    private var stopping = false
    var draining = false
    private var lastFlush = 0

    /// One of several worker processes (worker_processes > 1): listening
    /// ports are shared with the others, and the master reports them.
    let isWorker: Bool

    /// Set once, as the loop is made (each names the loop); implicitly
    /// unwrapped only because they cannot exist before it.
    private(set) var acceptor: Acceptor!
    private(set) var connections: ConnectionDriver!
    private(set) var upstreams: UpstreamEngine!

    init(config: WebservConfig, configPath: String, isWorker: Bool = false) throws {
        self.isWorker = isWorker
        selector = try Selector()
        signals = try SignalSource()
        self.config = config
        self.configPath = configPath
        handler = RequestHandler(router: Router(config: config))
        acceptor = Acceptor(loop: self)
        connections = ConnectionDriver(loop: self)
        upstreams = UpstreamEngine(loop: self)
        let token = descriptors.newToken(for: signals.fd)
        try selector.register(signals.fd, interest: .read, token: token)
        descriptors.set(token, .signals)
        // Client reads tell the cache when to read its events (see `turn`).
        handler.smallFiles.drainPolicy = .afterClientReads
        handler.logs = logs
        if let events = handler.smallFiles.descriptor { register(events, owner: .fileEvents, interest: .read) }
    }

    func now() -> Int { turnTime }

    /// Sockets handed down to bind no address again (`InheritedSockets`).
    var inheritedSockets: InheritedSockets {
        get { acceptor.inheritedSockets }
        set { acceptor.inheritedSockets = newValue }
    }

    // MARK: start, configuration

    /// Opens logs and listening sockets for `config`; on failure nothing changes.
    func apply(_ new: WebservConfig) -> String? {
        let router = Router(config: new)
        var accessLogs = Set<String>(), errorLogs = Set<String>()
        for location in router.servers.flatMap(\.everyLocation).map(\.settings) {
            if let path = location.accessLog { accessLogs.insert(path) }
            errorLogs.insert(location.errorLog.path)
        }
        let resolved: [String: in_addr]
        switch UpstreamEngine.resolve(router) {
        case .success(let addresses): resolved = addresses
        case .failure(let problem): return problem.message
        }
        // Certificates and keys are read now (at start, before any privilege drop): one that fails keeps the old configuration.
        let tls: [Values.ListenAddress: TLSAddress]
        switch TLSAddress.build(router, ticketKeys: TLSTicketKeys.current) {
        case .success(let built): tls = built
        case .failure(let failure): return failure.description
        }
        // The client contexts of https upstreams, their trusted certificates read now too.
        let upstreamTLS: [String: UpstreamTLSContext]
        switch UpstreamTLSContext.build(router) {
        case .success(let built): upstreamTLS = built
        case .failure(let failure): return failure.description
        }
        if let problem = logs.open(errorLog: new.errorLog, requestErrorLogs: errorLogs, accessLogs: accessLogs) { return problem }
        if let problem = acceptor.apply(new, router: router, tls: tls) { return problem }
        config = new
        upstreams.addresses = resolved
        upstreams.groups = UpstreamEngine.groups(of: new, resolved: resolved)
        upstreams.tlsContexts = upstreamTLS
        upstreams.pool.limits = UpstreamEngine.poolLimits(of: upstreams.groups)
        handler = RequestHandler(router: router, files: handler.files, smallFiles: handler.smallFiles)
        handler.logs = logs
        connections.listenersChanged()
        return nil
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
            if draining && descriptors.clients.allSatisfy(\.isIdle) && connections.http2Connections.isEmpty { break }
        }
        shutdown()
        return status
    }

    /// One turn of the loop: wait for readiness (at most `timeoutMilliseconds`),
    /// hand each to its owner, then the timers. Tests drive the loop with it.
    /// Client sockets are read first and their requests answered after
    /// (`ConnectionDriver.processReceived`).
    func turn(timeoutMilliseconds: Int32) throws {
        let ready = try selector.wait(timeoutMilliseconds: timeoutMilliseconds)
        turnTime = clock()
        for index in 0..<ready { dispatch(selector.event(index)) }
        connections.processReceived()
        if upstreams.pool.needsTrim { upstreams.trimPool() }
        expireTimers()
        upstreams.killLingeringScripts()
        periodic()
    }

    func dispatch(_ event: Selector.Event) {
        guard let (fd, owner) = descriptors.owner(of: event.token) else { return }   // meant for a previous owner
        switch owner {
        case .client(let connection):
            connections.ready(connection, event)
        case .http2(let connection):
            connections.readyHTTP2(connection, event)
        case .upstream(let request):
            upstreams.ready(request, fd: fd, event)
        case .listener:
            acceptor.ready(fd)
        case .pooledUpstream:
            upstreams.pooledConnectionReady(fd)
        case .tunnel(let tunnel):
            tunnel.upstreamReady(event)
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
            upstreams.expirePooledConnections()
            lastFlush = now
        }
        acceptor.resumeIfDue(now: now)
    }

    /// Inlined into `run`: as a call of its own it cost about 13 instructions
    /// per turn (callgrind, bench/instructions.sh). From the turn's time, as
    /// nginx's `ngx_event_find_timer` counts from its cached time: a deadline
    /// is then met up to one turn's work late, and a turn reads the clock
    /// once (a second read cost about 30 instructions per keep-alive request).
    @inline(__always)
    private func nextTimeout() -> Int32 {
        let now = turnTime
        var wait = 1000
        if let next = timers.next { wait = min(wait, max(0, next.deadline - now)) }
        if let resume = acceptor.resumeAt { wait = min(wait, max(0, resume - now)) }
        if let kill = upstreams.nextKill { wait = min(wait, max(0, kill - now)) }
        return Int32(wait)
    }

    private func shutdown() {
        for connection in descriptors.clients { connections.close(connection) }
        for connection in connections.http2Connections.values { connections.closeHTTP2(connection) }
        upstreams.killLingeringScripts(all: true)   // stopping at once: no grace
        acceptor.closeAll()
        upstreams.closePool()
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
                upstreams.reapScripts()
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
        acceptor.closeAll()
        for connection in descriptors.clients where connection.isIdle { connections.close(connection) }
        // HTTP/2: GOAWAY with the last stream taken; those are answered, then each connection closes.
        for connection in connections.http2Connections.values { connections.goAwayHTTP2(connection) }
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

    /// Gives `fd`, watched already, to a new owner without a system call: a
    /// kept upstream connection between the pool and a request. An event of
    /// the old owner still queued in the turn's batch then reaches the new
    /// one, which is what it means to either: the upstream spoke or closed
    /// (a request fails its kept connection and goes again on a fresh one;
    /// the pool drops the connection).
    func adopt(_ fd: Int32, by owner: DescriptorOwner) -> Bool {
        guard let token = descriptors.token(of: fd) else { return false }
        descriptors.set(token, owner)
        return true
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
            setTimer(connection, milliseconds: Int(connection.request.keepAliveMilliseconds))
        case .body, .send: setTimer(connection, milliseconds: Int(connection.request.stateTimeoutMilliseconds))
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
            if case .http2(let connection)? = descriptors.owner(of: next.identity)?.owner {
                connections.timerHTTP2(connection, now: now)
                continue
            }
            guard case .client(let connection)? = descriptors.owner(of: next.identity)?.owner,
                  connection.queuedDeadline == next.deadline else { continue }
            connection.queuedDeadline = nil
            // Only the deadlines of the state the request is in apply.
            if let upstream = connection.upstreamDeadline, upstream <= now {
                upstreams.timedOut(connection)
            } else if let deadline = connection.deadline, deadline <= now {
                connections.timedOut(connection)
            }
            if !connection.isClosed { armTimer(connection) }
        }
    }
}
