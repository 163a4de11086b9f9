import Foundation
import Glibc

/// A child process started with posix_spawn, for what Foundation's `Process`
/// cannot do: hand sockets down (it closes every descriptor above stderr in
/// the child). The members the tests use are `Process`'s names.
final class SpawnedProcess {
    let processIdentifier: Int32
    /// waitpid's status once the child is reaped.
    private var waitStatus: Int32?

    /// Runs `executable`; `inherited` stay open in the child (their numbers
    /// are the same there), stdout goes to /dev/null, stderr to `errorPath`.
    init(executable: String, arguments: [String], environment: [String: String], inherited: [Int32], errorPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Created close-on-exec like every descriptor of this process: a
        // dup2 in the child, from a copy, leaves the number open across exec.
        var copies: [Int32] = []
        defer { for copy in copies { close(copy) } }
        for fd in inherited {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
            guard copy >= 0 else { throw NSError(domain: "SpawnedProcess", code: Int(errno)) }
            copies.append(copy)
            posix_spawn_file_actions_adddup2(&actions, copy, fd)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw NSError(domain: "SpawnedProcess", code: Int(result), userInfo: [NSLocalizedDescriptionKey: "posix_spawn(\(executable)): \(String(cString: strerror(result)))"])
        }
        processIdentifier = pid
    }

    var isRunning: Bool {
        reap(options: WNOHANG)
        return waitStatus == nil
    }

    func terminate() { kill(processIdentifier, SIGTERM) }

    func waitUntilExit() {
        while waitStatus == nil { reap(options: 0) }
    }

    /// The exit status, or the signal that ended it (as `Process`).
    var terminationStatus: Int32 {
        guard let status = waitStatus else { return -1 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    private func reap(options: Int32) {
        guard waitStatus == nil else { return }
        var status: Int32 = 0
        let result = waitpid(processIdentifier, &status, options)
        if result == processIdentifier {
            waitStatus = status
        } else if result < 0 && errno != EINTR {
            waitStatus = -1   // not our child any more (reaped elsewhere)
        }
    }
}
