/// A server block as requests see it: built once per configuration and
/// handed out by reference, so routing copies no settings per request.
public final class VirtualServer {
    public let config: ServerConfig
    /// The server's own settings: the base when no `^` location matches.
    public let base: ResolvedLocation
    /// `=` and `^` locations, in configuration order (as `config.locations`).
    public let locations: [ResolvedLocation]
    /// Each `$` location laid over each base, resolved in advance:
    /// `overlays[b][s]` for suffix location `s`, with `b` 0 for the server and
    /// `i + 1` for `locations[i]`.
    public let overlays: [[ResolvedLocation]]

    public init(_ config: ServerConfig) {
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
    public var everyLocation: [ResolvedLocation] { [base] + locations + overlays.joined() }
}

/// The settings of one location (or a `$` overlay) and the part of the path
/// that selected it (the `^` pattern or `=` path, for `alias`).
public final class ResolvedLocation {
    public let settings: LocationConfig
    public let matchedPrefix: String
    /// `settings.allowedMethods` as a list: every request asks, and comparing
    /// a few short names is cheaper than hashing one.
    private let allowedMethodList: [String]
    /// The location's `add_header` fields as header lines (`Name: value\r\n`),
    /// made once when no value holds a variable (nil otherwise): those an
    /// answer of nginx's statuses takes (`success`: all of them) and those any
    /// other answer takes (`always`). An empty value adds nothing, as in nginx.
    public let literalAddedLines: (success: [UInt8], always: [UInt8])?

    public init(settings: LocationConfig, matchedPrefix: String) {
        self.settings = settings
        self.matchedPrefix = matchedPrefix
        allowedMethodList = settings.allowedMethods.sorted()
        let added = settings.addedHeaders
        if !added.isEmpty, added.allSatisfy({ $0.value.isLiteral }) {
            func lines(_ headers: [AddedHeader]) -> [UInt8] {
                Array(headers.filter { !$0.value.source.isEmpty }.map { "\($0.name): \($0.value.source)\r\n" }.joined().utf8)
            }
            literalAddedLines = (lines(added), lines(added.filter(\.always)))
        } else {
            literalAddedLines = nil
        }
    }

    public func allows(_ method: String) -> Bool { allowedMethodList.contains(method) }
}

/// Chooses the virtual server and the location settings for a request, by the
/// contract's rules. Pure: no I/O, tested directly. webserv routes every
/// request with it and `confcheck --explain` explains with it: the explainer
/// watches the same loops through a `RouteObserver` (see `route(_:in:observer:)`).
/// A class (immutable): it is consulted for every request, and a struct this
/// size would be copied on the way.
public final class Router {
    public let config: WebservConfig
    /// One per server block, in configuration order.
    public let servers: [VirtualServer]
    /// Per listen address, built once: choosing a server per request is one
    /// lookup and scans no list.
    private let addresses: [Values.ListenAddress: AddressServers]

    /// The servers of one listen address (immutable: read on every request).
    /// webserv keeps its listening sockets' entries, so a request on one looks nothing up by address.
    public final class AddressServers {
        /// Indices into `servers`, in configuration order.
        let servers: [Int]
        /// Each exact `server_name`, to the first server that has it.
        let exactNames: [String: Int]
        /// The address's `default_server`, if one says so.
        let defaultIndex: Int?
        /// The server a request gets before its Host is known (or without a
        /// name that matches): the `default_server`, else the first.
        public let defaultServer: VirtualServer
        /// The one server of an address where only one listens: it answers whatever the host.
        let only: VirtualServer?
        /// A connection here may speak HTTP/2 (h2c with prior knowledge):
        /// as nginx decides before any Host is known, the default server's
        /// `http2 on`, or any server's `listen ... http2` for this address.
        public let speaksHTTP2: Bool

        init(address: Values.ListenAddress, servers: [Int], exactNames: [String: Int], defaultIndex: Int?, in all: [VirtualServer]) {
            self.servers = servers
            self.exactNames = exactNames
            self.defaultIndex = defaultIndex
            defaultServer = all[defaultIndex ?? servers[0]]
            only = servers.count == 1 ? all[servers[0]] : nil
            speaksHTTP2 = defaultServer.config.http2
                || servers.contains { all[$0].config.http2Addresses.contains(address) }
        }
    }

    public init(config: WebservConfig) {
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
        let all = servers
        addresses = Dictionary(uniqueKeysWithValues: byAddress.map { address, indices in
            (address, AddressServers(address: address, servers: indices, exactNames: names[address] ?? [:], defaultIndex: defaults[address], in: all))
        })
    }

    /// The location chosen for a path, with a `$` location already laid over its base.
    public struct Route {
        public let location: ResolvedLocation
        /// For a `$` match: the path up to and including the suffix (the script),
        /// and what follows it (CGI's PATH_INFO).
        public var scriptPath: String?
        public var pathInfo: String?
        /// The path is a proxy or CGI location's prefix without its final `/`:
        /// answered 301 to the slash form (nginx's auto_redirect).
        public var redirectsToSlash = false

