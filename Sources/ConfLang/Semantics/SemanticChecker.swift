import Glibc

/// The semantic checks of contract §1, driven by the directive table. Every
/// finding points at the offending token and says how to fix it.
public struct SemanticChecker {
    /// The directory that relative paths (cgi_path, root) are resolved against:
    /// the directory of the main configuration file.
    public let baseDirectory: String
    /// Asked whether each `listen` and `proxy_pass` host name resolves.
    public let hostResolver: HostResolver
    /// Reads the files `ssl_certificate` and `ssl_certificate_key` name; nil: they are not checked.
    public let certificateInspector: (any CertificateInspector)?
    /// Seconds since 1970, for certificates' expiry (nil: the clock's).
    public let now: Int64?

    public init(baseDirectory: String, hostResolver: HostResolver = .system,
                certificateInspector: (any CertificateInspector)? = nil, now: Int64? = nil) {
        self.baseDirectory = baseDirectory
        self.hostResolver = hostResolver
        self.certificateInspector = certificateInspector
        self.now = now
    }

    /// Checks a loaded configuration whose main file stands in `context`.
    public func check(_ config: LoadedConfig, context: Context = .main) -> [Diagnostic] {
        var run = CheckRun(baseDirectory: baseDirectory, hostResolver: hostResolver)
        let top = PlacedDirective.splice(config.main.nodes, keepIncludes: true)
        run.collectDefinitions(top)
        run.upstreamNames = CheckRun.upstreamNames(in: top)
        run.checkBlock(top, in: context)
        run.checkAddHeaderRedefinitions(top, inherited: [])
        if context == .server { run.checkServer(top.filter { !$0.directive.isInclude }, block: nil) }
        run.checkListenConflicts()
        run.checkProxySSL(top, context: context)
        if let certificateInspector {
            var certificates = CertificateChecks(inspector: certificateInspector, baseDirectory: baseDirectory, now: now ?? Int64(time(nil)))
            run.diagnostics += certificates.check(top.filter { !$0.directive.isInclude }, context: context)
        }
        return run.diagnostics
    }
}

struct CheckRun {
    let baseDirectory: String
    let hostResolver: HostResolver
    var diagnostics: [Diagnostic] = []
    var errorCount = 0
    /// Every server's listen addresses and names, for the cross-server checks.
    var servers: [ServerFacts] = []
    /// "Did you mean" per unknown name and context: a file that repeats one
    /// unknown name many times pays for the edit distances once.
    private var suggestions: [String: String?] = [:]
    /// Each listen or proxy_pass host name is resolved once per run.
    var resolvedHosts: [String: Bool] = [:]
    /// Servers (their `server` directives) with an `upload_store` somewhere:
    /// only they need the look at every location that the upload lint takes.
    var serversWithUploads = Set<ObjectIdentifier>()
    var sawUploadStore = false
    /// The http block's own directives, for what a server inherits (TLSChecks).
    var httpDirectives: [PlacedDirective] = []
    /// Variables the configuration defines (`map`, `set`; lower case, without `$`) and its
    /// `log_format` names: nginx's are global, so every use anywhere may name them.
    var declaredVariables = Set<String>()
    var declaredLogFormats = Set<String>()
    /// An enclosing block names an `auth_basic_user_file` (AccessLints).
    var userFileAbove = false
    /// Every `upstream` group's name, lower-cased: a proxy_pass host that names one is not resolved.
    var upstreamNames = Set<String>()

    init(baseDirectory: String, hostResolver: HostResolver) {
        self.baseDirectory = baseDirectory
        self.hostResolver = hostResolver
    }

    mutating func emit(_ diagnostic: Diagnostic, for placed: PlacedDirective) {
        var diagnostic = diagnostic
        diagnostic.notes += placed.chainNotes
        if diagnostic.severity == .error { errorCount += 1 }
        diagnostics.append(diagnostic)
    }

    // MARK: blocks

