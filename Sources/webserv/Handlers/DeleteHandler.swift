import Glibc

/// DELETE inside an upload store: 204 when removed, 404 when absent, 403 for
/// directories and the store itself. The path was normalised, so it cannot
/// leave the store; a symlink is removed itself, never followed.
enum DeleteHandler {
    static func delete(relativePath: String, store: String) -> Response {
        let name = relativePath.drop { $0 == "/" }
        guard !name.isEmpty, !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { return Response(status: 403) }
        let path = store + "/" + name
        var info = stat()
        guard lstat(path, &info) == 0 else { return Response(status: errno == ENOENT || errno == ENOTDIR ? 404 : 403) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { return Response(status: 403) }
        guard unlink(path) == 0 else { return Response(status: errno == EACCES || errno == EPERM ? 403 : 500) }
        return Response(status: 204)
    }
}
