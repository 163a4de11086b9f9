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

    public init() {}
}

extension LocationConfig {
    /// These settings with `patch` laid over them. `root` and `alias` replace
    /// each other: a location's alias wins over an inherited root.
    public func applying(_ patch: LocationPatch) -> LocationConfig {
        var result = self
        if let root = patch.root { result.root = root; result.alias = nil }
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
        return result
    }
}
