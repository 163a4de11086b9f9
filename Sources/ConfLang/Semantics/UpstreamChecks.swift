/// `upstream NAME { ... }` bodies: each entry through `UpstreamGroup.entry`
/// (the model's own parse, so the checker and the model agree), the block as
/// a whole, and group names given twice.
extension CheckRun {
    mutating func checkUpstreamBody(_ entries: [PlacedDirective], block: PlacedDirective?) {
        var balancing: PlacedDirective?
        var backup: (PlacedDirective, Argument)?
        var servers = 0
        for entry in entries where !entry.directive.isInclude {
            let directive = entry.directive
            let name = directive.nameText
            if name == "server" { servers += 1 }
            if let inner = directive.block {
                emit(.error(.upstreamEntry, "'\(name)' in 'upstream' does not take a block; end it with ';'", at: inner.open), for: entry)
                continue
            }
            switch UpstreamGroup.entry(name, entry.arguments.map(\.value)) {
            case .failure(let problem):
                let range = problem.argument.map { entry.arguments[$0].range } ?? directive.name.range
                emit(.error(name == "server" && problem.argument != nil ? .upstreamServer : .upstreamEntry, problem.message, at: range), for: entry)
            case .success(.server(let server)):
                checkUpstreamServerHost(server.host, entry)
                if server.backup, backup == nil, let argument = entry.arguments.first(where: { $0.value == "backup" }) {
                    backup = (entry, argument)
                }
            case .success(.balancing):
                if let earlier = balancing {
                    emit(.error(.upstreamBalancing, "load balancing method redefined: '\(name)' after '\(earlier.name)'; keep one",
                                at: directive.name.range, notes: [.init("first set here", at: earlier.directive.name.range)]), for: entry)
                } else {
                    balancing = entry
                }
            case .success(.noEffect):
                emit(Diagnostic(.note, .directiveNoEffect, "'\(name)' is accepted for nginx's sake and has no effect: \(name == "zone" ? "each worker keeps its group's state" : "webserv keeps an upstream connection while it is good")",
                                at: directive.name.range), for: entry)
            case .success:
                break
            }
        }
        if let balancing, balancing.name != "least_conn", let (entry, argument) = backup {
            emit(.error(.upstreamBalancing, "'backup' servers cannot be used with '\(balancing.name)' (nginx refuses them too)",
                        at: argument.range, notes: [.init("balancing method set here", at: balancing.directive.name.range)]), for: entry)
        }
        // Counted with the refused ones: their own error says what is wrong.
        if servers == 0, let block {
            emit(.error(.upstreamNoServers, "no servers are inside upstream '\(block.arguments.first?.value ?? "")': add 'server HOST[:PORT];'",
                        at: block.directive.name.range), for: block)
        }
    }

    /// A server's name must resolve, as nginx requires (host not found in upstream): webserv resolves it when it starts.
    private mutating func checkUpstreamServerHost(_ host: String, _ entry: PlacedDirective) {
        guard !Values.isIPv4Address(host), let argument = entry.arguments.first else { return }
        if resolvedHosts[host] == nil { resolvedHosts[host] = hostResolver.resolves(host) }
        guard resolvedHosts[host] == false else { return }
        emit(.error(.proxyHostNotFound,
                    "host not found in upstream '\(argument.value)': it does not resolve to an IPv4 address, and webserv resolves it when it starts (nginx refuses it too)",
                    at: argument.range), for: entry)
    }

    /// Two `upstream` blocks with one name (nginx: duplicate upstream); names
    /// compare without case, as nginx's.
    mutating func checkUpstreamNames(_ valid: [(PlacedDirective, DirectiveSpec)]) {
        var first: [String: Argument] = [:]
        for (item, spec) in valid where spec.name == "upstream" {
            guard let argument = item.arguments.first else { continue }
            let key = argument.value.lowercased()
            if let earlier = first[key] {
                emit(.error(.upstreamDuplicate, "duplicate upstream '\(argument.value)'",
                            at: argument.range, notes: [.init("first defined here", at: earlier.range)]), for: item)
            } else {
                first[key] = argument
            }
        }
    }

    /// The names of every `upstream` block in the configuration (proxy_pass
    /// may name one written after it), lower-cased.
    static func upstreamNames(in placed: [PlacedDirective]) -> Set<String> {
        var names = Set<String>()
        for item in placed where item.name == "http" || item.name == "upstream" {
            if item.name == "upstream" {
                if let name = item.arguments.first?.value { names.insert(name.lowercased()) }
            } else {
                names.formUnion(upstreamNames(in: item.children()))
            }
        }
        return names
    }
}
