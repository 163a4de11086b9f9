import Glibc

/// realpath(3): a path with its symbolic links and dot segments resolved
/// (nginx's `$realpath_root`); nil when some part does not exist.
enum RealPath {
    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
