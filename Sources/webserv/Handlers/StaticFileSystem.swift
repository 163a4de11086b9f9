import Glibc
import ConfLang

/// The file system as StaticFileHandler's lookup sees it: a fresh entry of
/// the small-file cache stands for a stat(2) of its path (so a cached index
/// file costs no system call), anything else is stat'ed.
struct StaticFileSystem: LookupFileSystem {
    /// A regular file found: in memory, or on disk with what its stat says
    /// (not the whole stat: the lookup's answer is copied on its way out).
    enum Found {
        case cached(CachedFile)
        case onDisk(FileIdentity)
    }

    let smallFiles: SmallFileCache?

    func status(of path: String) -> FileStatus<Found> {
        if let cached = smallFiles?.lookup(path) { return .regular(.cached(cached)) }
        var info = stat()
        guard stat(path, &info) == 0 else { return .failed(errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(.onDisk(FileIdentity(info)))
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The handler opens the file next (SmallFileCache, OpenFileCache) and
    /// maps a failure through `Router.Route.status(forFileError:)`: no second open here.
    func openFailure(of path: String, info: Found) -> Int32? { nil }
}
