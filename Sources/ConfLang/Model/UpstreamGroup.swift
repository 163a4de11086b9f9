/// `upstream NAME { server ADDR [weight=N] ...; }`: a group of servers that
/// `proxy_pass http://NAME` spreads requests over, as nginx's upstream module.
/// Its entries are not directives of the main table (`server` here is not the
/// `server` block): `UpstreamGroup.entry` parses each, and the checker
/// (UpstreamChecks.swift) reports what it refuses.
public struct UpstreamGroup: Equatable {
    public struct Server: Equatable {
        public var host: String
        public var port: Int
        public var weight = 1
        /// 0: failures never make the server unavailable.
        public var maxFails = 1
        public var failTimeoutMilliseconds = 10_000
        public var backup = false
        public var down = false
        /// The port was written (nginx's consistent hash ring hashes the address as written).
        public var portWritten = true

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `HOST:PORT`, as the error log and `--explain` write it.
        public var address: String { "\(host):\(port)" }
    }

    /// How a server is chosen for a request.
    public enum Balancing: Equatable {
        /// nginx's smooth weighted round-robin (the default).
        case roundRobin
        /// Fewest active requests, weighted; ties by round-robin.
        case leastConnections
        /// The client's IPv4 network (first three octets) or whole IPv6 address.
        case ipHash
        /// A key made of text and `hashKeyVariables`; `consistent`: a ketama ring.
        case hash(key: String, consistent: Bool)

        public var directive: String {
            switch self {
            case .roundRobin: return "round-robin"
            case .leastConnections: return "least_conn"
            case .ipHash: return "ip_hash"
            case .hash(let key, let consistent): return "hash \(key)\(consistent ? " consistent" : "")"
            }
        }
    }

    public var name: String
    public var servers: [Server] = []
    public var balancing = Balancing.roundRobin
    /// `keepalive N`: idle connections kept per server; nil when not written
    /// (the pool's defaults then, as for a single proxy_pass address).
    public var keepalive: Int?
    public var keepaliveTimeoutMilliseconds = 60_000

    public init(name: String) { self.name = name }

    /// The variables a `hash` key may hold: what a request gives without
    /// nginx's other modules.
    public static let hashKeyVariables = ["remote_addr", "request_uri", "uri", "args"]

    /// The block's entries, with what each does (completion offers them).
    public static let entries: [(name: String, detail: String)] = [
        ("server", "a server of the group: HOST[:PORT] [weight=N] [max_fails=N] [fail_timeout=TIME] [backup] [down]"),
        ("keepalive", "idle connections kept per server"), ("keepalive_timeout", "how long an idle connection is kept (60s)"),
        ("keepalive_requests", "accepted, no effect"), ("least_conn", "the server with the fewest active requests"),
        ("ip_hash", "one server per client network"), ("hash", "one server per key: hash KEY [consistent]"),
        ("zone", "accepted, no effect: one process's state"),
    ]

    /// One entry of the block, or why it is refused (`argument`: which one, nil for the name).
    public enum Entry: Equatable {
        case server(Server)
        case balancing(Balancing)
        case keepalive(Int)
        case keepaliveTimeout(Int)
        /// Accepted for nginx's sake (`zone`, `keepalive_requests`).
        case noEffect
    }

    public struct Problem: Error, Equatable {
        public let message: String
        /// The argument at fault, nil for the entry's name.
        public let argument: Int?
    }

    /// Parses one entry: `name` and its argument values.
    public static func entry(_ name: String, _ values: [String]) -> Result<Entry, Problem> {
        func arity(_ range: ClosedRange<Int>, _ usage: String) -> Problem? {
            range.contains(values.count) ? nil : Problem(message: "'\(name)' in 'upstream' takes \(usage)", argument: nil)
        }
        func number(_ index: Int, minimum: Int) -> Int? {
            Values.wholeNumber(Substring(values[index])).flatMap { $0 >= minimum ? $0 : nil }
        }
        switch name {
        case "server":
            if let problem = arity(1...6, "an address and parameters: server HOST[:PORT] [weight=N] [max_fails=N] [fail_timeout=TIME] [backup] [down]") {
                return .failure(problem)
            }
            return server(values)
        case "least_conn", "ip_hash":
            if let problem = arity(0...0, "no arguments") { return .failure(problem) }
            return .success(.balancing(name == "ip_hash" ? .ipHash : .leastConnections))
        case "hash":
            if let problem = arity(1...2, "a key and optionally 'consistent': hash KEY [consistent]") { return .failure(problem) }
            if values.count == 2 && values[1] != "consistent" {
                return .failure(Problem(message: "invalid parameter '\(values[1])' of 'hash': only 'consistent' may follow the key", argument: 1))
            }
            if let unknown = unsupportedVariable(in: values[0]) {
                let known = hashKeyVariables.map { "$" + $0 }.joined(separator: ", ")
                return .failure(Problem(message: "'hash' key variable '\(unknown)' is not one webserv can compute: use \(known)", argument: 0))
            }
            return .success(.balancing(.hash(key: values[0], consistent: values.count == 2)))
        case "keepalive":
            if let problem = arity(1...1, "a number: keepalive N") { return .failure(problem) }
            guard let count = number(0, minimum: 1) else {
                return .failure(Problem(message: "invalid value '\(values[0])' of 'keepalive': use a number of connections from 1", argument: 0))
            }
            return .success(.keepalive(count))
        case "keepalive_timeout":
            if let problem = arity(1...1, "a time: keepalive_timeout TIME") { return .failure(problem) }
            guard let time = Values.milliseconds(values[0]) else {
                return .failure(Problem(message: "invalid time '\(values[0])' of 'keepalive_timeout' (e.g. 60s)", argument: 0))
            }
            return .success(.keepaliveTimeout(time))
        case "keepalive_requests":
            if let problem = arity(1...1, "a number: keepalive_requests N") { return .failure(problem) }
            guard number(0, minimum: 0) != nil else {
                return .failure(Problem(message: "invalid value '\(values[0])' of 'keepalive_requests': use a number", argument: 0))
            }
            return .success(.noEffect)
        case "zone":
            if let problem = arity(1...2, "a name and optionally a size: zone NAME [SIZE]") { return .failure(problem) }
            if values.count == 2 && Values.size(values[1]) == nil {
                return .failure(Problem(message: "invalid size '\(values[1])' of 'zone' (e.g. 64k)", argument: 1))
            }
            return .success(.noEffect)
        default:
            return .failure(Problem(message: "unknown directive '\(name)' in 'upstream': it holds server, keepalive, keepalive_timeout, keepalive_requests, least_conn, ip_hash, hash and zone",
                                    argument: nil))
        }
    }

