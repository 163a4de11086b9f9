/// Warnings in the spirit of gixy: configurations that work but expose more
/// than their author meant.
extension CheckRun {
    mutating func checkSecurity(_ valid: [(PlacedDirective, DirectiveSpec)], in context: Context) {
        for (item, spec) in valid {
            switch spec.name {
            case "cgi_path":
                let path = resolve(item.arguments[0].value)
                if !FileAccess.isExecutableFile(path) {
                    emit(.warning("cgi.not-executable", "cgi_path '\(item.arguments[0].value)' is not an executable file; every script here would fail with 502",
                                  at: item.arguments[0].range), for: item)
                }
            case "autoindex" where context == .server && item.arguments[0].value == "on":
                emit(.warning("security.autoindex-site", "'autoindex on' at server level lists every directory of the site; enable it in the locations that need it",
                              at: item.arguments[0].range), for: item)
            case "location":
                guard let key = LocationKey(item.arguments), key.modifier == "^", key.pattern == "/" else { continue }
                for child in item.children() where child.name == "autoindex" && child.arguments.first?.value == "on" {
                    emit(.warning("security.autoindex-site", "'autoindex on' in 'location \(item.arguments.map(\.value).joined(separator: " "))' lists every directory of the site",
                                  at: child.arguments[0].range), for: child)
                }
            case "server":
                checkUploadsRunnable(item)
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
            emit(.warning("security.alias-traversal",
                          "alias traversal: location '\(locationPattern)' has no trailing slash but its alias does, so '\(locationPattern)../' reaches the parent of '\(path)'; add a '/' to the location pattern",
                          at: alias.arguments[0].range), for: alias)
        } else if locationSlash && !aliasSlash {
            emit(.warning("security.alias-traversal",
                          "alias '\(path)' has no trailing slash but location '\(locationPattern)' has one: '\(locationPattern)x' maps to '\(path)x', and '\(path)' is open to sibling paths; add a '/' to the alias",
                          at: alias.arguments[0].range), for: alias)
        }
    }

    /// An upload store inside a root where a `$ SUFFIX` location runs CGI:
    /// an uploaded script could then be run by requesting it.
    private mutating func checkUploadsRunnable(_ server: PlacedDirective) {
        let children = server.children()
        var roots: [String] = children.filter { $0.name == "root" }.compactMap { $0.arguments.first.map { resolve($0.value) } }
        var stores: [PlacedDirective] = []
        var cgiSuffixes: [(suffix: String, placed: PlacedDirective)] = []
        for location in children where location.name == "location" {
            guard let key = LocationKey(location.arguments) else { continue }
            let body = location.children()
            for child in body {
                switch child.name {
                // Whatever a location serves from (root or alias) is reachable by URL.
                case "root", "alias": if let value = child.arguments.first?.value { roots.append(resolve(value)) }
                case "upload_store": stores.append(child)
                case "cgi_path" where key.modifier == "$": cgiSuffixes.append((key.pattern, location))
                default: break
                }
            }
        }
        guard let cgi = cgiSuffixes.first else { return }
        for store in stores {
            guard let value = store.arguments.first?.value else { continue }
            let directory = normalize(resolve(value))
            guard let root = roots.map(normalize).first(where: { directory == $0 || directory.hasPrefix($0 + "/") }) else { continue }
            emit(.warning("security.upload-executable",
                          "uploads stored in '\(value)' lie under the root '\(root)', where 'location $ \(cgi.suffix)' runs scripts: an uploaded '*\(cgi.suffix)' file could be executed; store uploads outside the served root",
                          at: store.arguments[0].range,
                          notes: [.init("scripts are run here", at: cgi.placed.directive.name.range)]), for: store)
        }
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory.isEmpty ? path : baseDirectory + "/" + path)
    }

    private func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
