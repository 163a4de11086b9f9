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

    init(address: Values.ListenAddress, servers: Router.AddressServers?) {
        self.address = address
        self.servers = servers
    }
}