    /// Checks one block's directives (includes spliced in) as standing in `context`.
    mutating func checkBlock(_ placed: [PlacedDirective], in context: Context) {
        if context == .types { checkTypesBody(placed); return }
        if context == .map { checkMapBody(placed); return }
        if context == .upstream { checkUpstreamBody(placed, block: nil); return }
        var valid: [(PlacedDirective, DirectiveSpec)] = []
        for item in placed {
            if let spec = checkDirective(item, in: context) { valid.append((item, spec)) }
        }
        checkRepeats(valid, in: context)
        checkRootAndAlias(valid)
        checkTypesMerge(valid)
        let outerUserFile = userFileAbove
        if context == .http || context == .server || context == .location { checkAccess(valid) }
        defer { userFileAbove = outerUserFile }
        checkUpstreamNames(valid)
        for (item, spec) in valid {
            guard case .block(let inner) = spec.body else { continue }
            let children = item.children(keepIncludes: true)
            if inner == .upstream { checkUpstreamBody(children, block: item); continue }
            let outerSawUploadStore = sawUploadStore
            if inner == .server { sawUploadStore = false }
            if inner == .http { httpDirectives = children }
            checkBlock(children, in: inner)
            if inner == .server {
                if sawUploadStore { serversWithUploads.insert(ObjectIdentifier(item.directive)) }
                sawUploadStore = outerSawUploadStore
                checkServer(children.filter { !$0.directive.isInclude }, block: item)
                checkTLSListens(children)
            }
            if inner == .location { checkLocationBody(item, children: children.filter { !$0.directive.isInclude }) }
        }
        if context == .main || context == .http || context == .server || context == .location {
            checkSecurity(valid, in: context)
        }
        if context == .main { checkDescriptorLimit(valid) }
    }

    /// Table checks for one directive; returns its spec when it is usable.
    private mutating func checkDirective(_ item: PlacedDirective, in context: Context) -> DirectiveSpec? {
        let directive = item.directive
        let name = directive.nameText
        guard let spec = DirectiveTable.spec(named: name) else {
            reportUnknown(item, in: context)
            return nil
        }
        guard spec.contexts.contains(context) else {
            let allowed = spec.contexts.map(\.rawValue).sorted().joined(separator: ", ")
            // At the top of the main file, the file is most likely a fragment meant to be included.
            let outermost = Context.allCases.first { spec.contexts.contains($0) }
            let advice = context == .main && item.chain.isEmpty
                ? outermost.map { " (to lint a file meant to be included in '\($0.rawValue)', use --context \($0.rawValue))" } ?? "" : ""
            emit(.error(.directiveContext, "'\(name)' is not allowed in \(describe(context)); it belongs in: \(allowed)\(advice)",
                        at: directive.name.range), for: item)
            return nil
        }
        switch spec.body {
        case .none where directive.block != nil:
            emit(.error(.directiveUnexpectedBlock, "'\(name)' does not take a block; end it with ';'",
                        at: directive.block!.open), for: item)
            return nil
        case .block where directive.block == nil:
            emit(.error(.directiveMissingBlock, "'\(name)' must be followed by a block: \(name) { ... }",
                        at: directive.name.range), for: item)
            return nil
        default: break
        }
        guard checkArity(item, spec) else { return nil }
        guard checkArguments(item, spec) else { return nil }
        if let why = DirectiveTable.withoutEffect(spec) {
            emit(Diagnostic(.note, .directiveNoEffect, "'\(name)' is accepted for nginx's sake and has no effect: \(why)", at: directive.name.range), for: item)
        }
        if let replacement = DirectiveTable.obsoleteReplacements[name] {
            // nginx's own warning; the fix renames it where the replacement takes the same one value.
            let renames = ["keepalive_timeout", "client_header_timeout", "keepalive_requests"].contains(replacement)
            let message = replacement.isEmpty ? "the '\(name)' directive is obsolete, ignored"
                : "the '\(name)' directive is obsolete, use the '\(replacement)' directive instead"
            emit(.warning(.directiveObsolete, message, at: directive.name.range,
                          fixIt: renames ? Diagnostic.FixIt(range: directive.name.range, replacement: replacement) : nil), for: item)
        }
        return spec
    }

    private func describe(_ context: Context) -> String {
        context == .main ? "the main context" : "'\(context.rawValue)'"
    }

