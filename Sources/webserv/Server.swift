import ConfLang
import Glibc

/// Starts serving a checked configuration: one event loop in this process
/// (worker_processes 1, or a worker of a master), or a master process with
/// workers. Writes and removes the `pid` file.
enum Server {
    static func start(config: WebservConfig, configPath: String) -> Int32 {
        if let master = getenv(MasterProcess.workerVariable) {
            return serve(config, configPath: configPath, isWorker: true, pidFile: nil, masterPid: pid_t(String(cString: master)))
        }
        let pidFile = config.pidPath.map(PidFile.init)
        // With `user`, as nginx: a master that stays root (pid file, logs) and workers that do not.
        guard config.workerProcesses > 1 || Privileges.switchesUser(config) else {
            return serve(config, configPath: configPath, isWorker: false, pidFile: pidFile, masterPid: nil)
        }
        do {
            let master = try MasterProcess(config: config, configPath: configPath, pidFile: pidFile)
            master.inheritedSockets = inheritedSockets(forChildren: true)
            return master.run()
        } catch {
            fputs("webserv: \(error)\n", stderr)
            return 1
        }
    }

    /// The pid file is written once the addresses are bound, as nginx does: a
    /// start that fails (a port in use by the running instance) leaves that
    /// instance's pid file alone.
    /// A worker takes on `user`, `worker_rlimit_nofile` and `env` once its
    /// addresses are bound and its logs open, then follows its master.
    private static func serve(_ config: WebservConfig, configPath: String, isWorker: Bool, pidFile: PidFile?, masterPid: pid_t?) -> Int32 {
        do {
            let loop = try EventLoop(config: config, configPath: configPath, isWorker: isWorker)
            loop.inheritedSockets = inheritedSockets(forChildren: false)
            if let problem = loop.apply(config) {
                fputs("webserv: \(problem)\n", stderr)
                return 1
            }
            ChildProcess.keptEnvironment = Privileges.keptEnvironment(config, from: ProcessInfoLite.environment())
            try Privileges.enter(config)
            if let masterPid, !WorkerWatch.followMaster(masterPid) { return 1 }
            if let problem = pidFile?.write() {
                fputs("webserv: \(problem)\n", stderr)
                return 1
            }
            defer { pidFile?.remove() }
            return loop.run()
        } catch {
            fputs("webserv: \(error)\n", stderr)
            return 1
        }
    }

    private static func inheritedSockets(forChildren: Bool) -> InheritedSockets {
        let (sockets, problems) = InheritedSockets.fromEnvironment(forChildren: forChildren)
        for problem in problems { fputs("webserv: \(problem)\n", stderr) }
        return sockets
    }

    /// What the start-up line shows for each address (`*` as localhost).
    static func urls(_ addresses: [Values.ListenAddress], tls: Set<Values.ListenAddress> = []) -> [String] {
        addresses.map { "\(tls.contains($0) ? "https" : "http")://\($0.host == "*" ? "localhost" : $0.host):\($0.port)/" }
    }
}
