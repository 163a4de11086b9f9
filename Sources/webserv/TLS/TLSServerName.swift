import ConfLang

/// The pure parts of a TLS port: what the first byte a client sends says
/// (a handshake, or plain HTTP sent to the wrong port), and which server a
/// client's server name (SNI) chooses. Fuzzed (fuzz/targets/tls_server_name.swift).
enum TLSServerName {
    /// What a connection on a TLS port begins with.
    enum FirstByte: Equatable {
        /// A TLS record (handshake, 0x16) or an SSLv2-style hello (high bit set): OpenSSL's to read.
        case handshake
        /// Anything else: a plain HTTP request, answered nginx's 400 "The plain HTTP request was sent to HTTPS port".
        case plain
    }

    /// nginx's test (ngx_http_ssl_handshake): 0x16, or a byte with the high bit set.
    static func classify(firstByte byte: UInt8) -> FirstByte {
        byte == 0x16 || byte & 0x80 != 0 ? .handshake : .plain
    }

    /// A server name as a client sent it, as a `server_name` is compared:
    /// lower case, without a final dot; nil when it cannot be a host name
    /// (empty, a byte outside letters, digits, `-`, `_` and `.`, an empty
    /// label), which then chooses no server (the default one answers).
    static func normalized(_ name: some Collection<UInt8>) -> String? {
        var bytes = Array(name)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        var previous: UInt8 = UInt8(ascii: ".")
        for index in bytes.indices {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes[index] = byte + 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): break
            case UInt8(ascii: "."): if previous == UInt8(ascii: ".") { return nil }
            default: return nil
            }
            previous = byte
        }
        guard previous != UInt8(ascii: ".") else { return nil }   // `name..`: an empty last label
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The server whose certificate a client naming `name` gets on an
    /// address: the one its `server_name`s choose, as `Host` does; an
    /// unknown, invalid or absent name gets the address's default server.
    static func server(named name: (some Collection<UInt8>)?, in servers: Router.AddressServers, router: Router) -> VirtualServer {
        guard let name, let host = normalized(name) else { return servers.defaultServer }
        return router.server(in: servers, host: host)
    }
}
