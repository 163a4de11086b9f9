/// What nginx refuses when it merges a `proxy_pass https://` location's
/// `proxy_ssl_*` (ngx_http_proxy_set_ssl): verification without a trusted
/// certificate, a client certificate without its key; and what it silently
/// ignores: `proxy_ssl_*` written in a location that proxies over plain http.
/// Settings inherit from http and server, each directive on its own.
extension CheckRun {
    mutating func checkProxySSL(_ top: [PlacedDirective], context: Context) {
        var reported = Set<ObjectIdentifier>()
        if context == .location {
            checkProxySSLLocation(top.filter { !$0.directive.isInclude }, inherited: [:], reported: &reported)
        } else {
            checkProxySSLBlock(top, inherited: [:], reported: &reported)
        }
    }

    /// main, http or server: the block's own `proxy_ssl_*` over its parent's.
    private mutating func checkProxySSLBlock(_ placed: [PlacedDirective], inherited: [String: PlacedDirective],
                                             reported: inout Set<ObjectIdentifier>) {
        let spliced = placed.filter { !$0.directive.isInclude }
        var settings = inherited
        for item in spliced where item.name.hasPrefix("proxy_ssl_") { settings[item.name] = item }
        for item in spliced {
            switch item.name {
            case "http", "server": checkProxySSLBlock(item.children(), inherited: settings, reported: &reported)
            case "location": checkProxySSLLocation(item.children(), inherited: settings, reported: &reported)
            default: break
            }
        }
    }

    private mutating func checkProxySSLLocation(_ children: [PlacedDirective], inherited: [String: PlacedDirective],
                                                reported: inout Set<ObjectIdentifier>) {
        guard let pass = children.last(where: { $0.name == "proxy_pass" }), let argument = pass.arguments.first,
              case .success(let url) = Values.proxyURL(argument.value) else { return }
        let own = children.filter { $0.name.hasPrefix("proxy_ssl_") }
        guard url.secure else {
            for item in own {
                emit(.warning(.proxySSLNoEffect,
                              "'\(item.name)' has no effect here: this location's proxy_pass '\(argument.value)' is plain http (write https:// to speak TLS to the upstream)",
                              at: item.directive.name.range, notes: [.init("proxy_pass is here", at: argument.range)]), for: item)
            }
            return
        }
        var settings = inherited
        for item in own { settings[item.name] = item }
        if let verify = settings["proxy_ssl_verify"], verify.arguments.first?.value == "on",
           settings["proxy_ssl_trusted_certificate"] == nil, reported.insert(ObjectIdentifier(verify.directive)).inserted {
            emit(.error(.proxySSLIncomplete,
                        "no proxy_ssl_trusted_certificate for proxy_ssl_verify (nginx refuses it too): add 'proxy_ssl_trusted_certificate FILE;' with the CA certificates the upstream's chain must end at",
                        at: verify.directive.name.range, notes: [.init("the https upstream is here", at: argument.range)]), for: verify)
        }
        if let certificate = settings["proxy_ssl_certificate"], settings["proxy_ssl_certificate_key"] == nil,
           reported.insert(ObjectIdentifier(certificate.directive)).inserted {
            emit(.error(.proxySSLIncomplete,
                        "no \"proxy_ssl_certificate_key\" is defined for certificate \"\(certificate.arguments.first?.value ?? "")\" (nginx refuses it too): add 'proxy_ssl_certificate_key FILE;'",
                        at: certificate.directive.name.range), for: certificate)
        }
    }
}
