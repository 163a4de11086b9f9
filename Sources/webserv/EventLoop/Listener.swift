import Glibc
import ConfLang

/// A listening address and the servers that answer on it under the current
/// configuration. Each connection keeps its listener's (one reference, not
/// the address), so a request finds its servers without a lookup by
/// address. A reload refreshes `servers`, and clears it when the address is
/// no longer listened on: its connections then end (`EventLoop.apply`, and
/// `finishResponse` for an answer under way).
final class Listener {
    let address: Values.ListenAddress
    var servers: Router.AddressServers?
    /// On a TLS address (`listen ... ssl`): its servers' contexts, refreshed by a reload.
    var tls: TLSAddress?
    /// On a wildcard's socket: the specific addresses of its family and port,
    /// which have no socket of their own (as nginx binds only the wildcard),
    /// by their numeric host as getsockname gives it. Empty unless the port
    /// has both, so that most accepts ask the kernel nothing.
    var specific: [(host: String, listener: Listener)] = []

    init(address: Values.ListenAddress, servers: Router.AddressServers?) {
        self.address = address
        self.servers = servers
    }

    /// The listener whose servers answer a connection accepted on this one's
    /// socket: the specific address it reached, else this one (nginx's
    /// choice). The local address is read once per connection, only when
    /// there is a choice to make.
    func answering(_ fd: Int32) -> Listener {
        guard !specific.isEmpty, let local = try? Socket.localAddress(fd) else { return self }
        return specific.first { $0.host == local.host }?.listener ?? self
    }

    /// `address`'s host as getsockname writes it (`127.0.0.1`, `::1`): a name
    /// resolved as webserv binds it (IPv4), an IPv6 address in its canonical form.
    static func numericHost(of address: Values.ListenAddress) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if address.host.hasPrefix("[") {
            var raw = in6_addr()
            let text = String(address.host.dropFirst().dropLast())
            guard inet_pton(AF_INET6, text, &raw) == 1 else { throw SystemError(call: "inet_pton(\(text))", errorNumber: EINVAL) }
            inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
        } else {
            var raw = try Socket.ipv4Address(address.host)
            inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
        }
        return String(cString: buffer)
    }
}
