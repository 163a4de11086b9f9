/// What nginx refuses at start about a `listen ... ssl` (ngx_http_ssl_module's
/// init and merge): the server must have a certificate, and each certificate
/// its key. What the files hold is checked elsewhere (they are read then).
extension CheckRun {
    mutating func checkTLSListens(_ children: [PlacedDirective]) {
        let spliced = children.filter { !$0.directive.isInclude }
        let ssl = spliced.filter { $0.name == "listen" }.compactMap { listen in
            listen.arguments.dropFirst().first { $0.value == "ssl" }.map { (listen, $0) }
        }
        guard !ssl.isEmpty else { return }
        // The server's own settings win over http's, as nginx merges them.
        func setting(_ name: String) -> [PlacedDirective] {
            let own = spliced.filter { $0.name == name }
            return own.isEmpty ? httpDirectives.filter { $0.name == name } : own
        }
        let certificates = setting("ssl_certificate"), keys = setting("ssl_certificate_key")
        if certificates.isEmpty {
            for (listen, argument) in ssl {
                emit(.error(.tlsNoCertificate,
                            "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive (nginx refuses it too): add 'ssl_certificate' and 'ssl_certificate_key' to this server or to http",
                            at: argument.range), for: listen)
            }
            return
        }
        for certificate in certificates.dropFirst(keys.count) {
            let path = certificate.arguments.first?.value ?? ""
            emit(.error(.tlsNoCertificate,
                        "no \"ssl_certificate_key\" is defined for certificate \"\(path)\" (nginx refuses it too): add 'ssl_certificate_key' for it, in the same order",
                        at: certificate.directive.name.range), for: certificate)
        }
    }
}
