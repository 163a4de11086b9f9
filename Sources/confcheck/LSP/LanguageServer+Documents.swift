import ConfLang

/// A document the client has open: its unsaved text is what every check reads.
struct OpenDocument {
    let uri: String
    /// Normalized path (for a non-file URI, the URI itself).
    let path: String
    var version: Int?
    private(set) var source: SourceFile

    init(uri: String, version: Int?, text: [UInt8]) {
        self.uri = uri
        path = FileURI.path(fromURI: uri)
        self.version = version
        source = SourceFile(path: path, bytes: text)
    }

    var text: [UInt8] { source.bytes }

    mutating func replace(with text: [UInt8]) {
        source = SourceFile(path: path, bytes: text)
    }
}

/// One lint of a root file (a main file, or a document checked on its own)
/// with every open document's text standing in for the file on disk.
final class RootCheck {
    let key: String
    let context: Context
    let result: Linter.Result
    let placements: Placements
    /// Findings of the server itself (the context assumed for a lone fragment).
    let extraDiagnostics: [Diagnostic]
    let generation: Int

    init(key: String, context: Context, result: Linter.Result, extraDiagnostics: [Diagnostic], generation: Int) {
        self.key = key
        self.context = context
        self.result = result
        placements = Placements(root: result.config.main, context: context)
        self.extraDiagnostics = extraDiagnostics
        self.generation = generation
    }

    var diagnostics: [Diagnostic] { extraDiagnostics + result.diagnostics }

    func file(path: String) -> ConfigFile? {
        result.config.files.first { LexicalPath.normalized($0.path) == path }
    }
}

/// A document as the checks see it: its parsed file inside the check of its root.
struct DocumentView {
    let check: RootCheck
    let file: ConfigFile
    /// Where the document's top level stands.
    let topContext: Context
}

extension LanguageServer {
    // MARK: synchronization

    func didOpen(_ params: Params?) {
        guard let item = params?.object("textDocument"), let uri = item.string("uri"), let text = item.string("text") else {
            log("didOpen without textDocument.uri and text"); return
        }
        let document = OpenDocument(uri: uri, version: item.int("version"), text: Array(text.utf8))
        documents[uri] = document
        uriByPath[document.path] = uri
        index.noteOpened(document.path)
        contentChanged(checking: [uri])
    }

    func didChange(_ params: Params?) {
        guard let uri = params?.documentURI, var document = documents[uri] else {
            log("didChange for a document that is not open"); return
        }
        for case let change as [String: Any] in params?.array("contentChanges") ?? [] {
            guard let change = Params(change), let text = change.string("text") else { continue }
            if let range = change.range() {
                let source = document.source
                let start = source.offset(of: range.start, encoding: encoding)
                let end = max(start, source.offset(of: range.end, encoding: encoding))
                document.replace(with: Array(source.bytes[..<start]) + Array(text.utf8) + Array(source.bytes[end...]))
            } else {
                document.replace(with: Array(text.utf8))
            }
        }
        document.version = params?.object("textDocument")?.int("version") ?? document.version
        documents[uri] = document
        contentChanged(checking: [uri])
    }

    /// Saving changes the disk, which files that are not open read from, and
    /// which globs match: everything open is checked again.
    func didSave(_ params: Params?) {
        filesChangedOnDisk()
    }

    func filesChangedOnDisk() {
        index.invalidate()
        contentChanged(checking: Array(documents.keys).sorted())
    }

    func didClose(_ params: Params?) {
        guard let uri = params?.documentURI, let document = documents.removeValue(forKey: uri) else { return }
        uriByPath[document.path] = nil
        if let root = rootOfDocument.removeValue(forKey: uri) { release(root) }
        // Files that included the closed one now read it from disk.
        contentChanged(checking: Array(documents.keys).sorted())
    }

    private func contentChanged(checking uris: [String]) {
        generation += 1
        for uri in uris where !pending.contains(uri) { pending.append(uri) }
    }

    // MARK: checking

    /// The check a document is seen through: its main file's when one
    /// includes it, else its own with the best-fitting context.
    func view(of document: OpenDocument) -> DocumentView? {
        if let main = index.mainFile(for: document.path, loader: loader()), main != document.path,
           let check = rootCheck(main, context: .main, assumed: false), let file = check.file(path: document.path) {
            return DocumentView(check: check, file: file, topContext: check.placements.context(ofFile: file) ?? .main)
        }
        let context = ContextGuess.bestContext(for: Parser.parse(document.source).0)
        guard let check = rootCheck(document.path, context: context, assumed: context != .main) else { return nil }
        return DocumentView(check: check, file: check.result.config.main, topContext: context)
    }

