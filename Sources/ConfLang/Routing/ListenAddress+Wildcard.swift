/// Which listen addresses get a socket of their own. As nginx without
/// `bind`: a wildcard (`*:P`, `[::]:P`) takes every specific address of its
/// family and port, which then has no socket (binding both fails: the port
/// is in use); a connection's local address picks the servers of the
/// specific address it reached, else the wildcard's.
extension Values.ListenAddress {
    /// `*:P` (also written `P`, `0.0.0.0:P`) or `[::]:P`: every local address of its family.
    public var isWildcard: Bool { host == "*" || host == "[::]" }

    /// The wildcard of this address's family and port: `[::]:P` for IPv6,
    /// `*:P` for IPv4 and for a name (webserv binds a name's IPv4 address).
    public var wildcard: Values.ListenAddress {
        Values.ListenAddress(host: host.hasPrefix("[") ? "[::]" : "*", port: port)
    }
}

extension WebservConfig {
    /// The addresses webserv binds, in order of appearance: every wildcard,
    /// and each specific address whose wildcard nobody listens on.
    public var socketAddresses: [Values.ListenAddress] {
        let all = listenAddresses
        return all.filter { $0.isWildcard || !all.contains($0.wildcard) }
    }

    /// The specific addresses a wildcard's socket accepts for (empty for a
    /// specific address, or a wildcard alone on its port).
    public func addresses(sharing wildcard: Values.ListenAddress) -> [Values.ListenAddress] {
        guard wildcard.isWildcard else { return [] }
        return listenAddresses.filter { !$0.isWildcard && $0.wildcard == wildcard }
    }
}
