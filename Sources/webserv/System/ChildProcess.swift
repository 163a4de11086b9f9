import Glibc
import CSystem

/// A child started with posix_spawn (not fork of the whole server), in its
/// own process group, with non-blocking pipes for stdin, stdout and stderr.
struct ChildProcess {
    let pid: pid_t
    /// Parent ends: we write `stdin`, read `stdout` and `stderr`.
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32

    /// What `env` gives every script (set when the server starts): under the
    /// request's own variables, except PATH, which `env PATH=...` may set.
    static var keptEnvironment: [String: String] = [:]

    /// `stdinFile`: a file to read as stdin instead of a pipe (then `stdin` is -1).
    static func spawn(executable: String, arguments: [String], environment: [String: String],
                      workingDirectory: String, stdinFile: Int32? = nil) throws -> ChildProcess {
        var environment = environment
        for (name, value) in keptEnvironment where environment[name] == nil || name == "PATH" { environment[name] = value }
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        try syscallValue("pipe2") { pipe2(&input, O_CLOEXEC) }
        guard (try? syscallValue("pipe2", { pipe2(&output, O_CLOEXEC) })) != nil else {
            input.forEach(Socket.close); throw SystemError(call: "pipe2", errorNumber: errno)
        }
        guard (try? syscallValue("pipe2", { pipe2(&errors, O_CLOEXEC) })) != nil else {
            (input + output).forEach(Socket.close); throw SystemError(call: "pipe2", errorNumber: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinFile ?? input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        posix_spawn_file_actions_addchdir_np(&actions, workingDirectory)

        var pid: pid_t = 0
        let result = ChildProcess.spawn(&pid, executable: executable, arguments: arguments, environment: environment,
                                        actions: &actions, ownProcessGroup: true)
        Socket.close(input[0]); Socket.close(output[1]); Socket.close(errors[1])
        guard result == 0 else {
            Socket.close(input[1]); Socket.close(output[0]); Socket.close(errors[0])
            throw SystemError(call: "posix_spawn(\(executable))", errorNumber: result)
        }
        for fd in [input[1], output[0], errors[0]] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if stdinFile != nil { Socket.close(input[1]) }
        return ChildProcess(pid: pid, stdin: stdinFile == nil ? input[1] : -1, stdout: output[0], stderr: errors[0])
    }

    /// A worker of the server itself: stdin, stdout and stderr shared with
    /// the caller, in the caller's process group (a terminal's Ctrl-C reaches it).
    static func spawnWorker(executable: String, arguments: [String], environment: [String: String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pid: pid_t = 0
        // The server's signals stay blocked until the worker's signalfd takes
        // them: one sent while it starts (a reopen, a reload) waits, and does not kill it.
        let result = spawn(&pid, executable: executable, arguments: arguments, environment: environment,
                           actions: &actions, ownProcessGroup: false, blocked: SignalSource.handled)
        guard result == 0 else { throw SystemError(call: "posix_spawn(\(executable))", errorNumber: result) }
        return pid
    }

    /// posix_spawn with default dispositions and only `blocked` signals
    /// blocked: the server's signal handling (a signalfd) is not the child's.
    private static func spawn(_ pid: inout pid_t, executable: String, arguments: [String], environment: [String: String],
                              actions: inout posix_spawn_file_actions_t, ownProcessGroup: Bool, blocked: [Int32] = []) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in blocked { sigaddset(&mask, signal) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE] + SignalSource.handled { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            // Own process group, so a timeout kills a script's children too.
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    }

    /// Kills the whole process group.
    func kill() { _ = Glibc.kill(-pid, SIGKILL) }

    /// Asks the whole process group to end (SIGTERM): a script may clean up.
    func terminate() { _ = Glibc.kill(-pid, SIGTERM) }

    /// Reaps every child that has exited; returns their pids.
    static func reapExited() -> [pid_t] { reapExitedWithStatus().map(\.pid) }

    /// Reaps every child that has exited, with its wait status.
    static func reapExitedWithStatus() -> [(pid: pid_t, status: Int32)] {
        var reaped: [(pid: pid_t, status: Int32)] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { break }
            reaped.append((pid, status))
        }
        return reaped
    }
}
