import ConfLang

/// Who a descriptor in the selector belongs to. The loop only waits and
/// hands each readiness to its owner.
enum DescriptorOwner {
    case signals
    /// Its Listener is in EventLoop.listeners (an entry stays one word wide).
    case listener
    case client(Connection)
    /// A client socket that speaks HTTP/2.
    case http2(HTTP2Connection)
    /// A pipe of a CGI script or a proxy socket, of the request's exchange
    /// (the request, not its connection: nginx's `r->upstream`).
    case upstream(HTTPRequest)
    /// An idle keep-alive connection to an upstream (UpstreamPool).
    case pooledUpstream
    /// The upstream socket of a connection upgraded by a 101 (UpstreamTunnel).
    case tunnel(UpstreamTunnel)
    /// The small-file cache's inotify descriptor.
    case fileEvents
}

/// The owners of the descriptors, indexed by descriptor number. Each epoll
/// token carries a generation with the descriptor, so an event queued for a
/// descriptor's previous owner (closed earlier in the same batch, its number
/// reused since) is dropped instead of reaching the new one.
struct Descriptors {
    private struct Entry {
        let generation: UInt32
        let owner: DescriptorOwner
    }

    private var entries: [Entry?] = []
    private var nextGeneration: UInt32 = 0

    /// A fresh token for `fd`, to pass to `set` with its owner.
    mutating func newToken(for fd: Int32) -> UInt64 {
        nextGeneration &+= 1
        return UInt64(nextGeneration) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    mutating func set(_ token: UInt64, _ owner: DescriptorOwner) {
        let fd = Int(UInt32(truncatingIfNeeded: token))
        if fd >= entries.count { entries += [Entry?](repeating: nil, count: fd - entries.count + 1) }
        entries[fd] = Entry(generation: UInt32(truncatingIfNeeded: token >> 32), owner: owner)
    }

    /// The token `fd` is registered with now.
    func token(of fd: Int32) -> UInt64? {
        guard Int(fd) < entries.count, let entry = entries[Int(fd)] else { return nil }
        return UInt64(entry.generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// The descriptor and owner an event's token stands for, if it is still theirs.
    func owner(of token: UInt64) -> (fd: Int32, owner: DescriptorOwner)? {
        let fd = Int(UInt32(truncatingIfNeeded: token))
        guard fd < entries.count, let entry = entries[fd], entry.generation == UInt32(truncatingIfNeeded: token >> 32) else { return nil }
        return (Int32(fd), entry.owner)
    }

    /// Every client connection (a scan: for draining and shutdown only).
    var clients: [Connection] {
        entries.compactMap { entry in
            if case .client(let connection)? = entry?.owner { return connection }
            return nil
        }
    }

    mutating func remove(_ fd: Int32) {
        guard Int(fd) < entries.count else { return }
        entries[Int(fd)] = nil
    }
}
