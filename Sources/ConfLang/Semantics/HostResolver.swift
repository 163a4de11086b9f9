import Glibc

/// Whether a `listen` or `proxy_pass` host name resolves, the question nginx asks before it
/// starts. Injected so that tests need no DNS; `system` asks getaddrinfo(3).
public struct HostResolver {
    public let resolves: (String) -> Bool

    public init(resolves: @escaping (String) -> Bool) {
        self.resolves = resolves
    }

    /// IPv4 only: webserv binds a listen name to its IPv4 address
    /// (webserv's `Socket.ipv4Address`), so a name without one cannot be used.
    public static let system = HostResolver { name in
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        if let list { freeaddrinfo(list) }
        return status == 0
    }
}
