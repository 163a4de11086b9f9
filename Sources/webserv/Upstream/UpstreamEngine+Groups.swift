import Glibc
import ConfLang

/// An `upstream` group as one loop runs it: its servers' addresses, resolved
/// when the configuration is applied, and their selection state (failures,
/// weights, active requests), which lives as long as the configuration.
final class UpstreamGroupPeers {
    let group: UpstreamGroup
    var selection: PeerSelection
    /// Each server's address, by its index in the group.
    let addresses: [in_addr]

    init(group: UpstreamGroup, addresses: [in_addr]) {
        self.group = group
        selection = PeerSelection(group)
        self.addresses = addresses
    }

    /// The keep-alive pool's key for a server: its address, as for a single proxy_pass.
    func poolKey(_ peer: Int) -> String { group.servers[peer].address }
}

/// A request's use of one server of a group: released (and its failure
/// counted) when the exchange ends.
struct PeerUse {
    let peers: UpstreamGroupPeers
    let index: Int
    var server: UpstreamGroup.Server { peers.group.servers[index] }
}

/// One request's tries over a group's servers (nginx's `tries` and `tried`).
struct ProxyAttempt {
    var selection = PeerSelection.Attempt()
    var tries = 0
}

extension UpstreamEngine {
    /// The groups of `config` with their servers' addresses from `resolved`.
    static func groups(of config: WebservConfig, resolved: [String: in_addr]) -> [String: UpstreamGroupPeers] {
        config.upstreams.compactMapValues { group in
            let addresses = group.servers.compactMap { resolved[$0.host] }
            guard addresses.count == group.servers.count else { return nil }
            return UpstreamGroupPeers(group: group, addresses: addresses)
        }
    }

    /// The idle pool's cap and timeout for each server of a group with `keepalive N`.
    static func poolLimits(of groups: [String: UpstreamGroupPeers]) -> [String: UpstreamPool.Limit] {
        var limits: [String: UpstreamPool.Limit] = [:]
        for peers in groups.values {
            guard let idle = peers.group.keepalive else { continue }
            for server in peers.group.servers {
                limits[server.address] = .init(idle: idle, timeoutMilliseconds: peers.group.keepaliveTimeoutMilliseconds)
            }
        }
        return limits
    }

    /// A server of the group for the request's next try, or nil when none is
    /// available (logged as nginx's "no live upstreams").
    func choosePeer(_ peers: UpstreamGroupPeers, _ attempt: inout ProxyAttempt, head: RequestHead,
                    clientAddress: String, errorLog: LogTarget) -> PeerUse? {
        var key: [UInt8] = []
        var address: [UInt8] = []
        switch peers.group.balancing {
        case .hash(let text, _):
            key = UpstreamGroup.hashKey(text, remoteAddress: clientAddress, target: head.target, path: head.path, query: head.query)
        case .ipHash: address = UpstreamGroup.ipHashBytes(clientAddress)
        case .roundRobin, .leastConnections: break
        }
        guard let index = peers.selection.select(&attempt.selection, clientAddress: address, key: key, now: loop.now()) else {
            loop.logs.error("error", "no live upstreams while connecting to upstream \"\(peers.group.name)\"", to: errorLog)
            return nil
        }
        attempt.tries += 1
        return PeerUse(peers: peers, index: index)
    }

    /// The request is done with its server: a failure counts against it.
    func release(_ use: PeerUse, failed: Bool, errorLog: LogTarget) {
        use.peers.selection.finished(use.index, failed: failed, now: loop.now())
        if failed && use.peers.selection.justDisabled(use.index) {
            loop.logs.error("warn", "upstream server temporarily disabled: \(use.server.address) in upstream \"\(use.peers.group.name)\"", to: errorLog)
        }
    }

    /// Whether a request that failed on a server (`condition`) may go to the
    /// next one, as nginx's ngx_http_upstream_next: the location asks for it,
    /// tries are left, nothing of the answer was sent, a request already sent
    /// with a non-idempotent method only with `non_idempotent`, and a body
    /// only when none of it was taken from the client yet (webserv streams
    /// bodies and does not keep them).
    static func mayTryNext(_ condition: NextUpstream.Condition, settings: NextUpstream, attempt: ProxyAttempt, peers: UpstreamGroupPeers,
                           head: RequestHead, requestSent: Bool, bodyTaken: Bool) -> Bool {
        guard settings.conditions.contains(condition) else { return false }
        let limit = settings.tries == 0 ? peers.selection.count : min(settings.tries, peers.selection.count)
        guard attempt.tries < limit else { return false }
        if requestSent && NextUpstream.isNonIdempotent(head.method) && !settings.conditions.contains(.nonIdempotent) { return false }
        return !(head.hasBody && bodyTaken)
    }
}
