import Glibc

/// The file system as `confcheck --explain` sees it: stat(2), and an open
/// for reading (closed at once) where webserv would open the file, since
/// nothing opens it after the lookup here. Never read.
struct ExplainFileSystem: LookupFileSystem {
    func status(of path: String) -> FileStatus<Void> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failed(errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(())
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    func openFailure(of path: String, info: Void) -> Int32? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        close(fd)
        return nil
    }
}
