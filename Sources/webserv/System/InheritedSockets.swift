import Glibc
import ConfLang

/// Sockets handed down by the process that started this one, named in the
/// `NGINX` environment variable (`"5;6;"`), as nginx takes its listening
/// sockets over on a binary upgrade. A `listen` address that one of them is
/// bound to uses it instead of binding the address again, so the port is
/// never free in between: the black-box tests start webserv this way, and no
/// other process can take their ports. The socket may be bound only; it is
/// made to listen when an address needs it (a bound socket nobody listens on
/// refuses connections, as a free port would, yet keeps the port).
struct InheritedSockets {
    static let variable = "NGINX"

    private var byAddress: [Values.ListenAddress: Int32] = [:]

    init() {}

    /// The sockets the environment names. `forChildren`: they stay open across
    /// exec (a master's workers take them over); otherwise each is closed on
    /// exec, so that no CGI script holds a port. What cannot be used is a
    /// problem to report, and left alone.
    static func fromEnvironment(forChildren: Bool) -> (sockets: InheritedSockets, problems: [String]) {
        var sockets = InheritedSockets()
        var problems: [String] = []
        guard let value = getenv(variable).map({ String(cString: $0) }) else { return (sockets, problems) }
        for item in value.split(whereSeparator: { $0 == ";" || $0 == ":" }) {
            guard let fd = Int32(item), fd > STDERR_FILENO else {
                problems.append("invalid socket number \"\(item)\" in \(variable) environment variable, ignoring it")
                continue
            }
            if let problem = sockets.add(fd) { problems.append(problem); continue }
            if !forChildren { _ = try? syscallValue("fcntl(F_SETFD)") { fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        }
        return (sockets, problems)
    }

    /// Adds a TCP socket under the address it is bound to; or says why not.
    mutating func add(_ fd: Int32) -> String? {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard (try? syscallValue("getsockopt(SO_TYPE)") { getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) }) != nil,
              type == Int32(SOCK_STREAM.rawValue),
              let bound = try? Socket.localAddress(fd), bound.port > 0 else {
            return "inherited socket #\(fd) is not a bound TCP socket, ignoring it"
        }
        let host = bound.host.contains(":") ? "[\(bound.host)]" : (bound.host == "0.0.0.0" ? "*" : bound.host)
        byAddress[Values.ListenAddress(host: host, port: bound.port)] = fd
        return nil
    }

    func contains(_ address: Values.ListenAddress) -> Bool { byAddress[address] != nil }

    /// The socket bound to `address`, made non-blocking and listening, and
    /// given up by this table (whoever takes it closes it); nil when none is.
    mutating func take(_ address: Values.ListenAddress, backlog: Int32 = 511) throws -> Int32? {
        guard let fd = byAddress[address] else { return nil }
        let flags = try syscallValue("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
        try syscallValue("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        // As on a socket webserv binds: its connections (TIME_WAIT ones too)
        // then do not keep a reload from binding their address again.
        var one: Int32 = 1
        try syscallValue("setsockopt(SO_REUSEADDR)") { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        // listen(2) again on a listening socket only sets its backlog.
        try syscallValue("listen") { Glibc.listen(fd, backlog) }
        byAddress[address] = nil
        return fd
    }
}
