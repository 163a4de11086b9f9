import XCTest
import Glibc
import ConfLang
@testable import webserv

/// The small-file cache in-process, on real files and a real inotify: every
/// kind of change is seen after `drainEvents()` (or by the lookup itself),
/// and without inotify every entry is checked by stat.
final class SmallFileCacheTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "small-file-cache-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = chmod(directory + "/www", 0o755)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Truncated and written again when it exists (same inode), not Foundation's atomic write.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0, path)
        XCTAssertEqual(Glibc.write(fd, text, text.utf8.count), text.utf8.count)
        close(fd)
        return path
    }

    /// Overwrites the start of the file without truncating it (same inode, same size when `text` is as long).
    private func overwriteInPlace(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(pwrite(fd, text, text.utf8.count, 0), text.utf8.count)
        close(fd)
    }

    private func text(_ file: CachedFile?) -> String? { file.map { String(decoding: $0.bytes, as: UTF8.self) } }

    /// A cache whose lookups do not read the queue, so that each test shows what `drainEvents()` itself does.
    private func makeCache(budget: Int = 1 << 20) throws -> SmallFileCache {
        let cache = SmallFileCache(budget: budget, watcher: try Inotify())
        cache.drainPolicy = .afterClientReads
        return cache
    }

    func testAStoredFileIsAHitWithTheOpenFileHeaders() throws {
        let cache = try makeCache()
        let path = write("www/a.html", "hello")
        let stored = try XCTUnwrap(cache.store(path))
        XCTAssertEqual(stored.validation, .events)
        XCTAssertTrue(cache.lookup(path) === stored)
        XCTAssertEqual(text(stored), "hello")
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        let opened = OpenFile(fd: open(path, O_RDONLY), identity: FileIdentity(info))
        XCTAssertEqual(stored.etag, opened.etag)
        XCTAssertEqual(stored.lastModified, opened.lastModified)
        XCTAssertEqual(stored.size, 5)
        cache.drainEvents()
        XCTAssertTrue(cache.lookup(path) === stored, "its own read is no change")
        XCTAssertEqual(cache.statistics.hits, 2)
        XCTAssertNil(cache.lookup(directory + "/www/other.html"))
    }

    func testContentChangedInPlaceIsSeen() throws {
        let cache = try makeCache()
        let path = write("www/a.html", "first")
        cache.store(path)
        overwriteInPlace(path, "FIRST")   // same size, same inode, maybe the same mtime
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(text(cache.store(path)), "FIRST")
        write("www/a.html", "a longer text")   // truncated and rewritten
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(text(cache.store(path)), "a longer text")
        XCTAssertEqual(truncate(path, 0), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(cache.store(path)?.size, 0)
        XCTAssertEqual(cache.statistics.invalidations, 3)
    }

    func testReplacedByRenameIsSeen() throws {
        let cache = try makeCache()
        let path = write("www/a.html", "old")
        cache.store(path)
        let temporary = write("www/.a.html.tmp", "new")
        XCTAssertEqual(rename(temporary, path), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(text(cache.store(path)), "new")
    }

    func testPermissionChangeAndRemovalAreSeen() throws {
        let cache = try makeCache()
        let path = write("www/a.html", "x")
        cache.store(path)
        XCTAssertEqual(chmod(path, 0), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path), "chmod is IN_ATTRIB")
        XCTAssertEqual(chmod(path, 0o644), 0)
        cache.store(path)
        XCTAssertEqual(unlink(path), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertNil(cache.store(path))
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.watchCount, 0, "no entry left, no watch left")
    }

    func testAChangeOnTheWayIsSeen() throws {
        let cache = try makeCache()
        let path = write("www/site/css/a.css", "v1")
        cache.store(path)
        // An atomic deploy two levels up: the old tree moved away, a new one moved in.
        write("new/css/a.css", "v2")
        XCTAssertEqual(rename(directory + "/www/site", directory + "/old"), 0)
        XCTAssertEqual(rename(directory + "/new", directory + "/www/site"), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(text(cache.store(path)), "v2")
        // A directory on the way made untraversable (root would still read it, so the event is what counts).
        XCTAssertEqual(chmod(directory + "/www", 0), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
    }

    func testSymlinksAreFollowedAndWatched() throws {
        let cache = try makeCache()
        write("releases/1/a.html", "release 1")
        write("releases/2/a.html", "release 2")
        XCTAssertEqual(symlink("releases/1", directory + "/current"), 0)
        let path = directory + "/current/a.html"
        XCTAssertEqual(text(cache.store(path)), "release 1")
        XCTAssertEqual(cache.lookup(path)?.validation, .events)
        // The target changes through another path.
        overwriteInPlace(directory + "/releases/1/a.html", "RELEASE 1")
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(text(cache.store(path)), "RELEASE 1")
        // `ln -sfn releases/2 current`, atomically: a new link renamed over the old one.
        XCTAssertEqual(symlink("releases/2", directory + "/current.new"), 0)
        XCTAssertEqual(rename(directory + "/current.new", directory + "/current"), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(text(cache.store(path)), "release 2")
    }

    func testAnIndexFileCreatedOrRemovedIsSeen() throws {
        let cache = try makeCache()
        let index = directory + "/www/docs/index.html"
        let other = write("www/docs/other.html", "other")
        cache.store(other)
        XCTAssertNil(cache.store(index), "not there yet")
        write("www/docs/index.html", "index")
        cache.drainEvents()
        XCTAssertNotNil(cache.lookup(other), "a new name beside it changes nothing for it")
        XCTAssertEqual(text(cache.store(index)), "index")
        XCTAssertEqual(unlink(index), 0)
        cache.drainEvents()
        XCTAssertNil(cache.lookup(index))
        XCTAssertNotNil(cache.lookup(other))
    }

    func testTheLookupReadsTheQueueItself() throws {
        let path = write("www/a.html", "first")
        let everyLookup = SmallFileCache(watcher: try Inotify())
        everyLookup.store(path)
        let afterReads = try makeCache()
        afterReads.store(path)
        XCTAssertNotNil(afterReads.lookup(path))   // the first lookup reads the queue
        overwriteInPlace(path, "again")
        XCTAssertNil(everyLookup.lookup(path), "the default reads the queue on every lookup")
        XCTAssertNotNil(afterReads.lookup(path), "with .afterClientReads, only after client bytes arrived")
        afterReads.clientBytesArrived()
        XCTAssertNil(afterReads.lookup(path))
    }

    func testQueueOverflowDropsEverything() throws {
        let cache = try makeCache()
        let first = write("www/a.html", "a"), second = write("www/b.html", "b")
        cache.store(first)
        cache.store(second)
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events"))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        try XCTSkipIf(limit > 1_000_000, "max_queued_events is \(limit): too many changes to make")
        // Each chmod queues IN_ATTRIB on the file's watch and on its directory's; alternating
        // between two files keeps consecutive events distinct (identical ones are merged).
        for number in 0...limit {
            XCTAssertEqual(chmod(number % 2 == 0 ? first : second, number % 4 < 2 ? 0o600 : 0o644), 0)
        }
        cache.drainEvents()
        XCTAssertEqual(cache.statistics.overflows, 1)
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.watchCount, 0)
        XCTAssertNotNil(cache.store(first), "it starts again afresh")
        XCTAssertNotNil(cache.lookup(first))
    }

    func testAnInjectedOverflowDropsEverything() throws {
        let watcher = ScriptedWatcher()
        let cache = SmallFileCache(watcher: watcher)
        let first = write("www/a.html", "a"), second = write("www/b.html", "b")
        cache.store(first)
        cache.store(second)
        XCTAssertEqual(cache.count, 2)
        watcher.queued = [Inotify.Event(watch: -1, mask: UInt32(IN_Q_OVERFLOW), cookie: 0, name: nil)]
        XCTAssertNil(cache.lookup(first))
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.statistics.overflows, 1)
        XCTAssertTrue(watcher.active.isEmpty, "every watch removed")
    }

    func testWithoutInotifyEntriesAreCheckedByStat() throws {
        // No margin: the files here were all written just now.
        let cache = SmallFileCache(watcher: FailingWatcher(), racyMarginNanoseconds: 0)
        let path = write("www/a.html", "first")
        let stored = try XCTUnwrap(cache.store(path))
        XCTAssertEqual(stored.validation, .stat)
        XCTAssertTrue(cache.lookup(path) === stored)
        let temporary = write("www/a.tmp", "second")
        XCTAssertEqual(rename(temporary, path), 0)
        XCTAssertNil(cache.lookup(path), "no event read: the stat sees another inode")
        XCTAssertEqual(text(cache.store(path)), "second")
        // Past the timestamp granularity (a jiffy), which is what the racy margin is for.
        usleep(30_000)
        XCTAssertEqual(chmod(path, 0o600), 0)
        XCTAssertNil(cache.lookup(path), "a new ctime")
        cache.store(path)
        XCTAssertEqual(unlink(path), 0)
        XCTAssertNil(cache.lookup(path))
        XCTAssertEqual(cache.count, 0)
    }

    func testWithoutInotifyAFileChangedJustNowIsNotKept() throws {
        let cache = SmallFileCache(watcher: nil)
        XCTAssertNil(cache.descriptor, "nothing for the loop to register")
        let path = write("www/a.html", "just written")
        // Another write within the same timestamp would leave its stat as it is.
        XCTAssertEqual(text(cache.store(path)), "just written", "still answered")
        XCTAssertEqual(cache.count, 0)
        XCTAssertNil(cache.lookup(path))
    }

    func testAWatchLimitFallsBackToStatForThatFile() throws {
        // Enough watches for the first file's path, then ENOSPC (max_user_watches reached).
        let first = write("www/a.html", "a")
        let depth = first.split(separator: "/").count + 1   // every directory from "/" and the file
        let watcher = ScriptedWatcher(limit: depth)
        let cache = SmallFileCache(watcher: watcher, racyMarginNanoseconds: 0)
        XCTAssertEqual(cache.store(first)?.validation, .events)
        let second = write("www/b.html", "b")
        XCTAssertEqual(cache.store(second)?.validation, .stat)
        XCTAssertEqual(watcher.active.count, depth, "the failed attempt left no watch behind")
        usleep(30_000)   // past the timestamp granularity (no racy margin here)
        overwriteInPlace(second, "B")
        XCTAssertNil(cache.lookup(second))
    }

    func testBrokenEventsAreNotTrusted() throws {
        let watcher = ScriptedWatcher()
        let cache = SmallFileCache(watcher: watcher, racyMarginNanoseconds: 0)
        let path = write("www/a.html", "a")
        cache.store(path)
        watcher.readError = SystemError(call: "read(inotify)", errorNumber: EBADF)
        XCTAssertNil(cache.lookup(path))
        XCTAssertNil(cache.descriptor)
        XCTAssertEqual(cache.store(path)?.validation, .stat)
    }

    func testLeastRecentlyUsedGoesFirstWithinTheBudget() throws {
        let entryCost = 1000 + 256
        let paths = (0..<4).map { write("www/f\($0).bin", String(repeating: "x", count: 1000)) }
        let cache = try makeCache(budget: 3 * (entryCost + paths[0].utf8.count) + 10)
        for path in paths.prefix(3) { cache.store(path) }
        XCTAssertNotNil(cache.lookup(paths[0]))   // f1 is now the least recent
        cache.store(paths[3])
        XCTAssertNil(cache.lookup(paths[1]))
        XCTAssertNotNil(cache.lookup(paths[0]))
        XCTAssertNotNil(cache.lookup(paths[3]))
        XCTAssertLessThanOrEqual(cache.storedBytes, cache.budget)
        XCTAssertGreaterThanOrEqual(cache.statistics.evictions, 1)
    }

    /// A location for request keys (only its identity matters to the cache).
    private func location() -> ResolvedLocation {
        let text = "events { }\nhttp { server { listen 80; root \(directory)/www; } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        return Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv")).servers[0].base
    }

    func testARequestKeyFindsItsEntryWhileItIsCurrent() throws {
        let cache = try makeCache()
        let path = write("www/a.html", "first")
        let key = SmallFileCache.RequestKey(location: location(), path: "/a.html")
        let stored = try XCTUnwrap(cache.store(path))
        XCTAssertNil(cache.lookup(key), "not remembered yet")
        cache.remember(stored, for: key)
        XCTAssertTrue(cache.lookup(key) === stored)
        XCTAssertNil(cache.lookup(SmallFileCache.RequestKey(location: location(), path: "/a.html")), "another location")
        overwriteInPlace(path, "FIRST")
        cache.drainEvents()
        XCTAssertNil(cache.lookup(key), "the key leaves with its entry")
        XCTAssertEqual(text(cache.store(path)), "FIRST")
        XCTAssertNil(cache.lookup(key), "a new entry is found by its path until remembered again")
        XCTAssertEqual(cache.statistics.hits, 1)
    }

    func testAKeyIsNotKeptForAnEntryTheCacheDoesNotKeep() throws {
        let cache = SmallFileCache(watcher: nil)   // a file written just now is not kept
        let path = write("www/a.html", "just written")
        let key = SmallFileCache.RequestKey(location: location(), path: "/a.html")
        cache.remember(try XCTUnwrap(cache.store(path)), for: key)
        XCTAssertNil(cache.lookup(key))
    }

    func testAKeyOfAStatCheckedEntryIsCheckedByStat() throws {
        let cache = SmallFileCache(watcher: FailingWatcher(), racyMarginNanoseconds: 0)
        let path = write("www/a.html", "first")
        let key = SmallFileCache.RequestKey(location: location(), path: "/a.html")
        cache.remember(try XCTUnwrap(cache.store(path)), for: key)
        XCTAssertEqual(text(cache.lookup(key)), "first")
        let temporary = write("www/a.tmp", "second")
        XCTAssertEqual(rename(temporary, path), 0)
        XCTAssertNil(cache.lookup(key), "no event read: the stat sees another inode")
        XCTAssertEqual(cache.count, 0)
    }

    func testWhatIsNotCached() throws {
        let cache = try makeCache()
        let big = write("www/big.bin", String(repeating: "x", count: cache.maxFileSize + 1))
        XCTAssertNil(cache.store(big), "over the size limit")
        XCTAssertNil(cache.store(directory + "/www"), "a directory")
        let file = write("www/a.html", "a")
        XCTAssertNil(cache.store(file + "/"), "a file with a slash after it is ENOTDIR")
        XCTAssertNil(cache.store("relative/a.html"))
        XCTAssertEqual(mkfifo(directory + "/www/fifo", 0o644), 0)
        XCTAssertNil(cache.store(directory + "/www/fifo"), "a FIFO (and opening it did not block)")
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.watchCount, 0)
    }

    func testEventRecordsAreParsed() {
        var bytes: [UInt8] = []
        func append(_ watch: Int32, _ mask: UInt32, _ name: String?) {
            var padded = Array((name ?? "").utf8)
            if name != nil { padded += [UInt8](repeating: 0, count: 16 - padded.count % 16) }
            withUnsafeBytes(of: watch) { bytes += $0 }
            withUnsafeBytes(of: mask) { bytes += $0 }
            withUnsafeBytes(of: UInt32(7)) { bytes += $0 }
            withUnsafeBytes(of: UInt32(padded.count)) { bytes += $0 }
            bytes += padded
        }
        append(3, UInt32(IN_MOVED_TO), "index.html")
        append(5, UInt32(IN_MODIFY), nil)
        var events: [Inotify.Event] = []
        Inotify.parse(bytes[...], into: &events)
        XCTAssertEqual(events, [Inotify.Event(watch: 3, mask: UInt32(IN_MOVED_TO), cookie: 7, name: "index.html"),
                                Inotify.Event(watch: 5, mask: UInt32(IN_MODIFY), cookie: 7, name: nil)])
        events = []
        Inotify.parse(bytes[0..<20], into: &events)
        XCTAssertEqual(events, [], "a record cut short is not read")
    }
}

