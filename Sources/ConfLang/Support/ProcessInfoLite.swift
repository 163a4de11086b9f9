import Glibc

/// The environment as a dictionary, without Foundation (confcheck's
/// options, webserv's worker processes).
public enum ProcessInfoLite {
    public static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// Processors online (`worker_processes auto`).
    public static func onlineProcessors() -> Int {
        sysconf(Int32(_SC_NPROCESSORS_ONLN))
    }
}
