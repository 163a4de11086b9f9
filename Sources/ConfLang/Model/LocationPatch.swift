/// The directives one block sets itself. A block's settings are its parent's
/// with its patch applied; a `$` location's patch is applied to the base it
/// overlays. One mechanism for inheritance and overlay.
public struct LocationPatch {
    public var root: String?
    public var alias: String?
    public var index: [String]?
    public var autoindex: Bool?
    public var errorPages: [Int: ErrorPage]?
    public var clientMaxBodySize: Int?
    public var clientBodyTimeoutMilliseconds: Int?
    public var keepaliveTimeoutMilliseconds: Int?
    public var sendTimeoutMilliseconds: Int?
    public var mimeTypes: MimeTable?
    public var defaultType: String?
    /// `.some(nil)` for `charset off`.
    public var charset: String??
    public var accessLog: String??
    public var errorLog: LogTarget?
    public var allowedMethods: Set<String>?
    public var cgiPath: String?
    public var cgiTimeoutMilliseconds: Int?
    public var uploadStore: String?
    public var proxyPass: Values.ProxyURL?
    public var returnAction: ReturnAction?
    /// The directives that set each of the above (empty unless the model was
    /// built with `recordingOrigins`).
    public var origins = SettingOrigins()

    public init() {}
}

extension LocationConfig {
    /// These settings with `patch` laid over them. `root` and `alias` replace
    /// each other: a location's alias wins over an inherited root.
    public func applying(_ patch: LocationPatch) -> LocationConfig {
        var result = self
        if let root = patch.root { result.root = root; result.alias = nil; result.origins.remove("alias") }
        if let alias = patch.alias { result.alias = alias }
        if let value = patch.index { result.index = value }
        if let value = patch.autoindex { result.autoindex = value }
        if let value = patch.errorPages { result.errorPages = value }
        if let value = patch.clientMaxBodySize { result.clientMaxBodySize = value }
        if let value = patch.clientBodyTimeoutMilliseconds { result.clientBodyTimeoutMilliseconds = value }
        if let value = patch.keepaliveTimeoutMilliseconds { result.keepaliveTimeoutMilliseconds = value }
        if let value = patch.sendTimeoutMilliseconds { result.sendTimeoutMilliseconds = value }
        if let value = patch.mimeTypes { result.mimeTypes = value }
        if let value = patch.defaultType { result.defaultType = value }
        if let value = patch.charset { result.charset = value }
        if let value = patch.accessLog { result.accessLog = value }
        if let value = patch.errorLog { result.errorLog = value }
        if let value = patch.allowedMethods { result.allowedMethods = value }
        if let value = patch.cgiPath { result.cgiPath = value }
        if let value = patch.cgiTimeoutMilliseconds { result.cgiTimeoutMilliseconds = value }
        if let value = patch.uploadStore { result.uploadStore = value }
        if let value = patch.proxyPass { result.proxyPass = value }
        if let value = patch.returnAction { result.returnAction = value }
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