/// inotify as it is when max_user_watches is reached, or not there at all.
private final class FailingWatcher: FileWatcher {
    let descriptor: Int32 = -1
    func addWatch(_ path: String, mask: UInt32) throws -> Int32 { throw SystemError(call: "inotify_add_watch", errorNumber: ENOSPC) }
    func removeWatch(_ watch: Int32) {}
    func readEvents() throws -> [Inotify.Event] { [] }
}

/// Watches that succeed up to `limit`, events the test queues, a read that may fail.
private final class ScriptedWatcher: FileWatcher {
    let descriptor: Int32 = -1
    let limit: Int
    private(set) var active: [String: Int32] = [:]
    private var next: Int32 = 1
    var queued: [Inotify.Event] = []
    var readError: Error?

    init(limit: Int = .max) { self.limit = limit }

    func addWatch(_ path: String, mask: UInt32) throws -> Int32 {
        if let watch = active[path] { return watch }
        guard active.count < limit else { throw SystemError(call: "inotify_add_watch", errorNumber: ENOSPC) }
        active[path] = next
        next += 1
        return next - 1
    }

    func removeWatch(_ watch: Int32) { active = active.filter { $0.value != watch } }

    func readEvents() throws -> [Inotify.Event] {
        if let readError { throw readError }
        defer { queued = [] }
        return queued
    }
}
