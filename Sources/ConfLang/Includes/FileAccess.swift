
import Glibc




/// Reading configuration files and expanding include globs. Errors keep the
/// errno so each output format can word them its own way.
public enum FileAccess {
    /// The largest configuration file read (grammar.md states it): a file
    /// that large is a mistake, and the bound keeps memory bounded.
    public static let maxConfigurationSize = 64 << 20

    public struct ReadError: Error, Equatable {
        public enum Refusal: Equatable {
            /// A FIFO, device or socket: reading one could block forever or never end.
            case notRegularFile(kind: String)
            case tooLarge
        }

        public let path: String
        public let errorNumber: Int32
        public var refusal: Refusal?

        public init(path: String, errorNumber: Int32, refusal: Refusal? = nil) {
            self.path = path
            self.errorNumber = errorNumber
            self.refusal = refusal
        }

        public var reason: String {
            switch refusal {
            case .notRegularFile(let kind)?: return "it is \(kind), not a regular file"
            case .tooLarge?: return "it is larger than \(maxConfigurationSize >> 20) MiB, the limit for a configuration file"
            case nil: return String(cString: strerror(errorNumber))
            }
        }
        public var isMissing: Bool { errorNumber == ENOENT }
        public var isDirectory: Bool { errorNumber == EISDIR }
    }

    /// Reads a regular file of at most `maxConfigurationSize` bytes. It is
    /// opened non-blocking and checked with fstat before any read, so a FIFO
    /// (which would block) or a device such as /dev/zero (which never ends)
    /// is refused at once instead of hanging or exhausting memory.
    public static func readFile(_ path: String) -> Result<[UInt8], ReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(ReadError(path: path, errorNumber: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(ReadError(path: path, errorNumber: errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(ReadError(path: path, errorNumber: EISDIR))
        case let type:
            return .failure(ReadError(path: path, errorNumber: EINVAL, refusal: .notRegularFile(kind: describe(fileType: type))))
        }
        guard Int(info.st_size) <= maxConfigurationSize else {
            return .failure(ReadError(path: path, errorNumber: EFBIG, refusal: .tooLarge))
        }
        var result: [UInt8] = []
        result.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ReadError(path: path, errorNumber: errno))
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
            // A file that grows while it is read is bounded all the same.
            if result.count > maxConfigurationSize {
                return .failure(ReadError(path: path, errorNumber: EFBIG, refusal: .tooLarge))
            }
        }
        return .success(result)
    }

    private static func describe(fileType: mode_t) -> String {
        switch fileType {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// Standard input, up to one byte past `maxConfigurationSize` (so the
    /// caller can tell a too-large input from one exactly at the limit).
    public static func readStandardInput() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count <= maxConfigurationSize {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    public static func hasGlobMagic(_ pattern: String) -> Bool {
        pattern.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// Paths matching a glob, sorted bytewise (as crossplane and nginx do);
    /// no match is an empty list, not an error.
    public static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// `os.path.join(dirname(base), relative)`: the includer's directory.
    public static func join(directoryOf base: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        guard let slash = base.lastIndex(of: "/") else { return relative }
        let directory = String(base[...slash])
        return directory + relative
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(cString: buffer)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Every `*.conf` file under a directory, recursively, sorted.
    public static func configurationFiles(under directory: String) -> [String] {
        var found: [String] = []
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if isDirectory(path) { found += configurationFiles(under: path) }
            else if name.hasSuffix(".conf") { found.append(path) }
        }
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Replaces a file's content through a temporary file and rename, so an
    /// interrupted write never leaves half a configuration behind.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8]) -> WriteError? {
        let temporary = path + ".confcheck-tmp"
        var mode: mode_t = 0o644
        var info = stat()
        if stat(path, &info) == 0 { mode = info.st_mode & 0o7777 }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { return WriteError(path: path, errorNumber: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let failure = errno
                close(fd); unlink(temporary)
                return WriteError(path: path, errorNumber: failure)
            }
            written += count
        }
        guard close(fd) == 0, rename(temporary, path) == 0 else {
            let failure = errno
            unlink(temporary)
            return WriteError(path: path, errorNumber: failure)
        }
        return nil
    }

    public struct WriteError: Error {
        public let path: String
        public let errorNumber: Int32
        public var reason: String { String(cString: strerror(errorNumber)) }
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// Identity of a file on disk, so `a/../b.conf` and `b.conf` are one file
    /// when detecting include cycles.
    public static func identity(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return path }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
