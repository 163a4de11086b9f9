/// Go-to-definition: from an `include` to the files it brings in, and from an
/// `error_page` URI to the location that would answer it.
public enum Definitions {
    public enum Target {
        case file(path: String)
        case range(SourceRange)
    }

    /// `file` must come from a loaded configuration (its includes resolved),
    /// and `placements` from the walk of that configuration.
    public static func targets(at offset: Int, in file: ConfigFile, placements: Placements) -> [Target] {
        guard let (directive, _) = file.directive(at: offset) else { return [] }
        if directive.isInclude {
            return directive.includedFiles.map { .file(path: $0.path) }
        }
        guard directive.nameText == "error_page", let uri = directive.arguments.last, directive.arguments.count >= 2,
              let (index, _) = directive.token(at: offset), index == directive.arguments.count - 1 else { return [] }
        let path = uri.value
        guard path.hasPrefix("/") else { return [] }
        // An error_page outside any server (in http) applies to every server.
        let servers = placements.place(of: directive)?.server.map { [$0] } ?? placements.servers
        return servers.flatMap { server in
            matchingLocations(for: path, in: server).map { Target.range($0.directive.range) }
        }
    }

    /// The locations the Router chooses for `path` in `server` (the rules
    /// webserv and --explain use): the `=` match, the slash redirect of a proxy
    /// or CGI prefix, or the longest `^` prefix with the longest matching `$`
    /// location laid over it; base first. Built from the syntax tree alone
    /// (what routing reads: patterns, proxy_pass, cgi_path), so a file with
    /// errors elsewhere still has definitions.
    public static func matchingLocations(for path: String, in server: Directive) -> [PlacedDirective] {
        var prefixes: [PlacedDirective] = [], suffixes: [PlacedDirective] = []
        var config = ServerConfig(listens: [], defaultFor: [], names: [], base: routingSettings(), locations: [], suffixLocations: [],
                                  headerTimeoutMilliseconds: 0, largeHeaderBufferCount: 0, largeHeaderBufferSize: 0)
        for location in PlacedDirective(directive: server, chain: []).children() where location.name == "location" {
            guard let key = LocationKey(location.arguments) else { continue }
            switch key.modifier {
            case "$":
                suffixes.append(location)
                config.suffixLocations.append(SuffixLocation(suffix: key.pattern, patch: LocationPatch()))
            default:
                prefixes.append(location)
                config.locations.append(routingSettings(key.modifier == "=" ? .exact(key.pattern) : .prefix(key.pattern),
                                                        children: location.children()))
            }
        }
        let router = Router(config: WebservConfig(workerProcesses: 1, workerConnections: 1, pidPath: nil,
                                                  errorLog: LogTarget(path: "", level: ""), servers: [config], baseDirectory: ""))
        var choice = LocationChoice()
        _ = router.route(path, in: router.servers[0], observer: &choice)
        if let index = choice.exact ?? choice.redirect { return [prefixes[index]] }
        return [choice.base.map { prefixes[$0] }, choice.suffix.map { suffixes[$0] }].compactMap { $0 }
    }

    /// A location's settings as far as routing reads them: its match, and
    /// whether it proxies or runs CGI (the slash redirect).
    private static func routingSettings(_ match: LocationConfig.Match = .server, children: [PlacedDirective] = []) -> LocationConfig {
        let proxyPass = children.last { $0.name == "proxy_pass" }?.arguments.first.flatMap { try? Values.proxyURL($0.value).get() }
        let cgiPath = children.last { $0.name == "cgi_path" }?.arguments.first?.value
        return LocationConfig(
            match: match, root: "", alias: nil, index: [], autoindex: false, errorPages: [:], clientMaxBodySize: 0,
            clientBodyTimeoutMilliseconds: 0, keepaliveTimeoutMilliseconds: 0, sendTimeoutMilliseconds: 0, mimeTypes: MimeTable([:]),
            defaultType: "", charset: nil, accessLog: nil, errorLog: LogTarget(path: "", level: ""), allowedMethods: [],
            cgiPath: cgiPath, cgiTimeoutMilliseconds: 0, uploadStore: nil, proxyPass: proxyPass, returnAction: nil)
    }
}

/// What the Router chose, watched: indices into the server's `=`/`^` and `$` locations.
private struct LocationChoice: RouteObserver {
    var exact: Int?
    var base: Int?
    var redirect: Int?
    var suffix: Int?

    mutating func exactMatch(location index: Int) { exact = index }
    mutating func newBase(location index: Int) { base = index }
    mutating func slashRedirectCandidate(location index: Int) {}
    mutating func redirectedToSlash(location index: Int) { redirect = index }
    mutating func passedOver(location index: Int) {}
    mutating func newSuffix(_ index: Int) { suffix = index }
    mutating func passedOver(suffix index: Int) {}
}
