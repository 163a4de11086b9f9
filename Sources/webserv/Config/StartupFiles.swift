import Glibc
import ConfLang

/// The files a start opens besides its sockets: every log file and the pid
/// file. `-t` opens them too, as `nginx -t` does, so that a configuration
/// that passes `-t` does not then fail to start for want of one.
enum StartupFiles {
    /// The defaults put the logs and the pid file in `logs/` beside the
    /// configuration: that folder (only that one) is created when missing, so
    /// the smallest configuration starts from any folder.
    static func prepare(_ config: WebservConfig) -> String? {
        let folder = config.baseDirectory + "/logs"
        let paths = logPaths(config).union(config.pidPath.map { [$0] } ?? [])
        guard paths.contains(where: { directory(of: $0) == folder }) else { return nil }
        var info = stat()
        guard stat(folder, &info) != 0 else { return nil }
        do {
            try syscallValue("mkdir(\(folder))") { mkdir(folder, 0o755) }
        } catch let error as SystemError where error.errorNumber == EEXIST {
            return nil
        } catch let error as SystemError {
            return "cannot create the folder '\(folder)': \(String(cString: strerror(error.errorNumber)))"
        } catch {
            return "cannot create the folder '\(folder)': \(error)"
        }
        return nil
    }

    /// For `-t`: each log file opened (created when missing, as a start
    /// does), and the pid file opened without being changed, or, when it does
    /// not exist, its folder writable. The first that fails, said as a start would.
    static func check(_ config: WebservConfig) -> String? {
        for path in logPaths(config).sorted() {
            let fd = Logs.openFile(path)
            guard fd >= 0 else { return "cannot open log file '\(path)': \(String(cString: strerror(errno)))" }
            Socket.close(fd)
        }
        guard let pid = config.pidPath else { return nil }
        let fd = open(pid, O_WRONLY | O_CLOEXEC)
        if fd >= 0 { Socket.close(fd); return nil }
        if errno == ENOENT && access(directory(of: pid), W_OK | X_OK) == 0 { return nil }
        return "cannot write pid file '\(pid)': \(String(cString: strerror(errno)))"
    }

    /// Every log path the configuration writes to (as `EventLoop.apply` opens them).
    static func logPaths(_ config: WebservConfig) -> Set<String> {
        var paths: Set<String> = [config.errorLog.path]
        for location in Router(config: config).servers.flatMap(\.everyLocation).map(\.settings) {
            if let path = location.accessLog { paths.insert(path) }
            paths.insert(location.errorLog.path)
        }
        paths.remove("stderr")
        return paths
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
