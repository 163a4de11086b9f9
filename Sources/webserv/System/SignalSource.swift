import Glibc
import CSystem

/// Signals delivered as readable data on a signalfd, so the event loop
/// handles them like any other event (no work inside a signal handler).
final class SignalSource {
    let fd: Int32
    /// SIGUSR1 and SIGUSR2 too: left at their default, either would end the process.
    static let handled = [SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2]

    init() throws {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in SignalSource.handled { sigaddset(&mask, signal) }
        try syscallValue("sigprocmask") { sigprocmask(SIG_BLOCK, &mask, nil) }
        signal(SIGPIPE, SIG_IGN)
        fd = try syscallValue("signalfd") { signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC)) }
    }

    deinit { Socket.close(fd) }

    /// The signals that arrived since the last call.
    func drain() -> [Int32] {
        var received: [Int32] = []
        var info = signalfd_siginfo()
        while true {
            let count = withUnsafeMutableBytes(of: &info) { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count == MemoryLayout<signalfd_siginfo>.size else { break }
            received.append(Int32(info.ssi_signo))
        }
        return received
    }
}
