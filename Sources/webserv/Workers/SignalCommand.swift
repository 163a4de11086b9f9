import Glibc
import ConfLang

/// `webserv -s SIGNAL CONFIG`, as `nginx -s`: the signal goes to the process
/// whose id the configuration's pid file holds (the master, when there are workers).
enum SignalCommand {
    /// nil when sent; otherwise what went wrong.
    static func send(_ signal: WebservOptions.ControlSignal, config: WebservConfig) -> String? {
        guard let path = config.pidPath else { return "the configuration names no pid file" }
        let bytes: [UInt8]
        switch FileAccess.readFile(path) {
        case .success(let read): bytes = read
        case .failure(let error): return "cannot read pid file '\(path)': \(error.reason)"
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n")
        guard let pid = pid_t(text), pid > 0 else { return "invalid PID number \"\(text)\" in '\(path)'" }
        do {
            try syscallValue("kill(\(pid), \(signal.rawValue))") { kill(pid, signal.number) }
        } catch {
            return "\(error)"
        }
        return nil
    }
}
