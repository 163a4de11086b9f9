/// Builds the typed model from a loaded configuration. Only a configuration
/// that checked without errors can be built; the builder refuses others.
public enum ModelBuilder {
    /// Loads, checks and builds in one step: what `webserv` and its reload use.
    /// `certificateInspector`: webserv's reader of certificate files, so that they are checked too.
    public static func build(path: String, certificateInspector: (any CertificateInspector)? = nil) -> Result<(WebservConfig, [Diagnostic]), BuildFailure> {
        switch FileAccess.readFile(path) {
        case .failure(let error): return .failure(.unreadable(error))
        case .success(let bytes): return build(path: path, bytes: bytes, certificateInspector: certificateInspector)
        }
    }

    /// The same from bytes already read (`confcheck --explain`, which also
    /// reads standard input). `recordingOrigins`: keep, for every setting,
    /// the directive that set it (`SettingOrigins`); webserv does not.
    public static func build(path: String, bytes: [UInt8], recordingOrigins: Bool = false,
                             certificateInspector: (any CertificateInspector)? = nil) -> Result<(WebservConfig, [Diagnostic]), BuildFailure> {
        let result = Linter.lint(path: path, bytes: bytes, options: .init(certificateInspector: certificateInspector))
        // An ignore comment quiets confcheck, but webserv never runs a configuration with errors.
        let ignoredErrors = result.suppressed.filter { $0.severity == .error }.map { error in
            var error = error
            error.notes.append(.init("hidden from confcheck by a '# confcheck: ignore' comment, but webserv does not run a configuration with errors", at: nil))
            return error
        }
        let errors = result.diagnostics + ignoredErrors
        guard !errors.hasErrors else { return .failure(.invalid(errors.sortedByPosition(fileOrder: result.config.files.map(\.source)))) }
        return .success((build(result.config, baseDirectory: absoluteDirectory(of: path), recordingOrigins: recordingOrigins),
                         result.diagnostics))
    }

    public enum BuildFailure: Error {
        case unreadable(FileAccess.ReadError)
        case invalid([Diagnostic])
    }

    /// The model of a configuration that has no errors.
    public static func build(_ config: LoadedConfig, baseDirectory: String, recordingOrigins: Bool = false) -> WebservConfig {
        var builder = Builder(baseDirectory: baseDirectory, recordsOrigins: recordingOrigins)
        return builder.buildMain(PlacedDirective.splice(config.main.nodes))
    }

    static func absoluteDirectory(of path: String) -> String {
        let directory = Linter.directory(of: path)
        if directory.hasPrefix("/") { return directory }
        let current = FileAccess.currentDirectory()
        return directory.isEmpty ? current : current + "/" + directory
    }
}

private struct Builder {
    let baseDirectory: String
    /// Keep the directive behind each setting (`SettingOrigins`): for
    /// `confcheck --explain` only, so webserv's model holds no syntax tree.
    let recordsOrigins: Bool

    init(baseDirectory: String, recordsOrigins: Bool) {
        self.baseDirectory = baseDirectory
        self.recordsOrigins = recordsOrigins
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }

    /// The directive table's defaults for `context`, as directives: read by
    /// the same code as written ones, so each default is stated once, in the table.
    static func defaults(in context: Context) -> [PlacedDirective] {
        let text = DirectiveTable.all
            .filter { $0.contexts.contains(context) && $0.body == .none && !$0.defaultValue.isEmpty }
            .map { "\($0.name) \($0.defaultValue);" }
            .joined(separator: "\n")
        return PlacedDirective.splice(Parser.parse(SourceFile(path: "<defaults>", text: text)).0.nodes)
    }

