import COpenSSL
import Glibc
import ConfLang

/// The TLS side of one listening address under one configuration: each of
/// its servers' contexts, and the default server's, which every handshake
/// begins with (its protocols, ciphers and sessions are the ones in effect,
/// as in nginx) until the client's server name chooses another's certificate
/// and options.
/// Built by `apply` for every TLS address; a reload builds new ones.
final class TLSAddress {
    let router: Router
    let servers: Router.AddressServers
    let defaultContext: TLSContext
    private let contexts: [ObjectIdentifier: TLSContext]

    private init(router: Router, servers: Router.AddressServers, defaultContext: TLSContext, contexts: [ObjectIdentifier: TLSContext]) {
        self.router = router
        self.servers = servers
        self.defaultContext = defaultContext
        self.contexts = contexts
    }

    /// The context for a client's server name (SNI); a server without a
    /// certificate of its own is served the default server's (nginx).
    func context(forName name: UnsafePointer<CChar>?) -> TLSContext {
        let server: VirtualServer
        if let name {
            server = TLSServerName.server(named: UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self),
                                                                     count: strlen(name)), in: servers, router: router)
        } else {
            server = servers.defaultServer
        }
        return contexts[ObjectIdentifier(server)] ?? defaultContext
    }

    /// The TLS side of every TLS address of `router`'s configuration; a
    /// certificate or key that fails to load fails the whole configuration,
    /// with the file and OpenSSL's reason.
    static func build(_ router: Router, ticketKeys: TLSTicketKeys?) -> Result<[Values.ListenAddress: TLSAddress], TLSFailure> {
        let addresses = router.config.tlsAddresses
        guard !addresses.isEmpty else { return .success([:]) }
        var contexts: [ObjectIdentifier: TLSContext] = [:]
        // nginx's ALPN offers h2 for the server SNI chose when it has `http2 on`, or when any
        // server lists its address with `listen ... http2` (the address's own setting).
        let http2Addresses = router.config.servers.reduce(into: Set<Values.ListenAddress>()) { $0.formUnion($1.http2Addresses) }
        do {
            for server in router.servers where !server.config.tls.certificates.isEmpty
                && !server.config.listens.allSatisfy({ !addresses.contains($0) }) {
                contexts[ObjectIdentifier(server)] = try TLSContext(settings: server.config.tls, ticketKeys: ticketKeys,
                                                                    identity: identity(of: server.config.tls),
                                                                    http2: server.config.http2 || server.config.listens.contains(where: http2Addresses.contains))
            }
        } catch let failure as TLSFailure {
            return .failure(failure)
        } catch {
            return .failure(TLSFailure("\(error)"))
        }
        var result: [Values.ListenAddress: TLSAddress] = [:]
        for address in addresses {
            guard let servers = router.servers(on: address) else { continue }
            guard let defaultContext = contexts[ObjectIdentifier(servers.defaultServer)] else {
                return .failure(TLSFailure("no \"ssl_certificate\" is defined for the default server of \(address), a TLS address"))
            }
            result[address] = TLSAddress(router: router, servers: servers, defaultContext: defaultContext, contexts: contexts)
        }
        return .success(result)
    }

    /// Why the configuration's certificates and keys cannot be used, for `-t`
    /// (as `nginx -t` loads them); nil when they load.
    static func check(_ config: WebservConfig) -> String? {
        if case .failure(let failure) = build(Router(config: config), ticketKeys: nil) { return failure.description }
        return nil
    }

    /// A session's context id (at most 32 bytes): the same certificates, the same id, as nginx's digest of them.
    static func identity(of settings: TLSSettings) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a
        for byte in settings.certificates.joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Array(String(hash, radix: 16).utf8)
    }
}