    private mutating func reportUnknown(_ item: PlacedDirective, in context: Context) {
        let directive = item.directive
        let name = directive.nameText
        if let reason = Suggestions.nginxOnly[name] {
            let detail = reason.isEmpty ? "" : ": \(reason)"
            emit(.error(.directiveUnsupported, "'\(name)' is an nginx directive that webserv does not support\(detail)",
                        at: directive.name.range), for: item)
            return
        }
        let key = context.rawValue + " " + name
        if suggestions[key] == nil { suggestions[key] = .some(Suggestions.closest(to: name, in: context)) }
        if let suggestion = suggestions[key] ?? nil {
            emit(.error(.directiveUnknown, "unknown directive '\(name)'; did you mean '\(suggestion)'?",
                        at: directive.name.range,
                        fixIt: .init(range: directive.name.range, replacement: suggestion)), for: item)
        } else {
            emit(.error(.directiveUnknown, "unknown directive '\(name)'", at: directive.name.range), for: item)
        }
    }

    private mutating func checkArity(_ item: PlacedDirective, _ spec: DirectiveSpec) -> Bool {
        let arguments = item.arguments
        let tooFew = arguments.count < spec.minArguments
        let tooMany = spec.maxArguments.map { arguments.count > $0 } ?? false
        guard tooFew || tooMany else { return true }
        // `listen 443 ssl http2`: nginx's parameters are each said unsupported by the argument check, not counted.
        if tooMany && spec.argumentKinds.last == .listenParameter { return true }
        let directive = item.directive
        var message = "'\(spec.name)' takes \(spec.arityDescription), got \(arguments.count)"
        var fixIt: Diagnostic.FixIt?
        var range = tooMany ? arguments[spec.maxArguments ?? 0].range : directive.name.range
        // `root /x` <newline> `index a;` reads as one directive: say what is missing.
        if tooMany, let split = likelyMissingSemicolon(directive) {
            let previous = arguments[split - 1].range
            let line = previous.startLocation.line
            message += "; is a ';' missing at the end of line \(line)?"
            range = SourceRange(file: previous.file, start: previous.end, end: previous.end)
            fixIt = .init(range: range, replacement: ";")
        }
        emit(.error(.directiveArguments, message, at: range, fixIt: fixIt), for: item)
        return false
    }

    private func likelyMissingSemicolon(_ directive: Directive) -> Int? {
        let nameLine = directive.name.range.startLocation.line
        var previousLine = nameLine
        for (index, argument) in directive.arguments.enumerated() {
            let line = argument.range.startLocation.line
            defer { previousLine = line }
            guard index > 0, line > previousLine, !argument.isQuoted else { continue }
            let word = argument.value
            if DirectiveTable.spec(named: word) != nil || Suggestions.nginxOnly[word] != nil { return index }
        }
        return nil
    }

    // MARK: repeats, root/alias

    private mutating func checkRepeats(_ valid: [(PlacedDirective, DirectiveSpec)], in context: Context) {
        var first: [String: PlacedDirective] = [:]
        for (item, spec) in valid where !spec.repeatable {
            if let earlier = first[spec.name] {
                emit(.error(.directiveDuplicate, "'\(spec.name)' is already set in this block; it may appear only once",
                            at: item.directive.name.range,
                            notes: [.init("first set here", at: earlier.directive.name.range)]), for: item)
            } else {
                first[spec.name] = item
            }
        }
    }

    private mutating func checkRootAndAlias(_ valid: [(PlacedDirective, DirectiveSpec)]) {
        let root = valid.first { $0.1.name == "root" }?.0
        let alias = valid.first { $0.1.name == "alias" }?.0
        guard let root, let alias else { return }
        let (later, earlier) = root.directive.name.range.start > alias.directive.name.range.start || root.directive.file !== alias.directive.file
            ? (root, alias) : (alias, root)
        emit(.error(.locationRootAndAlias,
                    "'root' and 'alias' in one location: use one of them ('alias' replaces the matched prefix, 'root' is prepended to the whole path)",
                    at: later.directive.name.range,
                    notes: [.init("'\(earlier.name)' is set here", at: earlier.directive.name.range)]), for: later)
    }
}
