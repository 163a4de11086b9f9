import Glibc

/// webserv's own TLS-side decisions (Sources/webserv/TLS/TLSServerName.swift):
/// what a connection's first byte means on a TLS port, and which server a
/// client's server name (SNI) chooses. Byte 0 is the first byte, the rest the
/// name. Properties: a handshake is 0x16 or a byte with the high bit set,
/// anything else plain HTTP; a normalized name is lower case, without a final
/// dot, of letters, digits, '-', '_' and non-empty labels, and normalizing it
/// again changes nothing; the name chooses the server Host would, an invalid
/// one the default server; case and a final dot change nothing; nothing crashes.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let first = data[0]
    let kind = TLSServerName.classify(firstByte: first)
    guard (kind == .handshake) == (first == 0x16 || first >= 0x80) else { propertyFailure("byte \(first) read as \(kind)") }
    let name = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let chosen = TLSServerName.server(named: name, in: servers, router: router)
    guard let normalized = TLSServerName.normalized(name) else {
        guard chosen === servers.defaultServer else { propertyFailure("invalid name \(name) chose \(chosen.config.names)") }
        return 0
    }
    let bytes = Array(normalized.utf8)
    guard !bytes.isEmpty, bytes.last != UInt8(ascii: "."), bytes.first != UInt8(ascii: "."),
          bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 || $0 == 46 }),
          !normalized.contains("..") else { propertyFailure("normalized \(name) to \(normalized)") }
    guard TLSServerName.normalized(bytes) == normalized else { propertyFailure("normalizing \(normalized) again changed it") }
    guard chosen === router.server(in: servers, host: normalized) else { propertyFailure("\(normalized) chose another server than Host") }
    let shouted = name.map { (97...122).contains($0) ? $0 - 32 : $0 } + [UInt8(ascii: ".")]
    if TLSServerName.normalized(shouted) != nil {
        guard TLSServerName.server(named: shouted, in: servers, router: router) === chosen else { propertyFailure("case or a final dot changed the server of \(normalized)") }
    }
    return 0
}

private let configuration = """
http {
    server { listen 443 ssl; server_name exact.test; ssl_certificate c; ssl_certificate_key k; }
    server { listen 443 ssl default_server; server_name *.example.com; ssl_certificate c; ssl_certificate_key k; }
    server { listen 443 ssl; server_name www.example.com www.shop.*; ssl_certificate c; ssl_certificate_key k; }
    server { listen 443 ssl; server_name .org; ssl_certificate c; ssl_certificate_key k; }
}
"""

private let router: Router = {
    let result = Linter.lint(path: "/fuzz.conf", bytes: Array(configuration.utf8))
    guard !result.diagnostics.hasErrors else { propertyFailure("the fuzz configuration does not check: \(result.diagnostics.map(\.message))") }
    return Router(config: ModelBuilder.build(result.config, baseDirectory: "/"))
}()

private let servers: Router.AddressServers = {
    guard let servers = router.servers(on: Values.ListenAddress(host: "*", port: 443)) else { propertyFailure("no servers on *:443") }
    return servers
}()

private func propertyFailure(_ message: String) -> Never {
    fputs("PROPERTY FAILED: \(message)\n", stderr)
    abort()
}
