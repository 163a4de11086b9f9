import ConfLang
import Glibc

/// Starts serving a checked configuration: one event loop in this process
/// (worker_processes 1, or a worker of a master), or a master process with
/// workers. Writes and removes the `pid` file.
enum Server {
    static func start(config: WebservConfig, configPath: String) -> Int32 {
        if getenv(MasterProcess.workerVariable) != nil { return serve(config, configPath: configPath, isWorker: true) }
        let pidFile = config.pidPath.map(PidFile.init)
        if let problem = pidFile?.write() {
            fputs("webserv: \(problem)\n", stderr)
            return 1
        }
        defer { pidFile?.remove() }
        guard config.workerProcesses > 1 else { return serve(config, configPath: configPath, isWorker: false) }
        do {
            let master = try MasterProcess(config: config, configPath: configPath)
            master.inheritedSockets = inheritedSockets(forChildren: true)
            return master.run()
        } catch {
            fputs("webserv: \(error)\n", stderr)
            return 1
        }
    }

    private static func serve(_ config: WebservConfig, configPath: String, isWorker: Bool) -> Int32 {
        do {
            let loop = try EventLoop(config: config, configPath: configPath, isWorker: isWorker)
            loop.inheritedSockets = inheritedSockets(forChildren: false)
            if let problem = loop.apply(config) {
                fputs("webserv: \(problem)\n", stderr)
                return 1
            }
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
    static func urls(_ addresses: [Values.ListenAddress]) -> [String] {
        addresses.map { "http://\($0.host == "*" ? "localhost" : $0.host):\($0.port)/" }
    }
}
