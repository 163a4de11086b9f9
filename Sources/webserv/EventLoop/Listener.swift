import ConfLang

/// A listening address and the servers that answer on it under the current
/// configuration. Each connection keeps its listener's (one reference, not
/// the address), so a request finds its servers without a lookup by
/// address; a reload refreshes `servers`, and clears it when the address is
/// no longer listened on (the connections still open then get no server).
final class Listener {
    let address: Values.ListenAddress
    var servers: Router.AddressServers?

    init(address: Values.ListenAddress, servers: Router.AddressServers?) {
        self.address = address
        self.servers = servers
    }
}
