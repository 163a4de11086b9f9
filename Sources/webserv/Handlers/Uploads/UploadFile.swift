import Glibc
import CSystem

/// A file being received: written to a temporary name in the destination
/// directory, renamed into place only when complete, removed otherwise, so
/// an aborted upload never leaves a partial file behind.
final class UploadFile {
    enum Failure: Error { case status(Int) }

    private(set) var fd: Int32
    let temporaryPath: String
    private(set) var written = 0

    init(directory: String) throws {
        var template = Array((directory + "/.webserv-upload-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkostemp(base, O_CLOEXEC)
        }
        guard fd >= 0 else { throw Failure.status(UploadFile.status(for: errno)) }
        self.fd = fd
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        fchmod(fd, 0o644)
    }

    func write(_ bytes: ArraySlice<UInt8>) throws {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure.status(UploadFile.status(for: errno))
            }
            offset += count
            written += count
        }
    }

    /// Moves the complete file to `path`; returns whether it replaced a file.
    func commit(to path: String) throws -> Bool {
        var info = stat()
        let existed = lstat(path, &info) == 0
        if existed && (info.st_mode & S_IFMT) == S_IFDIR { abort(); throw Failure.status(409) }
        guard close(fd) == 0 else { fd = -1; abort(); throw Failure.status(UploadFile.status(for: errno)) }
        fd = -1
        guard rename(temporaryPath, path) == 0 else {
            let error = errno
            abort()
            throw Failure.status(UploadFile.status(for: error))
        }
        return existed
    }

    /// Refuses (414) a file name longer than `directory`'s file system takes,
    /// before any body is read; the rename would fail only at the end.
    static func checkNameLength(_ name: Substring, in directory: String) throws {
        let limit = pathconf(directory, Int32(_PC_NAME_MAX))
        if name.utf8.count > (limit > 0 ? limit : 255) { throw Failure.status(414) }
    }

    /// Removes the name at once (a spool file nobody else should see).
    func unlinkName() { unlink(temporaryPath) }

    /// The descriptor, positioned at the start, for reading back.
    func rewound() -> Int32 {
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
    }

    static func status(for error: Int32) -> Int {
        switch error {
        case ENOSPC, EDQUOT: return 507
        case EACCES, EPERM, EROFS: return 403
        case ENOENT, ENOTDIR: return 409
        // A name the file system refuses is the client's: too long (414, as
        // for a URI the server cannot take), or bytes it cannot store.
        case ENAMETOOLONG: return 414
        case EILSEQ: return 400
        default: return 500
        }
    }
}
