import Glibc
import ConfLang

/// One version of a small file, in memory, with the header values that go
/// with it (the same `ETag` and `Last-Modified` as `OpenFile`'s).
final class CachedFile: FileVersion {
    /// The path it was looked up by (the cache's key).
    let path: String
    let bytes: [UInt8]
    let identity: FileIdentity
    let lastModified: String
    let etag: String
    /// How a lookup knows it is still this version.
    let validation: SmallFileCache.Validation
    fileprivate let dependencies: [SmallFileCache.Dependency]
    /// The cache's use counter at its last lookup (least recent goes first).
    fileprivate var lastUse: UInt64 = 0
    /// The header lines of a whole-file 200 for this version, made once for
    /// the location whose settings they were made with (StaticFileHandler).
    /// `addedHeaders`: the lines begin with the location's add_header lines.
    var preparedHead: (location: ResolvedLocation, lines: [UInt8], addedHeaders: Bool)?
    /// The same for its gzip answer (`GzipFilter`); nil lines: that location does not compress it.
    var gzipHead: (location: ResolvedLocation, lines: [UInt8]?)?
    /// Its bytes compressed at `level`, made once per version and level (not per request).
    private var gzipCopy: (level: Int, bytes: [UInt8])?

    func gzipped(level: Int) -> [UInt8]? {
        if let copy = gzipCopy, copy.level == level { return copy.bytes }
        guard let bytes = GzipStream.compressed(self.bytes[...], level: level) else { return nil }
        gzipCopy = (level, bytes)
        // The copy counts against the cache's budget, as the plain bytes do.
        if isKept { owner?.costChanged(self) }
        return bytes
    }
    /// The cache that keeps it (for the copy's cost), and the cost it counted.
    /// Read only while `isKept` (the cache holds the entry, so it is alive).
    /// Not `weak`: a weak reference gives the cache a side table, and then
    /// every retain and release of the cache, several per request, took
    /// the runtime's slow path (about 250 instructions per request).
    fileprivate unowned(unsafe) var owner: SmallFileCache?
    fileprivate var countedCost = 0
    /// In the cache's table (a lookup that found it before a drain checks this after).
    fileprivate var isKept = false
    /// The requests that name it in the cache's second table (`remember`).
    fileprivate var requestKeys: [SmallFileCache.RequestKey] = []

    var size: Int { bytes.count }

    fileprivate init(path: String, bytes: [UInt8], identity: FileIdentity, validation: SmallFileCache.Validation,
                     dependencies: [SmallFileCache.Dependency]) {
        self.path = path
        self.bytes = bytes
        self.identity = identity
        lastModified = identity.lastModified
        etag = identity.etag
        self.validation = validation
        self.dependencies = dependencies
    }

    /// What it counts against the budget: its bytes, its key and about what the objects take.
    fileprivate var cost: Int { bytes.count + path.utf8.count + 256 + (gzipCopy?.bytes.count ?? 0) }
}

/// The bytes of small files (at most `maxFileSize`), within a memory `budget`
/// (least recently used out first), so that a hit answers from memory with no
/// system call. Never stale: each entry is either
///
/// - `.events`: invalidated by inotify. Its file and every directory the
///   path's resolution looks a name up in (from `/`, through symlinks) are
///   watched, each watch added before the name in it is looked up, and the
///   bytes read after that, so any later change (write, truncate, chmod,
///   rename or removal of the file, of a directory on the way or of a
///   symlink) queues an event that drops it; IN_Q_OVERFLOW drops everything.
/// - `.stat`: where inotify cannot watch (no inotify, ENOSPC, a directory it
///   may not read, a network file system), a stat(2) on each lookup compares
///   device, inode, size, mtime and ctime to the nanosecond, as the open-file
///   cache does. A file changed less than `racyMargin` before it was read
///   could change again within the same timestamp and is not kept.
///
/// When events must be read. The kernel queues an event during the system
/// call that makes the change, so the change a client saw finish before it
/// sent a request is in the queue before those request bytes arrive. A lookup
/// is therefore fresh if the queue was read after the read(2) that brought
/// the request in. Reading it when epoll reports it, even before serving the
/// rest of that batch, is not enough: a read may return bytes that arrived
/// after epoll_wait returned (a pipelined request, an opportunistic read
/// after a write). So `lookup` reads the queue itself (one non-blocking
/// read, EAGAIN when empty) before it answers with an `.events` entry: on
/// every such lookup (`.everyLookup`, the default), or, when the loop calls
/// `clientBytesArrived()` after every read(2) from a client that returns
/// bytes, only on the first lookup after one (`.afterClientReads`). A loop
/// that reads every ready socket of a batch first and then calls
/// `drainEvents()` once before parsing them pays one read(2) per batch.
///
/// Not seen by inotify, so not seen here: writes through a shared mmap, a
/// change made on another machine to a network file system (those use
/// `.stat`), and a mount or unmount over a directory on the way (only the
/// unmount of a watched file system is reported); `removeAll()` on reload.
final class SmallFileCache {
    enum Validation { case events, stat }

