import Glibc
import ConfLang

/// `auth_basic_user_file`s, read when first needed and again whenever a
/// stat(2) says the file changed (nginx reads the file on every request;
/// a stat is all a request costs here while it stays the same).
final class UserFiles {
    private struct Entry {
        var identity: FileIdentity
        var file: Htpasswd
    }

    /// What says the file changed: its inode, size and modification and change times.
    private struct FileIdentity: Equatable {
        var device: UInt64, inode: UInt64, size: Int
        var modified: timespec, changed: timespec

        static func == (left: FileIdentity, right: FileIdentity) -> Bool {
            left.device == right.device && left.inode == right.inode && left.size == right.size
                && left.modified.tv_sec == right.modified.tv_sec && left.modified.tv_nsec == right.modified.tv_nsec
                && left.changed.tv_sec == right.changed.tv_sec && left.changed.tv_nsec == right.changed.tv_nsec
        }
    }

    private var entries: [String: Entry] = [:]

    /// The file at `path` as it is now, or why it cannot be read (nginx's
    /// error log wording: `open() "PATH" failed (2: No such file or directory)`).
    func file(at path: String) -> Result<Htpasswd, UserFileError> {
        var info = stat()
        do {
            try syscallValue("stat") { stat(path, &info) }
        } catch {
            let number = (error as? SystemError)?.errorNumber ?? EIO
            entries[path] = nil
            return .failure(UserFileError(message: "open() \"\(path)\" failed (\(number): \(String(cString: strerror(number))))",
                                          isMissing: number == ENOENT))
        }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size),
                                    modified: info.st_mtim, changed: info.st_ctim)
        if let entry = entries[path], entry.identity == identity { return .success(entry.file) }
        switch FileAccess.readFile(path) {
        case .success(let bytes):
            let file = Htpasswd(bytes)
            entries[path] = Entry(identity: identity, file: file)
            return .success(file)
        case .failure(let error):
            entries[path] = nil
            return .failure(UserFileError(message: "open() \"\(path)\" failed (\(error.errorNumber): \(error.reason))",
                                          isMissing: error.isMissing))
        }
    }
}

struct UserFileError: Error, Equatable {
    let message: String
    /// No such file (ENOENT): nginx answers 403 then, 500 for any other failure.
    var isMissing = false
}
