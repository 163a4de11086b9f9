import ConfLang

/// A server block as requests see it: built once per configuration and
/// handed out by reference, so routing copies no settings per request.
final class VirtualServer {
    let config: ServerConfig
    /// The server's own settings: the base when no `^` location matches.
    let base: ResolvedLocation
    /// `=` and `^` locations, in configuration order (as `config.locations`).
    let locations: [ResolvedLocation]
    /// Each `$` location laid over each base, resolved in advance:
    /// `overlays[b][s]` for suffix location `s`, with `b` 0 for the server and
    /// `i + 1` for `locations[i]`.
    let overlays: [[ResolvedLocation]]

    init(_ config: ServerConfig) {
        self.config = config
        base = ResolvedLocation(settings: config.base, matchedPrefix: "")
        locations = config.locations.map { location in
            switch location.match {
            case .exact(let pattern), .prefix(let pattern): return ResolvedLocation(settings: location, matchedPrefix: pattern)
            case .server: return ResolvedLocation(settings: location, matchedPrefix: "")
            }
        }
        overlays = ([base] + locations).map { base in
            config.suffixLocations.map { ResolvedLocation(settings: base.settings.applying($0.patch), matchedPrefix: base.matchedPrefix) }
        }
    }

    /// Every set of settings a request can be answered with.
    var everyLocation: [ResolvedLocation] { [base] + locations + overlays.joined() }
}

/// The settings of one location (or a `$` overlay) and the part of the path
/// that selected it (the `^` pattern or `=` path, for `alias`).
final class ResolvedLocation {
    let settings: LocationConfig
    let matchedPrefix: String

    init(settings: LocationConfig, matchedPrefix: String) {
        self.settings = settings
        self.matchedPrefix = matchedPrefix
    }
}

/// Chooses the virtual server and the location settings for a request, by the
/// contract's rules. Pure: no I/O, tested directly.
struct Router {
    let config: WebservConfig
    /// One per server block, in configuration order.
    let servers: [VirtualServer]
    /// Per listen address: its servers (indices into servers), the exact
    /// names, and the default: built once, so choosing a server per request
    /// scans no list.
    private let serversByAddress: [Values.ListenAddress: [Int]]
    private let exactNames: [Values.ListenAddress: [String: Int]]
    private let defaults: [Values.ListenAddress: Int]

    init(config: WebservConfig) {
        self.config = config
        servers = config.servers.map(VirtualServer.init)
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
        let location: ResolvedLocation
        /// For a `$` match: the path up to and including the suffix (the script),
        /// and what follows it (CGI's PATH_INFO).
        var scriptPath: String?
        var pathInfo: String?
        /// The path is a proxy or CGI location's prefix without its final `/`:
        /// answered 301 to the slash form (nginx's auto_redirect).
        var redirectsToSlash = false

        var settings: LocationConfig { location.settings }
        /// The part of the path that selected the base (`^` pattern or `=` path), for `alias`.
        var matchedPrefix: String { location.matchedPrefix }
    }

    /// Virtual server by listen address, then Host: exact name, then the
    /// longest `*.name` / `name.*` wildcard, then the address's default_server,
    /// then the first server on that address.
    func server(for address: Values.ListenAddress, host: String?) -> VirtualServer? {
        guard let candidates = serversByAddress[address], let first = candidates.first else { return nil }
        if let host = host.map(Router.normalizedHost), !host.isEmpty {
            if let exact = exactNames[address]?[host] { return servers[exact] }
            var best: (index: Int, length: Int)?
            for index in candidates {
                for name in config.servers[index].names where Router.wildcard(name, matches: host) {
                    if name.count > best?.length ?? 0 { best = (index, name.count) }
                }
            }
            if let best { return servers[best.index] }
        }
        return servers[defaults[address] ?? first]
    }

    /// `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`. Works on the
    /// bytes: it runs for every request.
    static func normalizedHost(_ host: String) -> String {
        let bytes = host.utf8
        var end = bytes.endIndex
        if bytes.first == UInt8(ascii: "[") {
            if let close = bytes.firstIndex(of: UInt8(ascii: "]")) { end = bytes.index(after: close) }
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            end = colon
        }
        var name = bytes[..<end]
        if name.last == UInt8(ascii: ".") { name = name.dropLast() }
        if name.contains(where: { (65...90).contains($0) }) {
            return String(decoding: name.map(ASCIICase.lower), as: UTF8.self)
        }
        return name.count == bytes.count ? host : String(decoding: name, as: UTF8.self)
    }

    static func wildcard(_ pattern: String, matches host: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) }
        if pattern.hasPrefix(".") { return host == pattern.dropFirst() || host.hasSuffix(pattern) }
        if pattern.hasSuffix(".*") { return host.hasPrefix(pattern.dropLast()) }
        return false
    }

    /// `=` wins; otherwise the longest `^` prefix (or the server) is the base,
    /// and the longest matching `$` suffix location is laid over it.
    func route(_ path: String, in server: VirtualServer) -> Route {
        var baseIndex = 0
        var matchedLength = 0
        var slashRedirect: Int?
        for (index, location) in server.locations.enumerated() {
            switch location.settings.match {
            case .exact(let pattern) where pattern.utf8.elementsEqual(path.utf8):
                return Route(location: location)
            case .prefix(let pattern) where pattern.utf8.count > matchedLength && path.utf8.starts(with: pattern.utf8):
                baseIndex = index + 1
                matchedLength = pattern.utf8.count
            case .prefix(let pattern) where pattern.utf8.count == path.utf8.count + 1 && pattern.utf8.last == UInt8(ascii: "/")
                    && pattern.utf8.starts(with: path.utf8)
                    && (location.settings.proxyPass != nil || location.settings.cgiPath != nil):
                slashRedirect = index
            default:
                continue
            }
        }
        // A prefix equal to the whole path is what the user asked for; else
        // the redirect wins over shorter prefixes and `$` locations, as in nginx.
        if let slashRedirect, matchedLength < path.utf8.count {
            return Route(location: server.locations[slashRedirect], redirectsToSlash: true)
        }
        var best: (index: Int, length: Int, script: String, info: String?)?
        for (index, suffix) in server.config.suffixLocations.enumerated() where suffix.suffix.count > best?.length ?? -1 {
            if let split = Router.split(path, suffix: suffix.suffix) {
                best = (index, suffix.suffix.count, split.script, split.info)
            }
        }
        if let best {
            return Route(location: server.overlays[baseIndex][best.index], scriptPath: best.script, pathInfo: best.info)
        }
        return Route(location: baseIndex == 0 ? server.base : server.locations[baseIndex - 1])
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
