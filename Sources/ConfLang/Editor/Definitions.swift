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

    /// The contract's rule: an `=` location equal to the path wins; otherwise
    /// the longest `^` (or unmodified) prefix, and the longest matching `$`
    /// suffix location laid over it. Both are returned, base first.
    public static func matchingLocations(for path: String, in server: Directive) -> [PlacedDirective] {
        let locations = PlacedDirective(directive: server, chain: []).children().filter { $0.name == "location" }
        var prefix: (location: PlacedDirective, length: Int)?
        var suffix: (location: PlacedDirective, length: Int)?
        for location in locations {
            let arguments = location.arguments
            let (modifier, pattern): (String, String)
            switch arguments.count {
            case 1: (modifier, pattern) = ("^", arguments[0].value)
            case 2: (modifier, pattern) = (arguments[0].value, arguments[1].value)
            default: continue
            }
            switch modifier {
            case "=" where pattern.utf8.elementsEqual(path.utf8):
                return [location]
            // Bytes, not Characters: the server compares paths byte for byte.
            case "^" where path.utf8.starts(with: pattern.utf8) && pattern.utf8.count > prefix?.length ?? -1:
                prefix = (location, pattern.utf8.count)
            case "$" where !pattern.isEmpty && pattern.utf8.count > suffix?.length ?? -1
                    && (path.utf8.reversed().starts(with: pattern.utf8.reversed())
                        || Array(path.utf8).firstRange(of: Array((pattern + "/").utf8)) != nil):
                suffix = (location, pattern.utf8.count)
            default:
                continue
            }
        }
        return [prefix?.location, suffix?.location].compactMap { $0 }
    }
}
