/// Idle keep-alive connections to upstream servers, a few per upstream,
/// newest first. An idle socket stays watched: the upstream closing it (or
/// sending anything unasked) removes it; so does the idle timeout.
struct UpstreamPool {
    struct Idle {
        let fd: Int32
        let since: Int
    }

    static let maxIdlePerUpstream = 8
    static let idleTimeoutMilliseconds = 30_000

    /// An upstream group's `keepalive N` and `keepalive_timeout` for one of its servers.
    struct Limit: Equatable {
        let idle: Int
        let timeoutMilliseconds: Int
    }

    /// Limits by key; a key without one has the defaults above.
    var limits: [String: Limit] = [:]

    private var idle: [String: [Idle]] = [:]
    private var keyOf: [Int32: String] = [:]

    var count: Int { keyOf.count }

    /// The newest idle connection to `key`, taken out of the pool.
    mutating func take(_ key: String) -> Int32? {
        guard let connection = idle[key]?.popLast() else { return nil }
        keyOf[connection.fd] = nil
        return connection.fd
    }

    /// Keeps `fd` for `key`; returns the descriptor to close when the pool is full.
    mutating func put(_ fd: Int32, for key: String, now: Int) -> Int32? {
        var list = idle[key] ?? []
        var evicted: Int32?
        if list.count >= limit(for: key)?.idle ?? UpstreamPool.maxIdlePerUpstream {
            evicted = list.removeFirst().fd
            keyOf[evicted!] = nil
        }
        list.append(Idle(fd: fd, since: now))
        idle[key] = list
        keyOf[fd] = key
        return evicted
    }

    /// Forgets `fd` (its upstream closed it); true when it was pooled.
    @discardableResult
    mutating func remove(_ fd: Int32) -> Bool {
        guard let key = keyOf.removeValue(forKey: fd) else { return false }
        idle[key]?.removeAll { $0.fd == fd }
        return true
    }

    /// Takes out and returns the connections idle for longer than the timeout.
    mutating func expire(now: Int) -> [Int32] {
        var expired: [Int32] = []
        for key in Array(idle.keys) {
            let timeout = limit(for: key)?.timeoutMilliseconds ?? UpstreamPool.idleTimeoutMilliseconds
            idle[key]?.removeAll { connection in
                guard now - connection.since >= timeout else { return false }
                expired.append(connection.fd)
                return true
            }
        }
        for fd in expired { keyOf[fd] = nil }
        return expired
    }

    /// A group's limits hold for its servers' TLS connections too (their key goes on after the address).
    func limit(for key: String) -> Limit? {
        limits[key] ?? limits[String(UpstreamPool.address(ofKey: key))]
    }

    /// The server address a key begins with (`UpstreamTransport.poolKey`).
    static func address(ofKey key: String) -> Substring { key.prefix { $0 != " " } }

    /// Every pooled descriptor, taken out (shutdown).
    mutating func removeAll() -> [Int32] {
        defer { idle = [:]; keyOf = [:] }
        return Array(keyOf.keys)
    }
}
