import ConfLang

/// Chooses the virtual server and the location settings for a request, by the
/// contract's rules. Pure: no I/O, tested directly.
struct Router {
    let config: WebservConfig
    /// Per listen address: its servers (indices into config.servers), the
    /// exact names, and the default: built once, so choosing a server per
    /// request copies nothing and scans no list.
    private let serversByAddress: [Values.ListenAddress: [Int]]
    private let exactNames: [Values.ListenAddress: [String: Int]]
    private let defaults: [Values.ListenAddress: Int]

    init(config: WebservConfig) {
        self.config = config
        var byAddress: [Values.ListenAddress: [Int]] = [:]
        var names: [Values.ListenAddress: [String: Int]] = [:]
        var defaults: [Values.ListenAddress: Int] = [:]
        for (index, server) in config.servers.enumerated() {
            for address in server.listens {
                byAddress[address, default: []].append(index)
                for name in server.names where names[address]?[name] == nil { names[address, default: [:]][name] = index }
                if server.defaultFor.contains(address) && defaults[address] == nil { defaults[address] = index }
            }
        }
        serversByAddress = byAddress
        exactNames = names
        self.defaults = defaults
    }

    /// The location chosen for a path, with a `$` location already laid over its base.
    struct Route {
        var settings: LocationConfig
        /// The part of the path that selected the base (`^` pattern or `=` path), for `alias`.
        var matchedPrefix: String
        /// For a `$` match: the path up to and including the suffix (the script),
        /// and what follows it (CGI's PATH_INFO).
        var scriptPath: String?
        var pathInfo: String?
    }

    /// Virtual server by listen address, then Host: exact name, then the
    /// longest `*.name` / `name.*` wildcard, then the address's default_server,
    /// then the first server on that address.
    func server(for address: Values.ListenAddress, host: String?) -> ServerConfig? {
        guard let candidates = serversByAddress[address], let first = candidates.first else { return nil }
        if let host = host.map(Router.normalizedHost), !host.isEmpty {
            if let exact = exactNames[address]?[host] { return config.servers[exact] }
            var best: (index: Int, length: Int)?
            for index in candidates {
                for name in config.servers[index].names where Router.wildcard(name, matches: host) {
                    if name.count > best?.length ?? 0 { best = (index, name.count) }
                }
            }
            if let best { return config.servers[best.index] }
        }
        return config.servers[defaults[address] ?? first]
    }

    /// `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`.
    static func normalizedHost(_ host: String) -> String {
        // The common case, a lower-case name without port, needs no work.
        if !host.utf8.contains(where: { $0 == UInt8(ascii: ":") || (65...90).contains($0) }),
           host.utf8.last != UInt8(ascii: ".") {
            return host
        }
        var value = Substring(host.lowercased())
        if value.hasPrefix("[") {
            if let close = value.firstIndex(of: "]") { value = value[...close] }
        } else if let colon = value.lastIndex(of: ":") {
            value = value[..<colon]
        }
        if value.hasSuffix(".") { value = value.dropLast() }
        return String(value)
    }

    static func wildcard(_ pattern: String, matches host: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) }
        if pattern.hasPrefix(".") { return host == pattern.dropFirst() || host.hasSuffix(pattern) }
        if pattern.hasSuffix(".*") { return host.hasPrefix(pattern.dropLast()) }
        return false
    }

    /// `=` wins; otherwise the longest `^` prefix (or the server) is the base,
    /// and the longest matching `$` suffix location is laid over it.
    func route(_ path: String, in server: ServerConfig) -> Route {
        var base: LocationConfig = server.base
        var matched = ""
        for location in server.locations {
            switch location.match {
            case .exact(let pattern) where pattern == path:
                return Route(settings: location, matchedPrefix: pattern)
            case .prefix(let pattern) where path.hasPrefix(pattern) && pattern.count > matched.count:
                base = location
                matched = pattern
            default:
                continue
            }
        }
        var route = Route(settings: base, matchedPrefix: matched)
        var bestSuffix: (location: SuffixLocation, script: String, info: String?)?
        for suffix in server.suffixLocations where suffix.suffix.count > bestSuffix?.location.suffix.count ?? -1 {
            if let split = Router.split(path, suffix: suffix.suffix) {
                bestSuffix = (suffix, split.script, split.info)
            }
        }
        if let bestSuffix {
            route.settings = base.applying(bestSuffix.location.patch)
            route.scriptPath = bestSuffix.script
            route.pathInfo = bestSuffix.info
        }
        return route
    }

    /// `/a/b.py` → (`/a/b.py`, nil); `/a/b.py/x/y` → (`/a/b.py`, `/x/y`);
    /// the first path segment that ends with the suffix is the script.
    static func split(_ path: String, suffix: String) -> (script: String, info: String?)? {
        guard !suffix.isEmpty else { return nil }
        if let found = path.firstRange(of: suffix + "/") {
            let scriptEnd = path.index(found.upperBound, offsetBy: -1)
            return (String(path[..<scriptEnd]), String(path[scriptEnd...]))
        }
        return path.hasSuffix(suffix) ? (path, nil) : nil
    }
}