    /// Reads open documents' text instead of the disk.
    func loader() -> ConfigLoader {
        let texts = documents.values.reduce(into: [String: [UInt8]]()) { $0[$1.path] = $1.text }
        return ConfigLoader(readFile: { path in
            texts[LexicalPath.normalized(path)].map { .success($0) } ?? FileAccess.readFile(path)
        })
    }

    private func rootCheck(_ path: String, context: Context, assumed: Bool) -> RootCheck? {
        let key = "\(context.rawValue) \(path)"
        if let cached = checks[key], cached.generation == generation { return cached }
        let loader = loader()
        guard case .success(let bytes) = loader.readFile(path) else { return nil }
        let result = Linter.lint(path: path, bytes: bytes, options: .init(context: context), loader: loader)
        var extra: [Diagnostic] = []
        if assumed {
            let main = result.config.main
            let first = main.directives.first?.name.range ?? SourceRange(file: main.source, start: 0, end: 0)
            extra.append(Diagnostic(.note, .lspAssumedContext,
                                    "no main file in the workspace includes this file: it is checked as if it stood in '\(context.rawValue)'",
                                    at: first))
        }
        let check = RootCheck(key: key, context: context, result: result, extraDiagnostics: extra, generation: generation)
        if context == .main {
            index.record(main: path, reaches: Set(result.config.files.map { LexicalPath.normalized($0.path) }))
        }
        checks = checks.filter { $0.value.generation == generation }
        checks[key] = check
        return check
    }

    // MARK: publishing

    func publishPendingDiagnostics() {
        var publishedNow = Set<String>()
        // A check may drop an open document (its main file stopped including
        // it), which `publish` queues again to be seen through another check.
        while !pending.isEmpty {
            let uris = pending
            pending = []
            for uri in uris {
                guard let document = documents[uri], let view = view(of: document) else { continue }
                let key = view.check.key
                if let old = rootOfDocument[uri], old != key {
                    rootOfDocument[uri] = key
                    release(old)
                }
                rootOfDocument[uri] = key
                guard publishedNow.insert(key).inserted else { continue }
                publish(view.check)
            }
        }
    }

    private func publish(_ check: RootCheck) {
        var byPath: [String: [Diagnostic]] = [:]
        var order: [String] = check.result.config.files.map { LexicalPath.normalized($0.path) }
        for diagnostic in check.diagnostics {
            let path = LexicalPath.normalized(diagnostic.range.file.path)
            if byPath[path] == nil && !order.contains(path) { order.append(path) }
            byPath[path, default: []].append(diagnostic)
        }
        var published = Set<String>()
        var seen = Set<String>()
        for path in order where seen.insert(path).inserted {
            let uri = uri(forPath: path)
            let diagnostics = byPath[path] ?? []
            // An empty list is news only to a file that had findings, or is open.
            if diagnostics.isEmpty && !urisWithDiagnostics.contains(uri) && documents[uri] == nil { continue }
            publishDiagnostics(diagnostics, for: uri)
            published.insert(uri)
        }
        let dropped = (publishedByRoot[check.key] ?? []).subtracting(published)
        publishedByRoot[check.key] = published
        // Files this check no longer reaches (an include removed): an open one is
        // checked again on its own terms; the others lose what this check published.
        let live = publishedByRoot.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        for uri in dropped.sorted() {
            if documents[uri] != nil {
                if rootOfDocument[uri] == check.key && !pending.contains(uri) { pending.append(uri) }
            } else if urisWithDiagnostics.contains(uri) && !live.contains(uri) {
                publishDiagnostics([], for: uri)
            }
        }
    }

    private func publishDiagnostics(_ diagnostics: [Diagnostic], for uri: String) {
        let conversion = conversion()
        var params: [(String, JSON)] = [("uri", .string(uri))]
        if let version = documents[uri]?.version { params.append(("version", .int(version))) }
        params.append(("diagnostics", .array(diagnostics.map(conversion.diagnostic))))
        sendNotification("textDocument/publishDiagnostics", .object(params))
        if diagnostics.isEmpty { urisWithDiagnostics.remove(uri) } else { urisWithDiagnostics.insert(uri) }
    }

    /// A check no open document is seen through any more: clear what it
    /// published, except where a live check publishes too.
    func release(_ key: String) {
        guard !rootOfDocument.values.contains(key), let published = publishedByRoot.removeValue(forKey: key) else { return }
        let live = publishedByRoot.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        for uri in published.subtracting(live).sorted() where urisWithDiagnostics.contains(uri) || documents[uri] == nil {
            publishDiagnostics([], for: uri)
        }
    }

    func uri(forPath path: String) -> String {
        uriByPath[LexicalPath.normalized(path)] ?? FileURI.uri(fromPath: LexicalPath.normalized(path))
    }

    func conversion() -> LSPConversion {
        LSPConversion(encoding: encoding, uri: { [unowned self] in self.uri(forPath: $0) }, converters: positionConverters)
    }
}
