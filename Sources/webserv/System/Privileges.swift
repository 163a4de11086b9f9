import Glibc
import ConfLang

/// `user`, `worker_rlimit_nofile` and `env`: what a worker becomes once it
/// has bound its addresses and opened its logs (as root, when started so).
enum Privileges {
    struct Account: Equatable {
        let name: String
        let uid: uid_t
        let gid: gid_t
    }

    /// Whether `user` takes effect: only for a server started as root, as in nginx.
    static func switchesUser(_ config: WebservConfig) -> Bool { config.user != nil && geteuid() == 0 }

    /// The account `user` names, or why it cannot be used (nginx's own
    /// messages); nil account without a `user`, or when not started as root.
    static func account(_ config: WebservConfig) -> Result<Account?, PrivilegeError> {
        guard let user = config.user, geteuid() == 0 else { return .success(nil) }
        guard let entry = getpwnam(user.name) else { return .failure(PrivilegeError("getpwnam(\"\(user.name)\") failed: no such user")) }
        guard let group = getgrnam(user.group) else { return .failure(PrivilegeError("getgrnam(\"\(user.group)\") failed: no such group")) }
        return .success(Account(name: user.name, uid: entry.pointee.pw_uid, gid: group.pointee.gr_gid))
    }

    /// Why `user` cannot be used, for `-t` and a start.
    static func problem(_ config: WebservConfig) -> String? {
        if case .failure(let error) = account(config) { return error.description }
        return nil
    }

    /// What a start with `user` while not root should say (nginx warns so too).
    static func warning(_ config: WebservConfig) -> String? {
        guard config.user != nil, geteuid() != 0 else { return nil }
        return "warning: the \"user\" directive has an effect only when webserv is started as root; ignored"
    }

    /// For a worker (or the one serving process), after binding and opening
    /// logs: its open-file limit (raised while still root), then its groups,
    /// group and user. Order matters: once the user changes, none of the rest is allowed.
    static func enter(_ config: WebservConfig) throws {
        if let limit = config.workerRlimitNofile {
            var value = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
            try syscallValue("setrlimit(RLIMIT_NOFILE, \(limit))") { setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &value) }
        }
        switch account(config) {
        case .failure(let error): throw error
        case .success(nil): return
        case .success(let account?):
            try syscallValue("initgroups(\(account.name))") { initgroups(account.name, account.gid) }
            try syscallValue("setgid(\(account.gid))") { setgid(account.gid) }
            try syscallValue("setuid(\(account.uid))") { setuid(account.uid) }
        }
    }

    /// What `env` leaves a worker or a CGI script: TZ (nginx always keeps
    /// it), each `env NAME` from webserv's own environment, each `env NAME=VALUE`.
    static func keptEnvironment(_ config: WebservConfig, from environment: [String: String]) -> [String: String] {
        var kept: [String: String] = [:]
        if let zone = environment["TZ"] { kept["TZ"] = zone }
        for (name, value) in config.environment {
            if let value { kept[name] = value } else if let inherited = environment[name] { kept[name] = inherited }
        }
        return kept
    }
}

struct PrivilegeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
