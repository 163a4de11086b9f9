import Glibc

/// The checks of the files `ssl_certificate` and `ssl_certificate_key` name:
/// what nginx only tries to load at start (a file that cannot be read, is not
/// PEM, a key that does not match), and what it never looks at (the chain's
/// order, expiry, the names covered, a key readable by everyone). The files
/// are read through the `CertificateInspector` passed in; each file is read once.
struct CertificateChecks {
    let inspector: any CertificateInspector
    let baseDirectory: String
    /// Seconds since 1970: expiry is judged against it.
    let now: Int64
    /// Expiring within this many seconds is a warning.
    static let expiryWarning: Int64 = 14 * 86_400

    private(set) var diagnostics: [Diagnostic] = []
    private var chains: [String: Result<CertificateChain, CertificateFileProblem>] = [:]
    private var keys: [String: Result<PrivateKeyFacts, CertificateFileProblem>] = [:]

    init(inspector: any CertificateInspector, baseDirectory: String, now: Int64) {
        self.inspector = inspector
        self.baseDirectory = baseDirectory
        self.now = now
    }

    mutating func check(_ top: [PlacedDirective], context: Context) -> [Diagnostic] {
        let map = TLSServerMap(top, context: context)
        for block in map.httpBlocks { checkBlock(block) }
        for server in map.servers {
            checkBlock(server.own, inherited: server.effective)
            if map.isTLS(server) { checkNames(server) }
        }
        checkProxyFiles(top)
        return diagnostics
    }

    /// The files `proxy_ssl_trusted_certificate`, `proxy_ssl_certificate` and
    /// `proxy_ssl_certificate_key` name, wherever written: webserv loads them
    /// when it applies the configuration and refuses it when one fails, as nginx.
    private mutating func checkProxyFiles(_ placed: [PlacedDirective]) {
        for item in placed where !item.directive.isInclude {
            switch item.name {
            case "proxy_ssl_trusted_certificate", "proxy_ssl_certificate":
                if let path = path(item), case .failure(let problem) = loadChain(path) { report(problem, item, what: "certificate") }
            case "proxy_ssl_certificate_key":
                if let path = path(item), case .failure(let problem) = loadKey(path) { report(problem, item, what: "key") }
            default:
                if item.directive.block != nil { checkProxyFiles(item.children()) }
            }
        }
    }

    // MARK: files and pairs

    /// The files a block writes, and its pairs of certificate and key (a
    /// block that writes only one of the two pairs it with the inherited other).
    private mutating func checkBlock(_ own: TLSServerMap.Block, inherited: TLSServerMap.Block? = nil) {
        guard own.writesAny else { return }
        let effective = inherited ?? own
        var leafFirstReported = Set<String>()
        for (index, key) in effective.keys.enumerated() where index < effective.certificates.count {
            let certificate = effective.certificates[index]
            // A pair both inherited was checked where it was written.
            guard own.certificates.contains(where: { $0.directive === certificate.directive })
                    || own.keys.contains(where: { $0.directive === key.directive }) else { continue }
            guard let chainPath = path(certificate), let keyPath = path(key),
                  case .success(let chain) = loadChain(chainPath), case .success(let facts) = loadKey(keyPath),
                  let leaf = chain.certificates.first else { continue }
            if leaf.publicKey == facts.publicKey { continue }
            if let position = chain.certificates.firstIndex(where: { $0.publicKey == facts.publicKey }) {
                guard own.certificates.contains(where: { $0.directive === certificate.directive }) else { continue }
                leafFirstReported.insert(chainPath)
                emit(.error(.certificateChainOrder,
                            "'\(value(certificate))' starts with \(describe(leaf)), but the key '\(value(key))' belongs to certificate \(position + 1) in it, \(describe(chain.certificates[position])): the server's own certificate must come first",
                            at: certificate.arguments[0].range,
                            notes: [.init("the key is set here", at: key.arguments[0].range)]), for: certificate)
            } else {
                emit(.error(.certificateKeyMismatch,
                            "the key '\(value(key))' does not belong to the certificate '\(value(certificate))' (\(describe(leaf))); the TLS handshake could not be made",
                            at: key.arguments[0].range,
                            notes: [.init("the certificate is set here", at: certificate.arguments[0].range)]), for: key)
            }
        }
        for certificate in own.certificates {
            guard let path = path(certificate) else { continue }
            switch loadChain(path) {
            case .failure(let problem): report(problem, certificate, what: "certificate")
            case .success(let chain):
                if !leafFirstReported.contains(path) { checkOrder(chain, certificate) }
                checkDates(chain, certificate)
            }
        }
        for key in own.keys {
            guard let path = path(key) else { continue }
            switch loadKey(path) {
            case .failure(let problem): report(problem, key, what: "key")
            case .success(let facts) where facts.readableByEveryone:
                emit(.warning(.certificateKeyWorldReadable,
                              "the private key '\(value(key))' can be read by every local user; run 'chmod 600 \(path)'",
                              at: key.arguments[0].range), for: key)
            case .success: break
            }
        }
    }

    private mutating func report(_ problem: CertificateFileProblem, _ item: PlacedDirective, what: String) {
        let range = item.arguments[0].range
        switch problem {
        case .unreadable(let reason):
            emit(.error(.certificateUnreadable, "cannot read the \(item.name) file '\(value(item))': \(reason)", at: range), for: item)
        case .notPEM(let found):
            emit(.error(.certificateNotPEM, "'\(value(item))' is not a PEM \(what) file: \(found)", at: range), for: item)
        case .invalid(let reason):
            emit(.error(.certificateNotPEM, "'\(value(item))' cannot be read as a PEM \(what): \(reason)", at: range), for: item)
        }
    }