    /// `server ADDR [weight=N] [max_fails=N] [fail_timeout=TIME] [backup] [down]`.
    static func server(_ values: [String]) -> Result<Entry, Problem> {
        let address = values[0]
        if address.hasPrefix("unix:") {
            return .failure(Problem(message: "upstream server '\(address)': webserv connects to upstreams over TCP only; listen on HOST:PORT", argument: 0))
        }
        if address.hasPrefix("[") {
            return .failure(Problem(message: "IPv6 upstream server '\(address)': webserv connects to upstreams over IPv4 only", argument: 0))
        }
        var host = Substring(address), port = 80
        if let colon = address.lastIndex(of: ":") {
            guard let value = Values.wholeNumber(address[address.index(after: colon)...]), (1...65535).contains(value) else {
                return .failure(Problem(message: "invalid port in upstream server '\(address)': use a number from 1 to 65535", argument: 0))
            }
            port = value
            host = address[..<colon]
        }
        guard Values.isHostName(String(host)) else {
            return .failure(Problem(message: "invalid host in upstream server '\(address)': use HOST[:PORT]", argument: 0))
        }
        var server = Server(host: String(host), port: port)
        server.portWritten = address.contains(":")
        for (index, parameter) in values.enumerated().dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2 ? String(parts[1]) : nil
            switch (String(parts[0]), value) {
            case ("weight", let text?):
                guard let weight = Values.wholeNumber(Substring(text)), weight >= 1 else {
                    return .failure(Problem(message: "invalid weight '\(text)' of upstream server: use a number from 1", argument: index))
                }
                server.weight = weight
            case ("max_fails", let text?):
                guard let fails = Values.wholeNumber(Substring(text)) else {
                    return .failure(Problem(message: "invalid max_fails '\(text)' of upstream server: use a number (0: never unavailable)", argument: index))
                }
                server.maxFails = fails
            case ("fail_timeout", let text?):
                guard let time = Values.milliseconds(text) else {
                    return .failure(Problem(message: "invalid fail_timeout '\(text)' of upstream server (e.g. 10s)", argument: index))
                }
                server.failTimeoutMilliseconds = time
            case ("backup", nil): server.backup = true
            case ("down", nil): server.down = true
            default:
                return .failure(Problem(message: "unsupported parameter '\(parameter)' of upstream server: use weight=N, max_fails=N, fail_timeout=TIME, backup or down",
                                        argument: index))
            }
        }
        return .success(.server(server))
    }

    /// The first `$variable` of a hash key webserv cannot compute, if any.
    static func unsupportedVariable(in key: String) -> String? {
        var rest = Substring(key)
        while let dollar = rest.firstIndex(of: "$") {
            rest = rest[rest.index(after: dollar)...]
            let braced = rest.hasPrefix("{")
            if braced { rest = rest.dropFirst() }
            let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            rest = rest.dropFirst(name.count)
            if braced {
                guard rest.hasPrefix("}") else { return "${" + name }
                rest = rest.dropFirst()
            }
            if !hashKeyVariables.contains(String(name)) { return "$" + name }
        }
        return nil
    }

    /// The client address `ip_hash` hashes (nginx: an IPv4 address's first
    /// three bytes, PeerSelection's part; all sixteen of an IPv6 one).
    public static func ipHashBytes(_ host: String) -> [UInt8] {
        IPAddress(host)?.bytes ?? Array(host.utf8)
    }

    /// A `hash` key's value for a request: its variables replaced by what
    /// they are (`hashKeyVariables`), the rest as written.
    public static func hashKey(_ key: String, remoteAddress: String, target: String, path: String, query: String?) -> [UInt8] {
        var result = ""
        var rest = Substring(key)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            let braced = rest.hasPrefix("{")
            if braced { rest = rest.dropFirst() }
            let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            rest = rest.dropFirst(name.count)
            if braced && rest.hasPrefix("}") { rest = rest.dropFirst() }
            switch name {
            case "remote_addr": result += remoteAddress
            case "request_uri": result += target
            case "uri": result += path
            case "args": result += query ?? ""
            default: break
            }
        }
        return Array((result + rest).utf8)
    }

    /// A group from its block's entries (checked before: refused ones are skipped).
    public static func build(name: String, entries: [(name: String, values: [String])]) -> UpstreamGroup {
        var group = UpstreamGroup(name: name)
        for (entryName, values) in entries {
            guard case .success(let entry) = UpstreamGroup.entry(entryName, values) else { continue }
            switch entry {
            case .server(let server): group.servers.append(server)
            case .balancing(let balancing): group.balancing = balancing
            case .keepalive(let count): group.keepalive = count
            case .keepaliveTimeout(let time): group.keepaliveTimeoutMilliseconds = time
            case .noEffect: break
            }
        }
        return group
    }
}