    mutating func buildMain(_ directives: [PlacedDirective]) -> WebservConfig {
        // Placeholders only: the table's defaults replace each of them below.
        var config = WebservConfig(workerProcesses: 0, workerConnections: 0, pidPath: nil,
                                   errorLog: LogTarget(path: "", level: ""), servers: [], baseDirectory: baseDirectory)
        let events = directives.filter { $0.name == "events" }.flatMap { $0.children() }
        // Locations inherit main's error_log, and with it its origin: main's
        // origins are kept for the settings a location has.
        var mainOrigins = SettingOrigins()
        for (block, level) in [(Builder.defaults(in: .events), nil), (events, .main),
                               (Builder.defaults(in: .main), nil), (directives, .main)] as [([PlacedDirective], SettingOrigins.Level?)] {
            walk(block, level: level, origins: &mainOrigins, recording: { $0.location != nil }) { setting, input in
                setting.main?(input)?(&config)
            }
        }
        // http's settings of the whole configuration (upstream groups): the
        // entries that set main's fields only.
        for http in directives where http.name == "http" {
            walk(http.children(), level: nil, origins: &mainOrigins) { setting, input in
                guard setting.location == nil, setting.server == nil else { return }
                setting.main?(input)?(&config)
            }
        }
        // Placeholders for what the table's location defaults set; `types`
        // (a block) is nginx's built-in table, and error_log the main one.
        let placeholder = LocationConfig(
            match: .server, root: "", alias: nil, index: [], autoindex: false, errorPages: [:],
            clientMaxBodySize: 0, clientBodyTimeoutMilliseconds: 0, keepaliveTimeoutMilliseconds: 0,
            sendTimeoutMilliseconds: 0, mimeTypes: .nginxDefault, defaultType: "", charset: nil,
            accessLog: nil, errorLog: config.errorLog, allowedMethods: [],
            cgiPath: nil, cgiTimeoutMilliseconds: 0, uploadStore: nil, proxyPass: nil, returnAction: nil, origins: mainOrigins)
        let defaults = placeholder.applying(patch(Builder.defaults(in: .location).filter { $0.name != "error_log" }))
        for http in directives where http.name == "http" {
            let children = http.children()
            let httpSettings = defaults.applying(patch(children, level: .http))
            var head = HeadSettings()
            head.add(Builder.defaults(in: .server), level: nil, builder: self)
            head.add(children, level: .http, builder: self)
            for server in children where server.name == "server" {
                config.servers.append(buildServer(server, inherited: httpSettings, head: head))
            }
        }
        return config
    }

    /// The settings of the server's head (the table's `.server` ones) stop at
    /// server level; they start from the table's defaults (see `head.add` above).
    struct HeadSettings {
        var edits: [(inout ServerConfig) -> Void] = []
        var origins = SettingOrigins()

        /// `level`: where these directives stand, for the origins (nil: the table's defaults).
        mutating func add(_ directives: [PlacedDirective], level: SettingOrigins.Level?, builder: Builder) {
            builder.walk(directives, level: level, origins: &origins) { setting, input in
                if let edit = setting.server?(input) { edits.append(edit) }
            }
        }
    }

