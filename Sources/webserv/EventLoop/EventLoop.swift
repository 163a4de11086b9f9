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
    private var nextIdentity: UInt64 = 0
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
    var dateCache: (second: Int, text: String) = (0, "")
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    var headBuffer: [UInt8] = []

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
    }

    private func nextTimeout() -> Int32 {
        var wait = 1000
        if let next = timers.next { wait = min(wait, max(0, next.deadline - Clock.monotonicMilliseconds())) }
        if let resume = acceptResumeAt { wait = min(wait, max(0, resume - Clock.monotonicMilliseconds())) }
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
                // A listener exists only for an address some server has.
                guard let server = handler.router.server(for: address, host: nil) else { Socket.close(accepted.fd); continue }
                let limits = RequestLimits(maxLineBytes: server.config.largeHeaderBufferSize,
                                           maxHeadBytes: server.config.largeHeaderBufferSize * server.config.largeHeaderBufferCount)
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
                setTimer(connection, milliseconds: server.config.headerTimeoutMilliseconds)
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

    /// The deadline of the connection's state, from now.
    func setTimer(_ connection: Connection, milliseconds: Int) {
        connection.deadline = Clock.monotonicMilliseconds() + milliseconds
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
        timers.push(.init(deadline: deadline, fd: connection.fd, identity: connection.identity))
    }

    private func expireTimers() {
        let now = Clock.monotonicMilliseconds()
        while let next = timers.next, next.deadline <= now {
            _ = timers.pop()
            guard let connection = connections[next.fd], connection.identity == next.identity,
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
        if case .readingBody = connection.state {
            connection.abortBody()
            deliver(Response(status: 408), head: connection.currentHead, on: connection, keepAlive: false)
            return
        }
        if case .readingHead = connection.state, connection.headStarted {
            respond(connection, with: Response(status: 408, headers: [("Content-Type", "text/html")],
                                               body: .bytes(StatusCode.defaultPage(408))), head: nil, keepAlive: false)
            return
        }
        close(connection)
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
        connection.context = nil
        connections[connection.fd] = nil
        connection.deadline = nil
        if acceptingPaused && !draining { resumeAccepting() }
    }
}
