import Glibc
import CSystem

/// A worker must not outlive its master: it would keep serving the ports,
/// and the next start would fail with EADDRINUSE. The kernel sends it
/// SIGQUIT when its parent dies (PR_SET_PDEATHSIG): it finishes its
/// requests and exits.
enum WorkerWatch {
    private static let setParentDeathSignal: Int32 = 1   // PR_SET_PDEATHSIG, <sys/prctl.h>

    /// Whether the master (`masterPid`) is still this process's parent. It may
    /// have died before the signal was asked for, so the parent is read after.
    /// Called after any change of user: a change of credentials clears the setting.
    static func followMaster(_ masterPid: pid_t) -> Bool {
        _ = try? syscallValue("prctl(PR_SET_PDEATHSIG)") { prctl(setParentDeathSignal, UInt(SIGQUIT), 0, 0, 0) }
        return getppid() == masterPid
    }
}
