import Glibc

/// What the small-file cache needs from a file-change notifier; `Inotify` is
/// the real one, tests put in one that fails.
protocol FileWatcher: AnyObject {
    /// Readable when events are queued (for the event loop's epoll set).
    var descriptor: Int32 { get }
    /// Starts (or, for an inode already watched, replaces) a watch; returns its descriptor.
    func addWatch(_ path: String, mask: UInt32) throws -> Int32
    func removeWatch(_ watch: Int32)
    /// Every event queued now; empty when there are none (never blocks).
    func readEvents() throws -> [Inotify.Event]
}

/// inotify(7): changes to watched files and directories, queued by the kernel
/// during the system call that makes them and read from one non-blocking
/// descriptor, so the event loop handles them like any other readiness.
final class Inotify: FileWatcher {
    struct Event: Equatable {
        let watch: Int32
        let mask: UInt32
        let cookie: UInt32
        /// The entry of a watched directory the event is about; nil for the
        /// watched object itself (and for IN_Q_OVERFLOW, whose watch is -1).
        let name: String?

        func has(_ flag: Int32) -> Bool { mask & UInt32(bitPattern: flag) != 0 }
    }

    let descriptor: Int32
    /// Reused for every read; large enough for many events (one needs at most 16 + NAME_MAX + 1 bytes).
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init() throws {
        descriptor = try syscallValue("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
    }

    deinit { Socket.close(descriptor) }

    func addWatch(_ path: String, mask: UInt32) throws -> Int32 {
        try syscallValue("inotify_add_watch(\(path))") { inotify_add_watch(descriptor, path, mask) }
    }

    /// A watch the kernel already dropped (its file deleted) is EINVAL here: nothing to do either way.
    func removeWatch(_ watch: Int32) {
        _ = inotify_rm_watch(descriptor, watch)
    }

    func readEvents() throws -> [Event] {
        var events: [Event] = []
        while true {
            let result = try buffer.withUnsafeMutableBytes { raw in
                try syscall("read(inotify)") { Glibc.read(descriptor, raw.baseAddress, raw.count) }
            }
            guard case .value(let count) = result, count > 0 else { return events }
            Inotify.parse(buffer[0..<count], into: &events)
            // A read that did not fill the buffer took everything queued at that moment.
            if count < buffer.count - Int(NAME_MAX) - 17 { return events }
        }
    }

    /// The records of one read: a fixed header (wd, mask, cookie, len, in
    /// the machine's byte order) and `len` bytes of NUL-padded name.
    static func parse(_ bytes: ArraySlice<UInt8>, into events: inout [Event]) {
        let header = MemoryLayout<inotify_event>.size
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while raw.count - offset >= header {
                let watch = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let cookie = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let nameStart = offset + header
                guard nameStart + length <= raw.count else { return }
                // A name that is not UTF-8 decodes with U+FFFD: it can only
                // fail to match (no path the server looks up holds such bytes).
                let name = length == 0 ? nil : String(decoding: raw[nameStart..<(nameStart + length)].prefix { $0 != 0 }, as: UTF8.self)
                events.append(Event(watch: watch, mask: mask, cookie: cookie, name: name))
                offset = nameStart + length
            }
        }
    }
}
