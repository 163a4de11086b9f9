/// Warnings in the spirit of gixy: configurations that work but expose more
/// than their author meant.
extension CheckRun {
    mutating func checkSecurity(_ valid: [(PlacedDirective, DirectiveSpec)], in context: Context) {
        // The block's own root, found once: looking it up again for each server made lint quadratic in the servers.
        var blockRoot: String??
        for (item, spec) in valid {
            switch spec.name {
            case "cgi_path":
                let path = resolve(item.arguments[0].value)
                if !FileAccess.isExecutableFile(path) {
                    emit(.warning(.cgiNotExecutable, "cgi_path '\(item.arguments[0].value)' is not an executable file; every script here would fail with 502",
                                  at: item.arguments[0].range), for: item)
                }
            case "autoindex" where (context == .server || context == .http) && item.arguments[0].value == "on":
                emit(.warning(.securityAutoindexSite, "'autoindex on' at \(context.rawValue) level lists every directory of every site it covers; enable it in the locations that need it",
                              at: item.arguments[0].range), for: item)
            case "root", "alias":
                // After `..` is resolved: `root /var/..;` is `/` too.
                guard let value = item.arguments.first?.value, normalize(resolve(value)) == "/" else { continue }
                emit(.warning(.securityRootFilesystem,
                              "'\(spec.name) \(value)' serves the whole file system (/etc/passwd included); point it at the site's own directory",
                              at: item.arguments[0].range), for: item)
            case "error_log" where item.arguments.first?.value == "off":
                emit(.warning(.logErrorLogOff,
                              "'error_log off' does not turn the error log off: it writes to a file named 'off'; use 'error_log /dev/null crit' to discard it",
                              at: item.arguments[0].range), for: item)
            case "location":
                guard let key = LocationKey(item.arguments), key.modifier == "^", key.pattern == "/" else { continue }
                for child in item.children() where child.name == "autoindex" && child.arguments.first?.value == "on" {
                    emit(.warning(.securityAutoindexSite, "'autoindex on' in 'location \(item.arguments.map(\.value).joined(separator: " "))' lists every directory of the site",
                                  at: child.arguments[0].range), for: child)
                }
            case "upload_store":
                sawUploadStore = true
            case "server" where serversWithUploads.contains(ObjectIdentifier(item.directive)):
                if blockRoot == nil { blockRoot = .some(valid.last { $0.1.name == "root" }?.0.arguments.first.map { resolve($0.value) }) }
                checkUploadsRunnable(item, inheritedRoot: blockRoot ?? nil)
            default: break
            }
        }
    }

    /// `location /i { alias /data/; }` lets `/i../x` reach `/data/../x`;
    /// `location /i/ { alias /data; }` maps `/i/x` to `/datax`.
    mutating func checkAliasSlash(alias: PlacedDirective, locationPattern: String, modifier: String) {
        guard modifier == "^", let path = alias.arguments.first?.value else { return }
        let locationSlash = locationPattern.hasSuffix("/")
        let aliasSlash = path.hasSuffix("/")
        if !locationSlash && aliasSlash {
            emit(.warning(.securityAliasTraversal,
                          "alias traversal: location '\(locationPattern)' has no trailing slash but its alias does, so '\(locationPattern)../' reaches the parent of '\(path)'; add a '/' to the location pattern",
                          at: alias.arguments[0].range), for: alias)
        } else if locationSlash && !aliasSlash {
            emit(.warning(.securityAliasTraversal,
                          "alias '\(path)' has no trailing slash but location '\(locationPattern)' has one: '\(locationPattern)x' maps to '\(path)x', and '\(path)' is open to sibling paths; add a '/' to the alias",
                          at: alias.arguments[0].range), for: alias)
        }
        // Neither ends with '/': `/i../x` maps to `/data../x`, a sibling name, never outside; gixy calls it safe.
    }

    /// `location ^ /api { proxy_pass http://h/v1/; }` lets `/api../x` reach
    /// `/v1/../x`; `location /api/ { proxy_pass http://h/v1; }` sends `/api/x` as `/v1x`.
    mutating func checkProxyPathSlash(proxy: PlacedDirective, locationPattern: String, modifier: String) {
        guard modifier == "^", let value = proxy.arguments.first?.value,
              case .success(let url) = Values.proxyURL(value), let path = url.path else { return }
        let locationSlash = locationPattern.hasSuffix("/"), pathSlash = path.hasSuffix("/")
        if !locationSlash && pathSlash {
            emit(.warning(.securityProxyPathTraversal,
                          "location '\(locationPattern)' has no trailing slash but proxy_pass's path '\(path)' does: '\(locationPattern)../x' reaches '\(path)../x' upstream; add a '/' to the location pattern",
                          at: proxy.arguments[0].range), for: proxy)
        } else if locationSlash && !pathSlash {
            emit(.warning(.securityProxyPathTraversal,
                          "proxy_pass's path '\(path)' has no trailing slash but location '\(locationPattern)' has one: '\(locationPattern)x' goes upstream as '\(path)x'; add a '/' to the path",
                          at: proxy.arguments[0].range), for: proxy)
        }
    }

    /// An upload store where a CGI location would run what is uploaded: under
    /// the root or alias of a prefix location with `cgi_path`, or under a root
    /// a `$ SUFFIX` CGI location is laid over (the server's, inherited or its
    /// own, or any prefix location's) unless that `$` location sets its own.
    private mutating func checkUploadsRunnable(_ server: PlacedDirective, inheritedRoot: String?) {
        let children = server.children()
        let serverRoot = children.last { $0.name == "root" }?.arguments.first.map { resolve($0.value) } ?? inheritedRoot
        var baseRoots: [String] = serverRoot.map { [$0] } ?? []
        var stores: [PlacedDirective] = []
        var runnable: [(directory: String, location: PlacedDirective)] = []
        var suffixCGI: [PlacedDirective] = []
        for location in children where location.name == "location" {
            guard let key = LocationKey(location.arguments) else { continue }
            let body = location.children()
            // Whatever a location serves from (root or alias) is reachable by URL.
            let own = body.last { $0.name == "root" || $0.name == "alias" }?.arguments.first.map { resolve($0.value) }
            let runsCGI = body.contains { $0.name == "cgi_path" }
            stores += body.filter { $0.name == "upload_store" }
            switch key.modifier {
            case "$" where runsCGI:
                if let own { runnable.append((own, location)) } else { suffixCGI.append(location) }
            case "$": break
            default:
                if let own { baseRoots.append(own) }
                if runsCGI, let directory = own ?? serverRoot { runnable.append((directory, location)) }
            }
        }
        for location in suffixCGI { runnable += baseRoots.map { ($0, location) } }
        for store in stores {
            guard let value = store.arguments.first?.value else { continue }
            let directory = normalize(resolve(value))
            guard let hit = runnable.first(where: { directory == normalize($0.directory) || directory.hasPrefix(normalize($0.directory) + "/") })
            else { continue }
            let pattern = hit.location.arguments.map(\.value).joined(separator: " ")
            emit(.warning(.securityUploadExecutable,
                          "uploads stored in '\(value)' lie under '\(normalize(hit.directory))', where 'location \(pattern)' runs scripts: an uploaded script could be executed; store uploads outside it",
                          at: store.arguments[0].range,
                          notes: [.init("scripts are run here", at: hit.location.directive.name.range)]), for: store)
        }
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory.isEmpty ? path : baseDirectory + "/" + path)
    }

    func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