        public init(location: ResolvedLocation, scriptPath: String? = nil, pathInfo: String? = nil, redirectsToSlash: Bool = false) {
            self.location = location
            self.scriptPath = scriptPath
            self.pathInfo = pathInfo
            self.redirectsToSlash = redirectsToSlash
        }

        // Inlinable: webserv reads single settings on every request, and a
        // call across the module would copy the whole configuration struct.
        @inlinable public var settings: LocationConfig { location.settings }
        /// The part of the path that selected the base (`^` pattern or `=` path), for `alias`.
        @inlinable public var matchedPrefix: String { location.matchedPrefix }
    }

    /// The server and route that answer a request on `address`: a server
    /// with its own `return` answers before any location is chosen (its own
    /// settings are the route), and so does a request refused before its
    /// path was known (`path` nil).
    public func settings(on address: Values.ListenAddress, host: String?, path: String?) -> (VirtualServer, Route)? {
        settings(in: addresses[address], host: host, path: path)
    }

    /// The same for the servers of an address found already (`servers(on:)`).
    public func settings(in entry: AddressServers?, host: String?, path: String?) -> (VirtualServer, Route)? {
        var observer = IgnoringRouteObserver()
        return settings(in: entry, host: host, path: path, observer: &observer)
    }

    func settings<Observer: RouteObserver>(on address: Values.ListenAddress, host: String?, path: String?,
                                           observer: inout Observer) -> (VirtualServer, Route)? {
        settings(in: addresses[address], host: host, path: path, observer: &observer)
    }

    private func settings<Observer: RouteObserver>(in entry: AddressServers?, host: String?, path: String?,
                                                   observer: inout Observer) -> (VirtualServer, Route)? {
        guard let entry else { return nil }
        let server = server(in: entry, host: host)
        guard let path, server.base.settings.returnAction == nil else { return (server, Route(location: server.base)) }
        return (server, route(path, in: server, observer: &observer))
    }

    /// How `server(for:host:)` chose: what the explainer reports.
    public enum ServerChoice: Equatable {
        /// A `server_name` equal to the host.
        case exactName
        /// The longest `*.name`, `.name` or `name.*` that matches the host.
        case wildcardName(String)
        /// No name matched: the address's `default_server`.
        case defaultServer
        /// No name matched and the address has no `default_server`: its first server.
        case firstServer
    }

    /// Virtual server by listen address, then Host: exact name, then the
    /// longest `*.name` / `name.*` wildcard, then the address's default_server,
    /// then the first server on that address.
    public func server(for address: Values.ListenAddress, host: String?) -> VirtualServer? {
        addresses[address].map { server(in: $0, host: host) }
    }

    /// The servers listening on `address`, for `server(in:host:)` and `settings(in:host:path:)`.
    public func servers(on address: Values.ListenAddress) -> AddressServers? { addresses[address] }

    public func server(in entry: AddressServers, host: String?) -> VirtualServer {
        // The one server of an address answers whatever the host: the host
        // is not looked at (the usual case, and every request pays for it).
        if let only = entry.only { return only }
        return servers[choose(in: entry, host: host).index]
    }

    /// The index (into `servers`) of the server `server(for:host:)` gives, and why.
    public func chooseServer(for address: Values.ListenAddress, host: String?) -> (index: Int, choice: ServerChoice)? {
        addresses[address].map { choose(in: $0, host: host) }
    }

    /// An entry has at least one server (it exists because one listens there).
    private func choose(in entry: AddressServers, host: String?) -> (index: Int, choice: ServerChoice) {
        if let host = host.map(Router.normalizedHost), !host.isEmpty {
            if let exact = entry.exactNames[host] { return (exact, .exactName) }
            var best: (index: Int, name: String)?
            for index in entry.servers {
                for name in config.servers[index].names where Router.wildcard(name, matches: host) {
                    if name.count > best?.name.count ?? 0 { best = (index, name) }
                }
            }
            if let best { return (best.index, .wildcardName(best.name)) }
        }
        if let index = entry.defaultIndex { return (index, .defaultServer) }
        return (entry.servers[0], .firstServer)
    }

    /// The servers listening on `address`, as indices into `servers`, in configuration order.
    public func serverIndices(on address: Values.ListenAddress) -> [Int] { addresses[address]?.servers ?? [] }

    /// `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`. Works on the
    /// bytes: it runs for every request.
    public static func normalizedHost(_ host: String) -> String {
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
            return String(decoding: name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
        return name.count == bytes.count ? host : String(decoding: name, as: UTF8.self)
    }

    public static func wildcard(_ pattern: String, matches host: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) }
        if pattern.hasPrefix(".") { return host == pattern.dropFirst() || host.hasSuffix(pattern) }
        if pattern.hasSuffix(".*") { return host.hasPrefix(pattern.dropLast()) }
        return false
    }

    /// `=` wins; otherwise the longest `^` prefix (or the server) is the base,
    /// and the longest matching `$` suffix location is laid over it.
    public func route(_ path: String, in server: VirtualServer) -> Route {
        var observer = IgnoringRouteObserver()
        return route(path, in: server, observer: &observer)
    }

