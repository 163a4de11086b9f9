import Glibc
import ConfLang

/// The `pid` directive's file: the serving process's id, for
/// `kill -HUP $(cat webserv.pid)`; removed when the server stops.
struct PidFile {
    let path: String

    /// Writes the current pid; the error says why it could not.
    func write() -> String? {
        if let problem = FileAccess.writeFileAtomically(path, Array("\(getpid())\n".utf8)) {
            return "cannot write pid file '\(path)': \(problem.reason)"
        }
        return nil
    }

    /// Removes the file if it still names this process (a newer server may own it).
    func remove() {
        guard case .success(let bytes) = FileAccess.readFile(path),
              Int32(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n")) == getpid() else { return }
        unlink(path)
    }
}
