import Glibc

/// A file opened for serving. The descriptor is closed when the last holder
/// (the cache, or a response still being sent) lets go of it, so the cache
/// can drop an entry while a slow client is still receiving that file.
final class OpenFile {
    let fd: Int32
    let identity: FileIdentity
    /// Header values that change only with the file.
    let lastModified: String
    let etag: String
    /// Monotonic seconds of the last request that used it (for `sweep`).
    fileprivate(set) var lastUsed = 0

    init(fd: Int32, identity: FileIdentity) {
        self.fd = fd
        self.identity = identity
        lastModified = identity.lastModified
        etag = identity.etag
    }

    var size: Int { identity.size }
    /// Its bytes compressed at `level`, while it is kept (`FileGzipCopies`).
    var gzipCopy: (level: Int, bytes: [UInt8])?

    deinit {
        if let copy = gzipCopy { FileGzipCopies.released(copy.bytes.count) }
        Socket.close(fd)
    }
}

/// One version of a file as a response describes it (`OpenFile`, `CachedFile`).
protocol FileVersion: AnyObject {
    var identity: FileIdentity { get }
    var size: Int { get }
    var lastModified: String { get }
    var etag: String { get }
}

extension OpenFile: FileVersion {}

/// What stat(2) says about a file, as far as serving it is concerned: the
/// same identity means the same bytes (device, inode, size, mtime and ctime
/// to the nanosecond).
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
    var changedSeconds: Int
    var changedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        changedSeconds = Int(info.st_ctim.tv_sec)
        changedNanoseconds = Int(info.st_ctim.tv_nsec)
    }

    /// The header values of this version, as nginx makes them: `Last-Modified`
    /// from the mtime, `ETag` from the mtime's seconds and the size in hex.
    var lastModified: String { HTTPDate.format(modifiedSeconds) }
    var etag: String { "\"\(String(modifiedSeconds, radix: 16))-\(String(size, radix: 16))\"" }
}

/// Descriptors of recently served files, by path. Every use is checked
/// against the stat(2) the request has just made of that path: a file that
/// changed, was replaced or removed is opened anew, so answers are those of a
/// server without the cache. What it saves is open, close and the header
/// formatting per request (nginx's open_file_cache, kept valid by that stat).
/// At most `capacity` descriptors stay open, none unused for longer than
/// `inactiveSeconds` (a removed file's space is not held for long).
final class OpenFileCache {
    let capacity: Int
    let inactiveSeconds: Int
    private var entries: [String: OpenFile] = [:]
    private var now = 0

    init(capacity: Int = 128, inactiveSeconds: Int = 10) {
        self.capacity = capacity
        self.inactiveSeconds = inactiveSeconds
    }

    var count: Int { entries.count }

    /// The open file at `path`, whose stat(2) is `info`; an errno when it cannot be opened.
    func file(at path: String, info: stat) -> Result<OpenFile, OpenFailure> {
        file(at: path, identity: FileIdentity(info))
    }

    /// The same, from the identity of that stat(2).
    func file(at path: String, identity: FileIdentity) -> Result<OpenFile, OpenFailure> {
        if let cached = entries[path], cached.identity == identity {
            cached.lastUsed = now
            return .success(cached)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            entries[path] = nil
            return .failure(OpenFailure(errorNumber: errno))
        }
        let file = OpenFile(fd: fd, identity: identity)
        file.lastUsed = now
        if entries[path] == nil && entries.count >= capacity {
            // Full: drop one entry (hash order is as good as any here).
            entries.remove(at: entries.startIndex)
        }
        entries[path] = file
        return .success(file)
    }

    /// The path is gone or unreadable: let go of its descriptor now.
    func forget(_ path: String) { entries[path] = nil }

    /// Called about once a second: closes what has not been used for `inactiveSeconds`.
    func sweep(nowSeconds: Int) {
        now = nowSeconds
        guard !entries.isEmpty else { return }
        entries = entries.filter { nowSeconds - $0.value.lastUsed < inactiveSeconds }
    }

    /// Lets go of every descriptor (short of descriptors).
    func removeAll() { entries.removeAll() }

    struct OpenFailure: Error {
        let errorNumber: Int32
    }
}