    /// The leaf first (no CA certificate before a certificate that is not
    /// one), then each certificate followed by its issuer.
    private mutating func checkOrder(_ chain: CertificateChain, _ item: PlacedDirective) {
        let certificates = chain.certificates
        if let first = certificates.first, first.isCA,
           let leaf = certificates.firstIndex(where: { !$0.isCA }) {
            emit(.error(.certificateChainOrder,
                        "'\(value(item))' starts with the CA certificate \(describe(first)); the server's own certificate, \(describe(certificates[leaf])), is number \(leaf + 1): put it first",
                        at: item.arguments[0].range), for: item)
            return
        }
        for (index, signed) in chain.signedByNext.enumerated() where !signed && index + 1 < certificates.count {
            emit(.warning(.certificateChainBroken,
                          "in '\(value(item))', certificate \(index + 2) (\(certificates[index + 1].subject)) did not issue certificate \(index + 1) (\(describe(certificates[index])), issued by \(certificates[index].issuer)); put each certificate's issuer right after it",
                          at: item.arguments[0].range), for: item)
            return
        }
    }

    /// The certificate of the file that expires first decides.
    private mutating func checkDates(_ chain: CertificateChain, _ item: PlacedDirective) {
        let range = item.arguments[0].range
        if let early = chain.certificates.first(where: { $0.notBefore > now }) {
            emit(.error(.certificateExpired,
                         "\(describe(early)) in '\(value(item))' is not valid before \(Self.date(early.notBefore)); check the clock, or wait for it",
                         at: range), for: item)
            return
        }
        guard let first = chain.certificates.min(by: { $0.notAfter < $1.notAfter }) else { return }
        if first.notAfter <= now {
            emit(.error(.certificateExpired,
                        "\(describe(first)) in '\(value(item))' expired on \(Self.date(first.notAfter)); clients refuse it: renew it",
                        at: range), for: item)
        } else if first.notAfter - now <= Self.expiryWarning {
            let days = (first.notAfter - now) / 86_400
            emit(.warning(.certificateExpiring,
                          "\(describe(first)) in '\(value(item))' expires on \(Self.date(first.notAfter)), in \(days == 0 ? "less than a day" : days == 1 ? "1 day" : "\(days) days"): renew it",
                          at: range), for: item)
        }
    }

    // MARK: names

    /// Each `server_name` of a TLS server is named by one of the
    /// certificates it presents (several: RSA and ECDSA side by side).
    private mutating func checkNames(_ server: TLSServerMap.Server) {
        var leaves: [CertificateFacts] = []
        for certificate in server.effective.certificates {
            // A chain out of order is reported as such; its names are the leaf's wherever it stands.
            guard let path = path(certificate), case .success(let chain) = loadChain(path),
                  let leaf = chain.certificates.first(where: { !$0.isCA }) ?? chain.certificates.first else { return }
            leaves.append(leaf)
        }
        guard let certificate = server.effective.certificates.first, !leaves.isEmpty else { return }
        let covered = leaves.flatMap(\.names)
        for (argument, placed) in server.names {
            guard let hosts = CertificateNames.hosts(forServerName: argument.value) else { continue }
            let missing = hosts.filter { !CertificateNames.certificate(names: covered, cover: $0) }
            guard !missing.isEmpty else { continue }
            let what = missing == [argument.value.lowercased()] ? "server_name '\(argument.value)' is"
                : "'\(missing.joined(separator: "' and '"))' of server_name '\(argument.value)' \(missing.count == 1 ? "is" : "are")"
            let list = covered.isEmpty ? "it names no host" : "it covers \(covered.joined(separator: ", "))"
            emit(.warning(.certificateNameNotCovered,
                          "\(what) not covered by the certificate '\(value(certificate))' (\(list)); clients connecting by that name refuse it",
                          at: argument.range,
                          notes: [.init("the certificate is set here", at: certificate.arguments[0].range)]), for: placed)
        }
    }

    // MARK: support

    /// The file a directive names, resolved; nil for what cannot be read
    /// ahead: a path with variables (loaded per handshake) or nginx's `data:` value.
    private func path(_ item: PlacedDirective) -> String? {
        let text = value(item)
        if text.contains("$") || text.hasPrefix("data:") { return nil }
        return text.hasPrefix("/") || baseDirectory.isEmpty ? text : baseDirectory + "/" + text
    }

    private func value(_ item: PlacedDirective) -> String { item.arguments[0].value }

    private mutating func loadChain(_ path: String) -> Result<CertificateChain, CertificateFileProblem> {
        if let known = chains[path] { return known }
        let result = inspector.chain(at: path)
        chains[path] = result
        return result
    }

    private mutating func loadKey(_ path: String) -> Result<PrivateKeyFacts, CertificateFileProblem> {
        if let known = keys[path] { return known }
        let result = inspector.privateKey(at: path)
        keys[path] = result
        return result
    }

    private func describe(_ certificate: CertificateFacts) -> String {
        "'\(certificate.subject)'"
    }

    private mutating func emit(_ diagnostic: Diagnostic, for placed: PlacedDirective) {
        var diagnostic = diagnostic
        diagnostic.notes += placed.chainNotes
        diagnostics.append(diagnostic)
    }

    /// `2026-12-21 13:05 UTC`.
    static func date(_ seconds: Int64) -> String {
        var time = time_t(seconds), parts = tm()
        gmtime_r(&time, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }
}