    enum DrainPolicy {
        /// Every lookup that finds an `.events` entry reads the queue first.
        case everyLookup
        /// Only the first such lookup after `clientBytesArrived()`.
        case afterClientReads
    }

    struct Statistics: Equatable {
        var hits = 0, misses = 0, stores = 0
        /// Entries dropped because their file (or a directory on the way) changed.
        var invalidations = 0
        /// Entries dropped for the budget.
        var evictions = 0
        var overflows = 0
    }

    /// A request that found an entry: the location that answered it and its
    /// path, which together give the file's path. A repeated request finds the
    /// entry by this without making that path (`remember`, `lookup(_:)`).
    struct RequestKey: Hashable {
        /// Held, not only its address: a location freed by a reload could
        /// otherwise be replaced by another at the same address.
        let location: ResolvedLocation
        let path: String

        static func == (left: RequestKey, right: RequestKey) -> Bool {
            left.location === right.location && left.path == right.path
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(ObjectIdentifier(location))
            hasher.combine(path)
        }
    }

    fileprivate struct Dependency: Hashable {
        let watch: Int32
        /// The entry of a watched directory that was looked up; "" for the watched object itself.
        let name: String
    }

    /// One inotify watch and the entries that depend on it, by name.
    private final class Watch {
        var byName: [String: Set<String>] = [:]
        var dependents = 0
    }

