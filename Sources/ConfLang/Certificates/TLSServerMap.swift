/// Which servers listen with TLS and which certificate and key files each
/// presents, read from the syntax tree: what the certificate checks and
/// `confcheck --explain https://` need. As nginx: an `ssl` on any `listen`
/// of an address makes that address TLS for every server on it, and a
/// server inherits http's `ssl_certificate` and `ssl_certificate_key` each
/// on its own when it does not write it.
public struct TLSServerMap {
    public struct Listen {
        public let address: Values.ListenAddress
        public let ssl: Bool
        public let isDefault: Bool
    }

    /// A block that writes certificates or keys (an http block or a server).
    public struct Block {
        public var certificates: [PlacedDirective] = []
        public var keys: [PlacedDirective] = []
        public var writesAny: Bool { !certificates.isEmpty || !keys.isEmpty }
    }

    public struct Server {
        /// The `server` directive (nil for a fragment checked with `--context server`).
        public let block: PlacedDirective?
        public var listens: [Listen] = []
        public var names: [(argument: Argument, placed: PlacedDirective)] = []
        /// Its own `ssl_certificate`s and keys.
        public var own = Block()
        /// What it presents: its own, else the enclosing http block's, each list on its own.
        public var effective = Block()
    }

    /// Servers in configuration order, as `WebservConfig.servers` holds them.
    public var servers: [Server] = []
    /// The http blocks' own certificates and keys.
    public var httpBlocks: [Block] = []
    /// Addresses where some server listens with `ssl`.
    public var tlsAddresses = Set<Values.ListenAddress>()

    /// `top`: the main file's directives (includes spliced in), standing in `context`.
    public init(_ top: [PlacedDirective], context: Context = .main) {
        switch context {
        case .main:
            for http in top where http.name == "http" { readHTTP(http.children()) }
        case .http:
            readHTTP(top)
        case .server:
            readServer(top, block: nil, inherited: Block())
        default:
            break
        }
    }

    public init(_ config: LoadedConfig, context: Context = .main) {
        self.init(PlacedDirective.splice(config.main.nodes), context: context)
    }

    /// Whether a server is reached over TLS on at least one of its addresses.
    public func isTLS(_ server: Server) -> Bool {
        server.listens.contains { tlsAddresses.contains($0.address) }
    }

    private mutating func readHTTP(_ children: [PlacedDirective]) {
        let http = Self.certificatesAndKeys(children)
        httpBlocks.append(http)
        for server in children where server.name == "server" {
            readServer(server.children(), block: server, inherited: http)
        }
    }

    private mutating func readServer(_ children: [PlacedDirective], block: PlacedDirective?, inherited: Block) {
        var server = Server(block: block)
        server.own = Self.certificatesAndKeys(children)
        server.effective.certificates = server.own.certificates.isEmpty ? inherited.certificates : server.own.certificates
        server.effective.keys = server.own.keys.isEmpty ? inherited.keys : server.own.keys
        for item in children {
            switch item.name {
            case "listen":
                guard let first = item.arguments.first, case .success(let address) = Values.listenAddress(first.value) else { continue }
                let parameters = item.arguments.dropFirst().map(\.value)
                let ssl = parameters.contains("ssl")
                if ssl { tlsAddresses.insert(address) }
                server.listens.append(Listen(address: address, ssl: ssl,
                                             isDefault: parameters.contains("default_server") || parameters.contains("default")))
            case "server_name":
                server.names += item.arguments.map { ($0, item) }
            default:
                break
            }
        }
        if server.listens.isEmpty { server.listens = [Listen(address: Values.ListenAddress(host: "*", port: 80), ssl: false, isDefault: false)] }
        servers.append(server)
    }

    private static func certificatesAndKeys(_ children: [PlacedDirective]) -> Block {
        var block = Block()
        for item in children where !item.arguments.isEmpty {
            if item.name == "ssl_certificate" { block.certificates.append(item) }
            if item.name == "ssl_certificate_key" { block.keys.append(item) }
        }
        return block
    }
}
