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
    /// Keys `put` took beyond their limit in this turn.
    private var overfull: [String] = []

    var count: Int { keyOf.count }

    /// The newest idle connection to `key`, taken out of the pool.
    mutating func take(_ key: String) -> Int32? {
        guard let connection = idle[key]?.popLast() else { return nil }
        keyOf[connection.fd] = nil
        return connection.fd
    }

    /// Keeps `fd` for `key`. The limit is applied by `trim` at the end of the
    /// loop's turn, not here: answers that end in a turn free their
    /// connections before the requests read in the same turn take them, and
    /// closing the oldest at once made those requests connect again (with
    /// `keepalive 16` and 64 busy clients, nearly half of all requests).
    mutating func put(_ fd: Int32, for key: String, now: Int) {
        idle[key, default: []].append(Idle(fd: fd, since: now))
        keyOf[fd] = key
        if idle[key]?.count == (limit(for: key)?.idle ?? UpstreamPool.maxIdlePerUpstream) + 1 { overfull.append(key) }
    }

    /// Some key holds more idle connections than its limit.
    var needsTrim: Bool { !overfull.isEmpty }

    /// Takes out and returns the oldest idle connections beyond each key's limit.
    mutating func trim() -> [Int32] {
        var closing: [Int32] = []
        for key in overfull {
            let limit = self.limit(for: key)?.idle ?? UpstreamPool.maxIdlePerUpstream
            guard let list = idle[key], list.count > limit else { continue }
            let oldest = list.prefix(list.count - limit)
            for connection in oldest { keyOf[connection.fd] = nil; closing.append(connection.fd) }
            idle[key] = Array(list.dropFirst(oldest.count))
        }
        overfull.removeAll(keepingCapacity: true)
        return closing
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
