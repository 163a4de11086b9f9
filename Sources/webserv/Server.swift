import ConfLang
import Glibc

/// Starts serving a checked configuration: one event loop in this process
/// (worker_processes 1, or a worker of a master), or a master process with
/// workers. Writes and removes the `pid` file.
enum Server {
    static func start(config: WebservConfig, configPath: String) -> Int32 {
        if let master = getenv(MasterProcess.workerVariable) {
            if let masterPid = pid_t(String(cString: master)), !WorkerWatch.followMaster(masterPid) { return 1 }
            return serve(config, configPath: configPath, isWorker: true, pidFile: nil)
        }
        let pidFile = config.pidPath.map(PidFile.init)
        guard config.workerProcesses > 1 else { return serve(config, configPath: configPath, isWorker: false, pidFile: pidFile) }
        do {
            return try MasterProcess(config: config, configPath: configPath, pidFile: pidFile).run()
        } catch {
            fputs("webserv: \(error)\n", stderr)
            return 1
        }
    }

    /// The pid file is written once the addresses are bound, as nginx does: a
    /// start that fails (a port in use by the running instance) leaves that
    /// instance's pid file alone.
    private static func serve(_ config: WebservConfig, configPath: String, isWorker: Bool, pidFile: PidFile?) -> Int32 {
        do {
            let loop = try EventLoop(config: config, configPath: configPath, isWorker: isWorker)
            if let problem = loop.apply(config) {
                fputs("webserv: \(problem)\n", stderr)
                return 1
            }
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

    /// What the start-up line shows for each address (`*` as localhost).
    static func urls(_ addresses: [Values.ListenAddress]) -> [String] {
        addresses.map { "http://\($0.host == "*" ? "localhost" : $0.host):\($0.port)/" }
    }
}
