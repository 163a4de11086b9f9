/// Which server of an upstream group a request goes to, and what its
/// failures do, as nginx's upstream modules (ngx_http_upstream_round_robin.c,
/// _least_conn, _ip_hash, _hash): pure, fed a clock and outcomes.
/// Times are milliseconds (nginx counts seconds). In ConfLang so that
/// `--explain` chooses a hashed group's server as webserv does.
public struct PeerSelection {
    public struct Peer {
        let server: UpstreamGroup.Server
        var effectiveWeight: Int
        var currentWeight = 0
        var fails = 0
        /// When the last failure was (nginx's `accessed`).
        var failedAt = 0
        /// When the failure window was last started (nginx's `checked`).
        var checked = 0
        /// Requests on it now (least_conn).
        var active = 0

        init(_ server: UpstreamGroup.Server) {
            self.server = server
            effectiveWeight = server.weight
        }
    }

    /// One request's tries: the servers it tried, and where a hash goes on from.
    public struct Attempt {
        public var tried = Set<Int>()
        var hash = 0
        var rehash = 0
        var hashTries = 0
        var started = false

        public init() {}
    }

    public private(set) var peers: [Peer]
    public let balancing: UpstreamGroup.Balancing
    /// One server and no backup: nginx never counts its failures (`single`).
    let single: Bool
    /// The `consistent` hash's ring: 160 points per weight unit of each primary.
    private var ring: [(hash: UInt32, peer: Int)] = []

    public init(_ group: UpstreamGroup) {
        peers = group.servers.map(Peer.init)
        balancing = group.balancing
        single = group.servers.count == 1
        if case .hash(_, true) = balancing { ring = PeerSelection.ring(peers) }
    }

    private var primaries: [Int] { peers.indices.filter { !peers[$0].server.backup } }
    private var backups: [Int] { peers.indices.filter { peers[$0].server.backup } }

    /// How many servers one request may try: every one (nginx's `tries`).
    public var count: Int { peers.count }

    /// A server for the request (`clientAddress`: its address's bytes, for
    /// ip_hash; `key`: the hash key's value), or nil when none is available
    /// (nginx's NGX_BUSY: "no live upstreams").
    public mutating func select(_ attempt: inout Attempt, clientAddress: [UInt8], key: [UInt8], now: Int) -> Int? {
        let chosen: Int?
        if single {
            chosen = peers[0].server.down || attempt.tried.contains(0) ? nil : 0
        } else {
            switch balancing {
            case .roundRobin: chosen = roundRobin(attempt, among: primaries, now: now)
            case .leastConnections: chosen = leastConnections(attempt, among: primaries, now: now)
            case .ipHash: chosen = ipHash(&attempt, address: clientAddress, now: now)
            case .hash(_, false): chosen = hash(&attempt, key: key, now: now)
            case .hash(_, true): chosen = consistentHash(&attempt, key: key, now: now)
            }
        }
        attempt.started = true
        var peer = chosen
        if peer == nil, !backups.isEmpty {
            peer = balancing == .leastConnections ? leastConnections(attempt, among: backups, now: now)
                                                  : roundRobin(attempt, among: backups, now: now)
        }
        guard let peer else { return nil }
        if now - peers[peer].checked > peers[peer].server.failTimeoutMilliseconds { peers[peer].checked = now }
        attempt.tried.insert(peer)
        peers[peer].active += 1
        return peer
    }

    /// The request is done with `peer`: a failure counts against it (nginx's
    /// free_round_robin_peer); a success after its failure window clears them.
    public mutating func finished(_ peer: Int, failed: Bool, now: Int) {
        guard peers.indices.contains(peer) else { return }
        peers[peer].active = max(0, peers[peer].active - 1)
        guard !single else { return }
        let server = peers[peer].server
        if failed {
            peers[peer].fails += 1
            peers[peer].failedAt = now
            peers[peer].checked = now
            if server.maxFails > 0 { peers[peer].effectiveWeight -= server.weight / server.maxFails }
            peers[peer].effectiveWeight = max(0, peers[peer].effectiveWeight)
        } else if peers[peer].failedAt < peers[peer].checked {
            peers[peer].fails = 0
        }
    }

    /// Whether a server stopped being tried: `max_fails` failures, its `fail_timeout` not over.
    public func unavailable(_ index: Int, now: Int) -> Bool {
        let peer = peers[index]
        if peer.server.down { return true }
        return peer.server.maxFails > 0 && peer.fails >= peer.server.maxFails
            && now - peer.checked <= peer.server.failTimeoutMilliseconds
    }

    /// Whether `peer` temporarily left the group with its last failure (for nginx's warning).
    public func justDisabled(_ peer: Int) -> Bool {
        peers.indices.contains(peer) && !single && peers[peer].server.maxFails > 0 && peers[peer].fails == peers[peer].server.maxFails
    }

    // MARK: methods

    /// nginx's smooth weighted round-robin: each available server's current
    /// weight grows by its effective weight, the largest is chosen and loses
    /// the total; a failed server's effective weight climbs back one a time.
    private mutating func roundRobin(_ attempt: Attempt, among candidates: [Int], now: Int) -> Int? {
        var best: Int?
        var total = 0
        for index in candidates where !attempt.tried.contains(index) && !unavailable(index, now: now) {
            peers[index].currentWeight += peers[index].effectiveWeight
            total += peers[index].effectiveWeight
            if peers[index].effectiveWeight < peers[index].server.weight { peers[index].effectiveWeight += 1 }
            if best.map({ peers[index].currentWeight > peers[$0].currentWeight }) ?? true { best = index }
        }
        if let best { peers[best].currentWeight -= total }
        return best
    }

