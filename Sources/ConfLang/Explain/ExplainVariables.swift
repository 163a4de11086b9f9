/// The variables `confcheck --explain` can know from the request it is given
/// (its URL, method and fields) and the configuration (`set`, `map`); the
/// others (the client's address, the time, the answer's status) only a real
/// connection has, so they are shown as written (`$remote_addr`).
struct ExplainVariables {
    let method: String
    let target: String
    var path: String
    let query: String?
    let host: String?
    let headers: [(name: String, value: String)]
    let serverName: String
    let location: ResolvedLocation
    /// `--from ADDRESS`, when given: `$remote_addr` and what holds it.
    var clientAddress: String? = nil
    /// proxy_pass's upstream, for `$proxy_host`.
    var upstream: Values.ProxyURL? = nil
    /// The request's path before try_files changed `path`: a `set` took its
    /// value then (nginx's rewrite phase, as webserv's `RequestHandler.rewritePhase`).
    var requestPath: String? = nil

    func evaluate(_ template: VariableTemplate, depth: Int = 0) -> String {
        template.evaluate { variable in value(variable, depth: depth) ?? "$" + name(of: variable) }
    }

    private func field(_ name: String) -> String? {
        let values = headers.filter { $0.name.lowercased() == name }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    private func value(_ variable: Variable, depth: Int) -> String? {
        switch variable {
        case .host:
            // As webserv's: lower case, without the port or a trailing dot.
            guard let host, !host.isEmpty else { return serverName }
            return Router.normalizedHost(host)
        case .uri: return path
        case .requestURI: return target
        case .args: return query ?? ""
        case .isArgs: return query == nil ? "" : "?"
        case .scheme: return "http"
        case .https: return ""
        case .request: return "\(method) \(target) HTTP/1.1"
        case .requestMethod: return method
        case .serverName: return serverName
        case .serverProtocol: return "HTTP/1.1"
        case .header(let name): return field(name) ?? ""
        case .contentType: return field("content-type") ?? ""
        case .contentLength: return field("content-length") ?? ""
        case .documentRoot: return location.settings.alias ?? location.settings.root
        case .remoteAddr: return clientAddress
        case .proxyHost: return upstream.map(UpstreamFieldPlan.hostField)
        case .proxyAddXForwardedFor:
            guard let clientAddress else { return nil }
            return field("x-forwarded-for").map { $0 + ", " + clientAddress } ?? clientAddress
        case .nginxVersion: return ConfLangVersion.current
        case .argument(let name):
            for pair in (query ?? "").split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts[0].lowercased() == name { return parts.count > 1 ? String(parts[1]) : "" }
            }
            return ""
        case .cookie(let name):
            for pair in (field("cookie") ?? "").split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                if let equals = trimmed.firstIndex(of: "="), trimmed[..<equals].lowercased() == name {
                    return String(trimmed[trimmed.index(after: equals)...])
                }
            }
            return ""
        case .defined(let name):
            guard depth < 16 else { return "" }
            if let set = location.settings.setVariables.last(where: { $0.name == name }) {
                var before = self
                before.path = requestPath ?? path
                return before.evaluate(set.value, depth: depth + 1)
            }
            guard let map = location.settings.variableMaps.byName[name] else { return "" }
            return evaluate(map.value(for: evaluate(map.source, depth: depth + 1)), depth: depth + 1)
        default: return nil
        }
    }

    private func name(of variable: Variable) -> String {
        Variable.builtIn.first { $0.value == variable }?.key ?? "\(variable)"
    }
}