    // A file's own watch sees every write however it is reached (hard
    // links); its directories' watches see the names and permissions on the
    // way. Directories are not watched for IN_MODIFY: the file's own watch
    // sees its writes, and the loop is not woken by every write of a sibling (a log).
    static let fileMask = UInt32(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF) | UInt32(IN_DONT_FOLLOW)
    static let directoryMask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
        | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW)

    let maxFileSize: Int
    let budget: Int
    let racyMarginNanoseconds: Int
    var drainPolicy = DrainPolicy.everyLookup
    private(set) var statistics = Statistics()
    private(set) var storedBytes = 0

    private let watcher: FileWatcher?
    /// Reading events failed: nothing relies on them any more.
    private var watcherBroken = false
    private var entries: [String: CachedFile] = [:]
    /// Kept entries by the requests that found them; an entry's keys leave with it.
    private var byRequest: [RequestKey: CachedFile] = [:]
    private var watches: [Int32: Watch] = [:]
    private var useCounter: UInt64 = 0
    private var clientBytesSinceDrain = true
    private var fileSystems: [UInt64: FileSystemKind] = [:]

    /// `watcher` nil (or failing): every entry is validated by stat.
    init(maxFileSize: Int = 64 * 1024, budget: Int = 16 * 1024 * 1024, watcher: FileWatcher? = try? Inotify(),
         racyMarginNanoseconds: Int = 2_000_000_000) {
        self.maxFileSize = maxFileSize
        self.budget = budget
        self.watcher = watcher
        self.racyMarginNanoseconds = racyMarginNanoseconds
    }

    deinit {
        for watch in watches.keys { watcher?.removeWatch(watch) }
    }

    /// The inotify descriptor, for the loop's epoll set: call `drainEvents()`
    /// when it is readable (that keeps the queue short and frees memory soon;
    /// freshness does not depend on it). nil: no inotify, entries use stat.
    var descriptor: Int32? { watcherBroken ? nil : watcher?.descriptor }

    var count: Int { entries.count }
    var watchCount: Int { watches.count }

    /// Call after every read(2) from a client socket that returned bytes
    /// (with `.afterClientReads`): the next lookup reads the queue first.
    @inline(__always)
    func clientBytesArrived() { clientBytesSinceDrain = true }

    /// The current version of the file at `path`, or nil (not cached, or it changed).
    func lookup(_ path: String) -> CachedFile? {
        guard let entry = entries[path] else {
            statistics.misses += 1
            return nil
        }
        return validated(entry)
    }

    /// The entry a request found before (`remember`), if it is still the
    /// current version; nil is not a miss: the caller looks up the path next.
    func lookup(_ key: RequestKey) -> CachedFile? {
        guard let entry = byRequest[key] else { return nil }
        return validated(entry)
    }

    /// Lets `lookup(key)` find a kept entry: the caller found it at the path
    /// that `key`'s location maps `key`'s path to.
    func remember(_ entry: CachedFile, for key: RequestKey) {
        guard entry.isKept, byRequest[key] == nil else { return }
        byRequest[key] = entry
        entry.requestKeys.append(key)
    }

    private func validated(_ entry: CachedFile) -> CachedFile? {
        switch entry.validation {
        case .events:
            if drainPolicy == .everyLookup || clientBytesSinceDrain {
                drainEvents()
                guard entry.isKept else {
                    statistics.misses += 1
                    return nil
                }
            }
        case .stat:
            var info = stat()
            guard stat(entry.path, &info) == 0, FileIdentity(info) == entry.identity else {
                invalidate(entry.path)
                statistics.misses += 1
                return nil
            }
        }
        useCounter += 1
        entry.lastUse = useCounter
        statistics.hits += 1
        return entry
    }

    /// Reads every queued event and drops what they concern.
    func drainEvents() {
        clientBytesSinceDrain = false
        // Read even when nothing is cached: a level-triggered epoll keeps reporting a non-empty queue.
        guard let watcher, !watcherBroken else { return }
        let events: [Inotify.Event]
        do {
            events = try watcher.readEvents()
        } catch {
            // Cannot happen on a working inotify descriptor; if it does, trust nothing it said.
            watcherBroken = true
            dropEverything()
            return
        }
        for event in events { apply(event) }
    }

    /// Reads the regular file at `path` (absolute, at most `maxFileSize`
    /// bytes) and keeps it; nil when it cannot be read whole (the caller then
    /// serves it as before). The entry returned may not be kept (too recent
    /// for `.stat`, bigger than the budget): it is still the file as read now.
    @discardableResult
    func store(_ path: String) -> CachedFile? {
        guard path.hasPrefix("/") else { return nil }
        remove(path)
        var dependencies: Set<Dependency> = []
        var created: [Int32] = []
        defer { releaseUnused(created) }
        var walked: stat?
        if let watcher, !watcherBroken, let file = resolve(path, watcher: watcher, into: &dependencies, created: &created),
           let watch = addWatch(file.path, mask: SmallFileCache.fileMask, watcher: watcher, created: &created) {
            dependencies.insert(Dependency(watch: watch, name: ""))
            walked = file.info
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)   // O_NONBLOCK: a FIFO put there meanwhile must not block the loop
        guard fd >= 0 else { return nil }
        defer { Socket.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= maxFileSize else { return nil }
        var validation = Validation.stat
        switch fileSystemKind(device: UInt64(info.st_dev)) {
        case .pseudo: return nil
        case .remote: break
        case .local:
            // The file opened must be the one whose path was watched (else it changed meanwhile).
            if let walked, walked.st_dev == info.st_dev, walked.st_ino == info.st_ino { validation = .events }
        }
        let size = Int(info.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let count = pread(fd, buffer.baseAddress! + initialized, size - initialized, off_t(initialized))
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                initialized += count
            }
            complete = initialized == size
        }
        guard complete else { return nil }   // it shrank while being read
        let identity = FileIdentity(info)
        let entry = CachedFile(path: path, bytes: bytes, identity: identity, validation: validation,
                               dependencies: validation == .events ? Array(dependencies) : [])
        statistics.stores += 1
        if validation == .stat && isRacy(identity) { return entry }
        guard entry.cost <= budget else { return entry }
        insert(entry)
        return entry
    }

    /// Drops everything (reload, short of memory).
    func removeAll() { dropEverything() }

    // MARK: - Entries

    private func insert(_ entry: CachedFile) {
        entries[entry.path] = entry
        entry.isKept = true
        entry.owner = self
        entry.countedCost = entry.cost
        storedBytes += entry.countedCost
        useCounter += 1
        entry.lastUse = useCounter
        for dependency in entry.dependencies {
            guard let watch = watches[dependency.watch] else { continue }
            watch.byName[dependency.name, default: []].insert(entry.path)
            watch.dependents += 1
        }
        if storedBytes > budget { evict(keeping: entry) }
    }

    /// A kept entry's cost changed (gzip's copy made): counted, and the budget kept.
    fileprivate func costChanged(_ entry: CachedFile) {
        storedBytes += entry.cost - entry.countedCost
        entry.countedCost = entry.cost
        if storedBytes > budget { evict(keeping: entry) }
    }

    /// Least recently used out until an eighth of the budget is free, so
    /// that the sort is paid once for many stores.
    private func evict(keeping newest: CachedFile) {
        let target = budget - budget / 8
        for entry in entries.values.sorted(by: { $0.lastUse < $1.lastUse }) where storedBytes > target && entry !== newest {
            remove(entry.path)
            statistics.evictions += 1
        }
    }

    private func invalidate(_ path: String) {
        if remove(path) { statistics.invalidations += 1 }
    }

    @discardableResult
    private func remove(_ path: String) -> Bool {
        guard let entry = entries.removeValue(forKey: path) else { return false }
        entry.isKept = false
        for key in entry.requestKeys { byRequest[key] = nil }
        entry.requestKeys = []
        storedBytes -= entry.countedCost
        for dependency in entry.dependencies {
            guard let watch = watches[dependency.watch] else { continue }
            if watch.byName[dependency.name]?.remove(path) != nil, watch.byName[dependency.name]?.isEmpty == true {
                watch.byName[dependency.name] = nil
            }
            watch.dependents -= 1
            if watch.dependents <= 0 {
                watcher?.removeWatch(dependency.watch)
                watches[dependency.watch] = nil
            }
        }
        return true
    }

    private func dropEverything() {
        for watch in watches.keys { watcher?.removeWatch(watch) }
        watches.removeAll()
        statistics.invalidations += entries.count
        for entry in entries.values {
            entry.isKept = false
            entry.requestKeys = []
        }
        entries.removeAll()
        byRequest.removeAll()
        storedBytes = 0
    }

    /// Looked up once per device.
    private func fileSystemKind(device: UInt64) -> FileSystemKind {
        if let known = fileSystems[device] { return known }
        let kind = FileSystemKind.of(device: device)
        fileSystems[device] = kind
        return kind
    }

    private func isRacy(_ identity: FileIdentity) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let changed = identity.changedSeconds * 1_000_000_000 + identity.changedNanoseconds
        return changed + racyMarginNanoseconds > Int(now.tv_sec) * 1_000_000_000 + Int(now.tv_nsec)
    }

    // MARK: - Events and watches

    private func apply(_ event: Inotify.Event) {
        if event.has(IN_Q_OVERFLOW) {
            // Events were lost: anything may have changed.
            statistics.overflows += 1
            dropEverything()
            return
        }
        guard let watch = watches[event.watch] else { return }
        // A name: that entry of the directory. None: the watched object itself
        // (changed, moved, deleted, unmounted, or its watch gone), so all that rely on it.
        let paths = event.name.map { Array(watch.byName[$0] ?? []) } ?? watch.byName.values.flatMap { $0 }
        for path in paths { invalidate(path) }
        if event.has(IN_IGNORED) { watches[event.watch] = nil }
    }

    private func addWatch(_ path: String, mask: UInt32, watcher: FileWatcher, created: inout [Int32]) -> Int32? {
        guard let watch = try? watcher.addWatch(path, mask: mask) else { return nil }
        if watches[watch] == nil {
            watches[watch] = Watch()
            created.append(watch)
        }
        return watch
    }

    /// Watches this store added that no entry came to need.
    private func releaseUnused(_ created: [Int32]) {
        for watch in created where watches[watch]?.dependents == 0 {
            watcher?.removeWatch(watch)
            watches[watch] = nil
        }
    }

    /// Walks `path` as the kernel's path lookup does, from `/`, following
    /// symlinks (at most 40, as the kernel), watching each directory before
    /// looking a name up in it and recording (directory, name) as a
    /// dependency. Returns the physical path and lstat of the regular file it
    /// ends at; nil for anything else or when a watch cannot be added.
    private func resolve(_ path: String, watcher: FileWatcher, into dependencies: inout Set<Dependency>,
                         created: inout [Int32]) -> (path: String, info: stat)? {
        var pending = Array(path.split(separator: "/", omittingEmptySubsequences: false).reversed())
        var current = "/"
        var links = 0
        while let component = pending.popLast() {
            if component.isEmpty || component == "." { continue }
            guard let directory = addWatch(current, mask: SmallFileCache.directoryMask, watcher: watcher, created: &created) else { return nil }
            if component == ".." {
                // The parent of a physical directory changes only if the directory moves (its own event).
                dependencies.insert(Dependency(watch: directory, name: ""))
                if let slash = current.utf8.lastIndex(of: UInt8(ascii: "/")), current != "/" {
                    current = slash == current.utf8.startIndex ? "/" : String(current[..<slash])
                }
                continue
            }
            let name = String(component)
            dependencies.insert(Dependency(watch: directory, name: name))
            let candidate = current == "/" ? "/" + name : current + "/" + name
            var info = stat()
            guard lstat(candidate, &info) == 0 else { return nil }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                current = candidate
            case S_IFLNK:
                links += 1
                guard links <= 40, let target = SmallFileCache.readLink(candidate) else { return nil }
                if target.hasPrefix("/") { current = "/" }
                pending.append(contentsOf: target.split(separator: "/", omittingEmptySubsequences: false).reversed())
            case S_IFREG:
                // Anything after a file (even "/" or "/.") is ENOTDIR for the kernel.
                return pending.isEmpty ? (candidate, info) : nil
            default:
                return nil
            }
        }
        return nil   // it ends at a directory
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Where a file lives, as far as caching it goes: inotify sees only changes
/// made through this kernel, and pseudo files have no meaningful size.
enum FileSystemKind {
    case local, remote, pseudo

    /// By the type /proc/self/mountinfo gives the file system of `device`
    /// (statfs(2) is not in Swift's Glibc module); unknown counts as remote.
    static func of(device: UInt64) -> FileSystemKind {
        guard let type = mountedType(device: device) else { return .remote }
        switch type {
        case "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "afs", "coda", "9p", "virtiofs", "vboxsf", "gfs2", "ocfs2", "fuseblk", "fuse":
            return .remote
        case "proc", "sysfs", "debugfs", "tracefs", "securityfs", "configfs", "cgroup", "cgroup2", "pstore", "bpf":
            return .pseudo
        default:
            return type.hasPrefix("fuse.") ? .remote : .local
        }
    }

    /// mountinfo lines: `ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [TAGS...] - TYPE SOURCE OPTIONS`.
    private static func mountedType(device: UInt64) -> String? {
        // glibc's encoding of dev_t (gnu_dev_major / gnu_dev_minor).
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
        let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
        let wanted = "\(major):\(minor)"
        guard let text = readSmallFile("/proc/self/mountinfo") else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2, fields[2] == wanted, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            return String(fields[dash + 1])
        }
        return nil
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Socket.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