    /// Fewest active requests for the weight; ties by round-robin among them.
    private mutating func leastConnections(_ attempt: Attempt, among candidates: [Int], now: Int) -> Int? {
        let available = candidates.filter { !attempt.tried.contains($0) && !unavailable($0, now: now) }
        guard let first = available.first else { return nil }
        var fewest = [first]
        for index in available.dropFirst() {
            let (peer, best) = (peers[index], peers[fewest[0]])
            let left = peer.active * best.server.weight, right = best.active * peer.server.weight
            if left < right { fewest = [index] } else if left == right { fewest.append(index) }
        }
        return fewest.count == 1 ? fewest[0] : roundRobin(attempt, among: fewest, now: now)
    }

    /// The client's network (IPv4's first three octets, IPv6's whole address)
    /// over the weights, as nginx's ip_hash; after 20 unavailable picks, round-robin.
    private mutating func ipHash(_ attempt: inout Attempt, address: [UInt8], now: Int) -> Int? {
        let bytes = address.count == 4 ? Array(address.prefix(3)) : address
        if !attempt.started { attempt.hash = 89 }
        while attempt.hashTries <= 20 {
            for byte in bytes { attempt.hash = (attempt.hash * 113 + Int(byte)) % 6271 }
            if let peer = weighted(attempt.hash, attempt, now: now) { return peer }
            attempt.hashTries += 1
        }
        return roundRobin(attempt, among: primaries, now: now)
    }

    /// nginx's `hash KEY`: Cache::Memcached's ((crc32([REHASH] KEY) >> 16) & 0x7fff)
    /// summed over the tries, over the weights.
    private mutating func hash(_ attempt: inout Attempt, key: [UInt8], now: Int) -> Int? {
        guard !key.isEmpty else { return roundRobin(attempt, among: primaries, now: now) }
        while attempt.hashTries <= 20 {
            var input = attempt.rehash > 0 ? Array(String(attempt.rehash).utf8) : []
            input += key
            attempt.hash += Int((PeerSelection.crc32(input) >> 16) & 0x7fff)
            attempt.rehash += 1
            if let peer = weighted(attempt.hash, attempt, now: now) { return peer }
            attempt.hashTries += 1
        }
        return roundRobin(attempt, among: primaries, now: now)
    }

    /// The primary that `hash` falls on, the weights laid end to end (down ones
    /// included, as nginx's total weight); nil when it cannot be used.
    private func weighted(_ hash: Int, _ attempt: Attempt, now: Int) -> Int? {
        let candidates = primaries
        let total = candidates.reduce(0) { $0 + peers[$1].server.weight }
        guard total > 0 else { return nil }
        var point = hash % total
        for index in candidates {
            if point < peers[index].server.weight {
                return attempt.tried.contains(index) || unavailable(index, now: now) ? nil : index
            }
            point -= peers[index].server.weight
        }
        return nil
    }

    /// `hash KEY consistent`: the first ring point at or after crc32(KEY),
    /// then the next points while their server cannot be used.
    private mutating func consistentHash(_ attempt: inout Attempt, key: [UInt8], now: Int) -> Int? {
        guard !ring.isEmpty else { return roundRobin(attempt, among: primaries, now: now) }
        if !attempt.started {
            let hash = PeerSelection.crc32(key)
            var low = 0, high = ring.count
            while low < high {
                let middle = (low + high) / 2
                if ring[middle].hash < hash { low = middle + 1 } else { high = middle }
            }
            attempt.hash = low
        }
        while attempt.hashTries <= 20 {
            let peer = ring[attempt.hash % ring.count].peer
            if !attempt.tried.contains(peer) && !unavailable(peer, now: now) { return peer }
            attempt.hash += 1
            attempt.hashTries += 1
        }
        return roundRobin(attempt, among: primaries, now: now)
    }

    /// Cache::Memcached::Fast's ring, as nginx builds it: for each primary,
    /// crc32(HOST "\0" PORT PREVIOUS), PREVIOUS the last point's four bytes
    /// (little-endian), weight × 160 times; sorted, one server per point.
    /// PORT is empty when the server was written without one, as in nginx.
    private static func ring(_ peers: [Peer]) -> [(hash: UInt32, peer: Int)] {
        var points: [(hash: UInt32, peer: Int)] = []
        for (index, peer) in peers.enumerated() where !peer.server.backup {
            let port = peer.server.portWritten ? Array(String(peer.server.port).utf8) : []
            let base = Array(peer.server.host.utf8) + [0] + port
            var previous: UInt32 = 0
            for _ in 0..<(peer.server.weight * 160) {
                let littleEndian = [UInt8(previous & 0xff), UInt8((previous >> 8) & 0xff),
                                    UInt8((previous >> 16) & 0xff), UInt8(previous >> 24)]
                let hash = crc32(base + littleEndian)
                points.append((hash, index))
                previous = hash
            }
        }
        points.sort { $0.hash < $1.hash }
        var unique: [(hash: UInt32, peer: Int)] = []
        for point in points where unique.last?.hash != point.hash { unique.append(point) }
        return unique
    }

    /// CRC-32 (IEEE 802.3, zlib's and nginx's ngx_crc32_long).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xffff_ffff
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xedb8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }
}
