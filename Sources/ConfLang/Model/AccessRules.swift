/// `allow` and `deny` of one block, in order (nginx's access module): the
/// first rule that matches the client decides; none matching allows. A
/// block with any of them replaces the list it inherits as a whole.
public struct AccessRules: Equatable {
    public struct Rule: Equatable {
        public var allows: Bool
        /// nil: `all`.
        public var network: IPNetwork?
        /// As written (`10.0.0.0/8`, `all`), for `--explain`.
        public var text: String

        /// nginx keeps a list per address family, with `all` in each: a rule
        /// of the other family is passed over.
        func matches(_ client: IPAddress) -> Bool {
            guard let network else { return true }
            return network.contains(client)
        }
    }

    public var rules: [Rule] = []

    public init(rules: [Rule] = []) { self.rules = rules }

    /// The rules of a block's `allow` and `deny` directives, in the order written.
    static func parse(_ block: [PlacedDirective]) -> AccessRules {
        AccessRules(rules: block.compactMap { item -> Rule? in
            guard item.name == "allow" || item.name == "deny", let text = item.arguments.first?.value else { return nil }
            if text == "all" { return Rule(allows: item.name == "allow", network: nil, text: text) }
            guard let (network, _) = IPNetwork.parse(text) else { return nil }
            return Rule(allows: item.name == "allow", network: network, text: text)
        })
    }

    /// What the rules say about `client` (an address as webserv's accept
    /// gives it, IPv4-mapped IPv6 checked as IPv4 as nginx does): allowed
    /// or not, and the index of the rule that decided (nil: none matched,
    /// allowed). A client whose address is not IP (none here) matches only `all`.
    public func decide(client: String) -> (allowed: Bool, rule: Int?) {
        guard !rules.isEmpty else { return (true, nil) }
        let address = IPAddress(client).map { $0.mappedIPv4 ?? $0 }
        for (index, rule) in rules.enumerated() {
            let matches = address.map(rule.matches) ?? (rule.network == nil)
            if matches { return (rule.allows, index) }
        }
        return (true, nil)
    }

    /// The value check of `allow`/`deny`'s argument: the problem, or nil.
    static func problem(_ values: [String], _ index: Int) -> String? {
        let text = values[index]
        if text == "all" || IPNetwork.parse(text) != nil { return nil }
        if text.hasPrefix("unix:") { return "'\(text)': UNIX-domain clients are not supported (webserv listens on TCP only)" }
        return "invalid address '\(text)': use an IPv4 or IPv6 address, ADDRESS/PREFIX, or all"
    }

    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "ADDRESS[/PREFIX]|all",
        completions: [("all", "every client"), ("127.0.0.1", "this machine (IPv4)"), ("::1", "this machine (IPv6)"),
                      ("10.0.0.0/8", "a private network")],
        code: .valueAccessAddress, problem: problem)
}

/// `auth_basic`, `auth_basic_user_file` and `satisfy` of a location.
public struct BasicAuth: Equatable {
    /// `auth_basic REALM`; nil for `off` (the default).
    public var realm: String?
    /// `auth_basic_user_file FILE`, absolute.
    public var userFile: String?

    public init(realm: String? = nil, userFile: String? = nil) {
        self.realm = realm
        self.userFile = userFile
    }

    /// nginx asks for a password only with both a realm and a user file.
    public var isOn: Bool { realm != nil && userFile != nil }
}

/// `satisfy all|any`'s value syntax.
enum Satisfy {
    static let customValue = DirectiveSpec.CustomValue(
        placeholder: "all|any",
        completions: [("all", "both the address rules and the password must let a request in"),
                      ("any", "either the address rules or the password lets a request in")],
        code: .valueSatisfy, problem: { values, index in
            ["all", "any"].contains(values[index]) ? nil : "invalid value '\(values[index])' for 'satisfy': use all or any"
        })
}
