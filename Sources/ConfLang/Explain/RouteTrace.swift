/// The router's steps for one path, recorded while `Router.route` runs (the
/// same loops webserv runs, watched), then read back as one verdict per
/// location: chosen, or why it lost.
struct RouteTrace: RouteObserver {
    private(set) var visitedLocations = Set<Int>()
    private(set) var visitedSuffixes = Set<Int>()
    private(set) var exact: Int?
    private(set) var base: Int?
    private(set) var slashCandidates = Set<Int>()
    private(set) var redirect: Int?
    private(set) var suffix: Int?

    mutating func exactMatch(location index: Int) { visitedLocations.insert(index); exact = index }
    mutating func newBase(location index: Int) { visitedLocations.insert(index); base = index }
    mutating func slashRedirectCandidate(location index: Int) { visitedLocations.insert(index); slashCandidates.insert(index) }
    mutating func redirectedToSlash(location index: Int) { redirect = index }
    mutating func passedOver(location index: Int) { visitedLocations.insert(index) }
    mutating func newSuffix(_ index: Int) { visitedSuffixes.insert(index); suffix = index }
    mutating func passedOver(suffix index: Int) { visitedSuffixes.insert(index) }

    /// One entry per `=`/`^` location, then per `$` location, in configuration order.
    func entries(for path: String, in server: VirtualServer) -> [Explanation.LocationEntry] {
        let locations = server.config.locations
        func title(_ index: Int) -> String {
            switch locations[index].match {
            case .exact(let pattern): return "= \(pattern)"
            case .prefix(let pattern): return "^ \(pattern)"
            case .server: return "the server"
            }
        }
        var result: [Explanation.LocationEntry] = []
        for (index, location) in locations.enumerated() {
            let place = Explanation.Place(location.origins.block)
            var entry: Explanation.LocationEntry
            switch location.match {
            case .exact(let pattern):
                entry = .init(modifier: "=", pattern: pattern, place: place, role: "lost", reason: "")
                if exact == index {
                    entry.role = "base"
                    entry.reason = "the path is exactly '\(pattern)': an '=' match wins at once"
                } else if !visitedLocations.contains(index), let exact {
                    entry.reason = "not looked at: the '\(title(exact))' match ended the search"
                } else {
                    entry.reason = "the path is not exactly '\(pattern)'"
                }
            case .prefix(let pattern):
                entry = .init(modifier: "^", pattern: pattern, place: place, role: "lost", reason: "")
                let matches = Router.isPrefix(pattern, of: path)
                if redirect == index {
                    entry.role = "redirect"
                    entry.reason = "the path is this location's prefix without its final '/', and the location has "
                        + (location.proxyPass != nil ? "proxy_pass" : location.fastcgi.pass != nil ? "fastcgi_pass" : "cgi_path") + ": 301 to the slash form (nginx's auto_redirect)"
                } else if exact == nil && redirect == nil && base == index {
                    entry.role = "base"
                    entry.reason = "the longest '^' prefix that matches the path"
                } else if !visitedLocations.contains(index), let exact {
                    entry.reason = "not looked at: the '\(title(exact))' match ended the search"
                } else if matches, let exact {
                    entry.reason = "matches, but the '\(title(exact))' match wins"
                } else if matches, let redirect {
                    entry.reason = "matches, but the redirect of '\(title(redirect))' wins over shorter prefixes"
                } else if matches, let base {
                    entry.reason = "matches, but '\(title(base))' is longer (the longest prefix wins)"
                } else if slashCandidates.contains(index), let base {
                    entry.reason = "the path and a '/' would be this prefix (a slash redirect), but '\(title(base))' matches the whole path"
                } else {
                    entry.reason = "the path does not start with '\(pattern)'"
                }
            case .server:
                continue
            }
            result.append(entry)
        }
        let suffixes = server.config.suffixLocations
        for (index, location) in suffixes.enumerated() {
            var entry = Explanation.LocationEntry(modifier: "$", pattern: location.suffix, place: Explanation.Place(location.patch.origins.block),
                                                  role: "lost", reason: "")
            let split = Router.split(path, suffix: location.suffix)
            if let exact {
                entry.reason = "not looked at: the '\(title(exact))' match ended the search"
            } else if let redirect {
                entry.reason = "not looked at: the slash redirect of '\(title(redirect))' ended the search"
            } else if suffix == index, let split {
                entry.role = "overlay"
                let how = split.info.map { "has '\(location.suffix)' followed by '/' (PATH_INFO \($0))" } ?? "ends with '\(location.suffix)'"
                entry.reason = "the path \(how): its directives are laid over the base (the longest matching suffix)"
            } else if split != nil, let suffix {
                let winner = suffixes[suffix].suffix
                entry.reason = winner.count > location.suffix.count
                    ? "matches, but '$ \(winner)' is longer (the longest suffix wins)"
                    : "matches, but '$ \(winner)' is as long and comes first"
            } else {
                entry.reason = "the path neither ends with '\(location.suffix)' nor has '\(location.suffix)/' in it"
            }
            result.append(entry)
        }
        return result
    }
}
