/// The directives one block sets itself, as changes to its parent's
/// settings (each made by its directive's table entry, `DirectiveSetting`).
/// A block's settings are its parent's with its patch applied; a `$`
/// location's patch is applied to the base it overlays. One mechanism for
/// inheritance and overlay; it runs once, when the configuration is built.
public struct LocationPatch {
    /// In table order; within one block `root` and `alias` never meet.
    var edits: [(inout LocationConfig) -> Void] = []
    /// The directives that set each of the above (empty unless the model was
    /// built with `recordingOrigins`).
    public var origins = SettingOrigins()

    public init() {}
}

extension LocationConfig {
    /// The directives that name what answers a location (its content handler).
    static let handlerDirectives: Set<String> = ["cgi_path", "proxy_pass", "fastcgi_pass"]

    /// No content handler: what a `$` overlay that names its own starts from.
    mutating func removeHandlers() {
        cgiPath = nil
        proxyPass = nil
        fastcgi.pass = nil
        for name in LocationConfig.handlerDirectives { origins.remove(name) }
    }

    /// These settings with `patch` laid over them.
    public func applying(_ patch: LocationPatch) -> LocationConfig {
        var result = self
        for edit in patch.edits { edit(&result) }
        result.origins.merge(patch.origins)
        return result
    }
}

/// Where each setting of a block was written: what `confcheck --explain`
/// shows beside each effective value. Recorded only when the model is built
/// with `recordingOrigins` (webserv builds without: its model holds no
/// reference to the syntax tree, and applying a patch merges an empty table).
public struct SettingOrigins {
    /// The kind of block a directive was written in.
    public enum Level: String {
        case main, http, server, location
        /// A `$` location laid over the base.
        case suffixLocation = "location $"
    }

    public struct Origin {
        /// The directive, or for a repeatable one (`error_page`, `types`) every
        /// directive of the block that contributes, in order.
        public let directives: [Directive]
        public let level: Level
    }

    /// The `server` or `location` directive of the block these settings belong to.
    public var block: Directive?
    public private(set) var byName: [String: Origin] = [:]

    public init() {}

    /// The origin of the setting that directive `name` sets.
    public subscript(name: String) -> Origin? { byName[name] }

    mutating func record(_ directive: Directive, as name: String, level: Level, accumulating: Bool) {
        if accumulating, let existing = byName[name], existing.level == level {
            byName[name] = Origin(directives: existing.directives + [directive], level: level)
        } else {
            byName[name] = Origin(directives: [directive], level: level)
        }
    }

    mutating func remove(_ name: String) {
        if !byName.isEmpty { byName[name] = nil }
    }

    /// `other`'s origins laid over these (its block is not taken).
    mutating func merge(_ other: SettingOrigins) {
        guard !other.byName.isEmpty else { return }
        byName.merge(other.byName) { _, new in new }
    }
}