    func buildServer(_ server: PlacedDirective, inherited: LocationConfig, head: HeadSettings) -> ServerConfig {
        let children = server.children()
        var head = head
        head.add(children, level: .server, builder: self)
        var origins = head.origins
        if recordsOrigins {
            origins.block = server.directive
            for item in children where item.name == "listen" || item.name == "server_name" {
                origins.record(item.directive, as: item.name, level: .server, accumulating: true)
            }
        }
        var listens: [Values.ListenAddress] = []
        var defaultFor = Set<Values.ListenAddress>(), tlsAddresses = Set<Values.ListenAddress>(), http2Addresses = Set<Values.ListenAddress>()
        var names: [String] = []
        for item in children {
            switch item.name {
            case "listen":
                guard case .success(let address) = Values.listenAddress(item.arguments[0].value) else { continue }
                if !listens.contains(address) { listens.append(address) }
                let parameters = item.arguments.dropFirst().map(\.value)
                if parameters.contains(where: { $0 == "default_server" || $0 == "default" }) { defaultFor.insert(address) }
                if parameters.contains("ssl") { tlsAddresses.insert(address) }
                if parameters.contains("http2") { http2Addresses.insert(address) }
            case "server_name": names += item.arguments.map { $0.value.lowercased() }
            default: break
            }
        }
        if listens.isEmpty, let spec = DirectiveTable.spec(named: "listen"),
           case .success(let address) = Values.listenAddress(spec.defaultValue) {
            listens = [address]
        }
        var base = inherited.applying(patch(children, level: .server))
        base.match = .server
        if recordsOrigins { base.origins.block = server.directive }
        var locations: [LocationConfig] = []
        var suffixes: [SuffixLocation] = []
        // A server-level `return` is answered before any location is chosen (nginx's
        // server rewrite phase); locations start from the server's other settings.
        var locationParent = base
        locationParent.returnAction = nil
        locationParent.origins.remove("return")
        // nginx's locations do not inherit the server's try_files either.
        locationParent.tryFiles = nil
        locationParent.origins.remove("try_files")
        for item in children where item.name == "location" {
            guard let key = LocationKey(item.arguments) else { continue }
            var locationPatch = patch(item.children(), level: key.modifier == "$" ? .suffixLocation : .location)
            if recordsOrigins { locationPatch.origins.block = item.directive }
            switch key.modifier {
            case "$":
                // An overlay that names a handler is answered by it alone, as
                // nginx's regex location replaces the prefix location's handler.
                if item.children().contains(where: { LocationConfig.handlerDirectives.contains($0.name) }) {
                    locationPatch.edits.insert({ $0.removeHandlers() }, at: 0)
                }
                suffixes.append(SuffixLocation(suffix: key.pattern, patch: locationPatch))
            case "=":
                var location = locationParent.applying(locationPatch)
                location.match = .exact(key.pattern)
                location.origins.block = locationPatch.origins.block
                locations.append(location)
            default:
                var location = locationParent.applying(locationPatch)
                location.match = .prefix(key.pattern)
                location.origins.block = locationPatch.origins.block
                locations.append(location)
            }
        }
        // Placeholders for the head settings: the table's defaults replace them.
        var config = ServerConfig(listens: listens, defaultFor: defaultFor, names: names, base: base, locations: locations,
                                  suffixLocations: suffixes, headerTimeoutMilliseconds: 0,
                                  largeHeaderBufferCount: 0, largeHeaderBufferSize: 0, origins: origins,
                                  tlsAddresses: tlsAddresses)
        config.http2Addresses = http2Addresses
        for edit in head.edits { edit(&config) }
        return config
    }

    /// Walks the directive table over one block: `body` gets each setting the
    /// block writes, with its occurrences. Records their origins when asked
    /// (`level` nil: the table's defaults, which have none).
    func walk(_ directives: [PlacedDirective], level: SettingOrigins.Level?, origins: inout SettingOrigins,
              recording: (DirectiveSetting) -> Bool = { _ in true }, _ body: (DirectiveSetting, SettingInput) -> Void) {
        let written = Dictionary(grouping: directives, by: \.name)
        for spec in DirectiveTable.all {
            guard let setting = spec.setting, let occurrences = written[spec.name] else { continue }
            body(setting, SettingInput(occurrences: occurrences, block: directives, path: resolve))
            guard recordsOrigins, let level, recording(setting) else { continue }
            for occurrence in occurrences {
                origins.record(occurrence.directive, as: spec.name, level: level, accumulating: setting.merge == .accumulates)
            }
            for other in setting.alsoSets where written[other] == nil {
                origins.record(occurrences[occurrences.count - 1].directive, as: other, level: level, accumulating: false)
            }
        }
    }

    /// The settings one block sets itself; `level` says what block it is, for
    /// the origins (nil for the table's defaults, which have none).
    func patch(_ directives: [PlacedDirective], level: SettingOrigins.Level? = nil) -> LocationPatch {
        var patch = LocationPatch()
        walk(directives, level: level, origins: &patch.origins) { setting, input in
            if let edit = setting.location?(input) { patch.edits.append(edit) }
        }
        return patch
    }
}
