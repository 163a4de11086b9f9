/// What the cross-server checks need to know about one server.
struct ServerFacts {
    struct Listen {
        let address: Values.ListenAddress
        let isDefault: Bool
        let placed: PlacedDirective
        /// Where `default_server` is written (after `ssl`, say), else the address.
        var defaultRange: SourceRange {
            (placed.arguments.dropFirst().first { ["default_server", "default"].contains($0.value) } ?? placed.arguments[0]).range
        }
    }
    var listens: [Listen] = []
    var names: [(name: String, argument: Argument, placed: PlacedDirective)] = []
    /// The `server` directive (its name is where a server without `listen` is shown).
    var block: PlacedDirective?
}

extension CheckRun {
    /// Per-server checks (locations) and the facts for cross-server checks.
    /// `block` is nil when a fragment is checked with `--context server`.
    mutating func checkServer(_ children: [PlacedDirective], block: PlacedDirective?) {
        var facts = ServerFacts()
        facts.block = block
        var locations: [String: PlacedDirective] = [:]
        for item in children {
            switch item.name {
            case "listen":
                guard let first = item.arguments.first, case .success(let address) = Values.listenAddress(first.value) else { continue }
                if let earlier = facts.listens.first(where: { $0.address == address }) {
                    emit(.error(.listenDuplicate, "a duplicate listen \(address) in this server (nginx refuses it too)",
                                at: first.range, notes: [.init("first listed here", at: earlier.placed.arguments[0].range)]), for: item)
                    continue
                }
                let isDefault = item.arguments.dropFirst().contains { ["default_server", "default"].contains($0.value) }
                facts.listens.append(.init(address: address, isDefault: isDefault, placed: item))
            case "server_name":
                for argument in item.arguments { facts.names.append((argument.value.lowercased(), argument, item)) }
            case "location":
                guard let key = LocationKey(item.arguments) else { continue }
                if !key.pattern.hasPrefix("/") && key.modifier != "$" {
                    emit(.warning(.locationNeverMatches,
                                  "location pattern '\(key.pattern)' does not start with '/' and can never match a request path",
                                  at: item.arguments.last!.range), for: item)
                }
                if let first = locations[key.description] {
                    emit(.error(.locationDuplicate, "duplicate location '\(key.description)' in this server",
                                at: item.arguments.last!.range,
                                notes: [.init("first defined here", at: first.directive.name.range)]), for: item)
                } else {
                    locations[key.description] = item
                }
            default: break
            }
        }
        if block != nil { servers.append(facts) }
    }

    /// Two `default_server` on one address; two servers on one address with
    /// the same explicit name. A server without `listen` listens on *:80.
    mutating func checkListenConflicts() {
        var defaults: [Values.ListenAddress: ServerFacts.Listen] = [:]
        var namesByAddress: [Values.ListenAddress: [String: (argument: Argument, server: Int)]] = [:]
        for (serverIndex, server) in servers.enumerated() {
            var addresses: [Values.ListenAddress] = []
            for listen in server.listens {
                if !addresses.contains(listen.address) { addresses.append(listen.address) }
                guard listen.isDefault else { continue }
                if let first = defaults[listen.address] {
                    emit(.error(.serverDuplicateDefault,
                                "a second default_server for \(listen.address); only one server per address can be the default",
                                at: listen.defaultRange,
                                notes: [.init("the first default_server for \(listen.address) is here", at: first.defaultRange)]),
                         for: listen.placed)
                } else {
                    defaults[listen.address] = listen
                }
            }
            if server.listens.isEmpty { addresses = [Values.ListenAddress(host: "*", port: 80)] }
            for address in addresses {
                for entry in server.names {
                    if let first = namesByAddress[address]?[entry.name], first.server != serverIndex {
                        emit(.error(.serverDuplicateName,
                                    "server name '\(entry.argument.value)' on \(address) is already used by another server; requests for it would never reach this one",
                                    at: entry.argument.range,
                                    notes: [.init("first used here", at: first.argument.range)]), for: entry.placed)
                    } else if namesByAddress[address]?[entry.name] == nil {
                        namesByAddress[address, default: [:]][entry.name] = (entry.argument, serverIndex)
                    }
                }
            }
        }
        checkImplicitDefaults()
    }

    /// gixy-next's default_server_flag: several servers on one address and
    /// none marked default_server. The first answers unknown hosts, as in
    /// nginx; say which one that is, once per address (with at most three
    /// of the others as notes: a port may have hundreds of servers).
    private mutating func checkImplicitDefaults() {
        var order: [Values.ListenAddress] = []
        var sharing: [Values.ListenAddress: [(server: Int, at: SourceRange, placed: PlacedDirective)]] = [:]
        var hasDefault = Set<Values.ListenAddress>()
        for (index, server) in servers.enumerated() {
            var entries: [(Values.ListenAddress, SourceRange, PlacedDirective)] = server.listens.map { ($0.address, $0.placed.arguments[0].range, $0.placed) }
            if entries.isEmpty, let block = server.block { entries = [(Values.ListenAddress(host: "*", port: 80), block.directive.name.range, block)] }
            for listen in server.listens where listen.isDefault { hasDefault.insert(listen.address) }
            for (address, range, placed) in entries where sharing[address]?.last?.server != index {
                if sharing[address] == nil { order.append(address) }
                sharing[address, default: []].append((index, range, placed))
            }
        }
        for address in order where !hasDefault.contains(address) {
            guard let group = sharing[address], group.count > 1, let first = group.first else { continue }
            let name = servers[first.server].names.first.map { "'\($0.argument.value)'" } ?? "the first (it has no server_name)"
            emit(.warning(.serverImplicitDefault,
                          "\(group.count) servers listen on \(address) and none is default_server: \(name), the first, answers requests for unknown hosts and without Host; say which with 'default_server'",
                          at: first.at, notes: group.dropFirst().prefix(3).map { .init("another server on \(address)", at: $0.at) }),
                 for: first.placed)
        }
    }

    /// Directives a location may hold whose effect depends on the others.
    mutating func checkLocationBody(_ location: PlacedDirective, children: [PlacedDirective]) {
        guard let key = LocationKey(location.arguments) else { return }
        for item in children where item.name == "alias" {
            checkAliasSlash(alias: item, locationPattern: key.pattern, modifier: key.modifier)
        }
        for item in children where item.name == "proxy_pass" {
            checkProxyPathSlash(proxy: item, locationPattern: key.pattern, modifier: key.modifier)
        }
    }
}

/// A location's modifier and pattern; `location /a` is `location ^ /a`.
struct LocationKey: CustomStringConvertible {
    let modifier: String
    let pattern: String

    init?(_ arguments: [Argument]) {
        switch arguments.count {
        case 1: modifier = "^"; pattern = arguments[0].value
        case 2: modifier = arguments[0].value; pattern = arguments[1].value
        default: return nil
        }
        guard ["=", "^", "$"].contains(modifier), !pattern.hasPrefix("@"),
              !["=", "^", "$", "~", "~*", "^~"].contains(pattern) else { return nil }
    }

    var description: String { "\(modifier) \(pattern)" }
}
