import Glibc
import ConfLang

/// `worker_processes N` with N > 1: this process serves nothing itself. It
/// starts N copies of webserv as workers (each a complete event loop that
/// listens on the same ports, SO_REUSEPORT spreading connections among them),
/// passes signals on, and starts a new worker when one dies.
final class MasterProcess {
    /// Set in a worker's environment; `Server` then runs one event loop.
    static let workerVariable = "WEBSERV_WORKER"

    private let configPath: String
    private var config: WebservConfig
    private let pidFile: PidFile?
    private let logs = Logs()
    private let selector: Selector
    private let signals: SignalSource
    /// Running workers, with when each started (monotonic ms).
    private var workers: [pid_t: Int] = [:]
    /// Workers a reload replaced, finishing their requests (SIGQUIT): never replaced in turn.
    private var retiring = Set<pid_t>()
    private var stopping = false
    /// Sockets handed down: kept open for the workers, which listen on them.
    var inheritedSockets = InheritedSockets()
    /// This binary (as `ps` should show the workers).
    private let executable: String = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = count > 0 ? String(cString: buffer) : ""
        // A binary replaced on disk since it started can still be run through /proc.
        return path.hasPrefix("/") && !path.hasSuffix(" (deleted)") ? path : "/proc/self/exe"
    }()

    init(config: WebservConfig, configPath: String, pidFile: PidFile?) throws {
        self.config = config
        self.configPath = configPath
        self.pidFile = pidFile
        selector = try Selector(capacity: 8)
        signals = try SignalSource()
        try selector.register(signals.fd, interest: .read, token: 0)
    }

    /// Runs until the workers are gone; returns the exit status.
    func run() -> Int32 {
        if let problem = logs.open(errorLog: config.errorLog, accessLogs: []) { return fail(problem) }
        // Bind each address once here (without SO_REUSEPORT, so another
        // server's workers cannot share it either), so that a port in use is
        // one clear error at start rather than N failing workers.
        for address in config.socketAddresses where !inheritedSockets.contains(address) {
            do {
                let (fd, _) = try Socket.listen(on: address)
                Socket.close(fd)
            } catch {
                return fail("cannot listen on \(address): \(error)")
            }
        }
        // Certificates and keys: one clear error here rather than N workers failing on it.
        if case .failure(let failure) = TLSAddress.build(Router(config: config), ticketKeys: nil) { return fail(failure.description) }
        if let problem = UpstreamTLSContext.check(config) { return fail(problem) }
        // Only now: a start that failed above leaves a running instance's pid file alone.
        if let problem = pidFile?.write() { return fail(problem) }
        defer { pidFile?.remove() }
        for _ in 0..<config.workerProcesses where startWorker() == nil {
            stopWorkers(SIGTERM)
            return fail("cannot start worker processes")
        }
        for url in Server.urls(config.listenAddresses, tls: config.tlsAddresses) {
            logs.error("notice", "listening on \(url)")
            fputs("webserv: listening on \(url)\n", stderr)
        }
        logs.error("notice", "started \(config.workerProcesses) worker processes")
        while !workers.isEmpty || !retiring.isEmpty {
            guard (try? selector.wait(timeoutMilliseconds: -1)) != nil else { break }
            for signal in signals.drain() { handle(signal) }
        }
        logs.error("notice", "exiting")
        return 0
    }

    private func handle(_ signal: Int32) {
        switch signal {
        case SIGHUP: reload()
        case SIGTERM, SIGINT:
            logs.error("notice", "signal \(signal) received, stopping the workers")
            stopWorkers(SIGTERM)
        case SIGQUIT:
            logs.error("notice", "SIGQUIT received, the workers finish their requests")
            stopWorkers(SIGQUIT)
        case SIGCHLD: reapWorkers()
        case SIGUSR1:
            handOverLogFiles()
            logs.reopen()
            logs.error("notice", "reopening logs: done (SIGUSR1), passed to the workers")
            for pid in workers.keys { kill(pid, SIGUSR1) }
        case SIGUSR2:
            logs.error("warn", "SIGUSR2 ignored: webserv has no binary upgrade; restart it instead")
        default: break
        }
    }

    /// Checked here first, so an invalid file is reported once and reaches no
    /// worker; a valid one is re-read by every worker, as SIGHUP does alone.
    private func reload() {
        guard let new = ConfigurationCheck().reload(path: configPath, logs: logs) else { return }
        // Certificates and keys are tried here, where they are readable (the workers may
        // have given up root), so that one that fails keeps every worker on the old configuration.
        if case .failure(let failure) = TLSAddress.build(Router(config: new), ticketKeys: nil) {
            logs.error("error", "reload of \(configPath) failed; keeping the current configuration: \(failure)")
            return
        }
        if let problem = UpstreamTLSContext.check(new) {
            logs.error("error", "reload of \(configPath) failed; keeping the current configuration: \(problem)")
            return
        }
        if new.workerProcesses != config.workerProcesses {
            logs.error("warn", "worker_processes changes take effect when webserv is restarted")
        }
        config.errorLog = new.errorLog
        config.servers = new.servers   // for the log files handed over on SIGUSR1
        _ = logs.open(errorLog: new.errorLog, accessLogs: [])
        if Privileges.switchesUser(new) && !new.tlsAddresses.isEmpty {
            replaceWorkers()
        } else {
            for pid in workers.keys { kill(pid, SIGHUP) }
        }
        logs.error("notice", "configuration \(configPath) reloaded")
    }

    /// With `user`, the workers reopen their logs as that user: as nginx's
    /// master, this one creates each file first and gives it to the user.
    private func handOverLogFiles() {
        guard case .success(let account?) = Privileges.account(config) else { return }
        for path in StartupFiles.logPaths(config) {
            let fd = Logs.openFile(path)
            guard fd >= 0 else { continue }   // the worker says why
            _ = fchown(fd, account.uid, gid_t.max)
            Socket.close(fd)
        }
    }

    /// Workers that gave up root could not read private keys only root may
    /// read (certbot's privkey.pem): as nginx's reload, new workers start, read
    /// them before giving up root, and the old ones finish their requests.
    private func replaceWorkers() {
        let old = Array(workers.keys)
        let started = old.indices.filter { _ in startWorker() != nil }.count
        guard started > 0 else {
            for pid in old { kill(pid, SIGHUP) }   // none could start: the old ones reload themselves
            return
        }
        for pid in old {
            workers[pid] = nil
            retiring.insert(pid)
            kill(pid, SIGQUIT)
        }
    }

    private func stopWorkers(_ signal: Int32) {
        stopping = true
        for pid in Array(workers.keys) + retiring { kill(pid, signal) }
    }

    /// A worker that died while serving is replaced; one that dies within a
    /// second of its start is not (it would only die again).
    private func reapWorkers() {
        for (pid, status) in ChildProcess.reapExitedWithStatus() {
            if retiring.remove(pid) != nil { continue }
            guard let started = workers.removeValue(forKey: pid) else { continue }
            guard !stopping else { continue }
            logs.error("alert", "worker process \(pid) exited (wait status \(status))")
            if Clock.monotonicMilliseconds() - started < 1000 {
                logs.error("alert", "worker process \(pid) died at start; not starting another")
            } else if let replacement = startWorker() {
                logs.error("notice", "started worker process \(replacement)")
            }
        }
    }

    private func startWorker() -> pid_t? {
        // Only what `env` keeps (and TZ), as nginx's workers.
        var environment = Privileges.keptEnvironment(config, from: ProcessInfoLite.environment())
        // The master's pid: the worker checks it is still its parent (see `WorkerWatch`).
        environment[MasterProcess.workerVariable] = String(getpid())
        // The sockets handed down to the master are the workers' to listen on.
        if let sockets = ProcessInfoLite.environment()[InheritedSockets.variable] { environment[InheritedSockets.variable] = sockets }
        // Every worker gets the master's session ticket keys, so a ticket resumes on any of them.
        let ticketKeys = TLSTicketKeys.current.flatMap(WorkerTicketKeys.pipe(holding:))
        defer { if let ticketKeys { Socket.close(ticketKeys) } }
        if let ticketKeys { environment[WorkerTicketKeys.variable] = String(ticketKeys) }
        do {
            let pid = try ChildProcess.spawnWorker(executable: executable, arguments: [configPath], environment: environment)
            workers[pid] = Clock.monotonicMilliseconds()
            return pid
        } catch {
            logs.error("alert", "cannot start a worker process: \(error)")
            return nil
        }
    }

    private func fail(_ problem: String) -> Int32 {
        fputs("webserv: \(problem)\n", stderr)
        return 1
    }
}