    /// The one implementation of the location rules. webserv's observer does
    /// nothing (and is specialised away); the explainer's records each step.
    func route<Observer: RouteObserver>(_ path: String, in server: VirtualServer, observer: inout Observer) -> Route {
        var baseIndex = 0
        var matchedLength = 0
        var slashRedirect: Int?
        for (index, location) in server.locations.enumerated() {
            switch location.settings.match {
            case .exact(let pattern) where Router.isExact(pattern, path):
                observer.exactMatch(location: index)
                return Route(location: location)
            case .prefix(let pattern) where pattern.utf8.count > matchedLength && Router.isPrefix(pattern, of: path):
                observer.newBase(location: index)
                baseIndex = index + 1
                matchedLength = pattern.utf8.count
            case .prefix(let pattern) where Router.isSlashRedirect(pattern, for: path, location: location.settings):
                observer.slashRedirectCandidate(location: index)
                slashRedirect = index
            default:
                observer.passedOver(location: index)
            }
        }
        // A prefix equal to the whole path is what the user asked for; else
        // the redirect wins over shorter prefixes and `$` locations, as in nginx.
        if let slashRedirect, matchedLength < path.utf8.count {
            observer.redirectedToSlash(location: slashRedirect)
            return Route(location: server.locations[slashRedirect], redirectsToSlash: true)
        }
        var best: (index: Int, length: Int, script: String, info: String?)?
        for (index, suffix) in server.config.suffixLocations.enumerated() {
            if suffix.suffix.count > best?.length ?? -1, let split = Router.split(path, suffix: suffix.suffix) {
                observer.newSuffix(index)
                best = (index, suffix.suffix.count, split.script, split.info)
            } else {
                observer.passedOver(suffix: index)
            }
        }
        if let best {
            return Route(location: server.overlays[baseIndex][best.index], scriptPath: best.script, pathInfo: best.info)
        }
        return Route(location: baseIndex == 0 ? server.base : server.locations[baseIndex - 1])
    }

    @inline(__always) static func isExact(_ pattern: String, _ path: String) -> Bool {
        pattern.utf8.elementsEqual(path.utf8)
    }

    @inline(__always) static func isPrefix(_ pattern: String, of path: String) -> Bool {
        path.utf8.starts(with: pattern.utf8)
    }

    /// A request for a `proxy_pass`, `fastcgi_pass` or `cgi_path` location's prefix without
    /// its final `/` (`/api` for `location /api/`): nginx's auto_redirect.
    static func isSlashRedirect(_ pattern: String, for path: String, location: LocationConfig) -> Bool {
        pattern.utf8.count == path.utf8.count + 1 && pattern.utf8.last == UInt8(ascii: "/") && pattern.utf8.starts(with: path.utf8)
            && (location.proxyPass != nil || location.cgiPath != nil || location.fastcgi.pass != nil)
    }

    /// `/a/b.py` → (`/a/b.py`, nil); `/a/b.py/x/y` → (`/a/b.py`, `/x/y`);
    /// the first path segment that ends with the suffix is the script.
    public static func split(_ path: String, suffix: String) -> (script: String, info: String?)? {
        guard !suffix.isEmpty else { return nil }
        if let found = path.firstRange(of: suffix + "/") {
            let scriptEnd = path.index(found.upperBound, offsetBy: -1)
            return (String(path[..<scriptEnd]), String(path[scriptEnd...]))
        }
        return path.hasSuffix(suffix) ? (path, nil) : nil
    }
}

/// The steps of `Router.route`, for whoever wants to watch them (the
/// explainer). Indices are into `VirtualServer.locations` and
/// `ServerConfig.suffixLocations`.
protocol RouteObserver {
    /// An `=` location equal to the path: the search ends.
    mutating func exactMatch(location index: Int)
    /// A `^` location longer than every match so far: the base for now.
    mutating func newBase(location index: Int)
    /// A proxy or CGI location whose prefix is the path and a `/`.
    mutating func slashRedirectCandidate(location index: Int)
    /// That candidate is the answer (nothing matched the whole path).
    mutating func redirectedToSlash(location index: Int)
    /// An `=` or `^` location that did not become the answer or the base here.
    mutating func passedOver(location index: Int)
    /// A `$` location longer than every match so far: laid over the base for now.
    mutating func newSuffix(_ index: Int)
    mutating func passedOver(suffix index: Int)
}

/// webserv's observer: every step is a no-op, so the specialised loop is the plain one.
struct IgnoringRouteObserver: RouteObserver {
    @inline(__always) mutating func exactMatch(location index: Int) {}
    @inline(__always) mutating func newBase(location index: Int) {}
    @inline(__always) mutating func slashRedirectCandidate(location index: Int) {}
    @inline(__always) mutating func redirectedToSlash(location index: Int) {}
    @inline(__always) mutating func passedOver(location index: Int) {}
    @inline(__always) mutating func newSuffix(_ index: Int) {}
    @inline(__always) mutating func passedOver(suffix index: Int) {}
}
