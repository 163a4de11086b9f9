import ConfLang

/// `confcheck --lsp`: one session of the language server. Bytes in
/// (`receive`), framed messages out (`send`); no I/O of its own, so tests
/// drive it in-process. Messages are handled in order, synchronously;
/// diagnostics are published once per `receive`, so a burst of edits read
/// together is checked once.
final class LanguageServer {
    enum State { case waitingForInitialize, running, shutDown }

    private(set) var state = State.waitingForInitialize
    /// Set by `exit`: 0 after `shutdown`, 1 without (LSP's rule).
    private(set) var exitStatus: Int32?
    let send: ([UInt8]) -> Void
    let log: (String) -> Void
    private var framer = MessageFramer()

    var encoding = PositionEncoding.utf16
    /// Open documents by URI, and the URI of each by (normalized) path.
    var documents: [String: OpenDocument] = [:]
    var uriByPath: [String: String] = [:]
    let index: MainFileIndex
    /// Bumped on every change to what a check reads; cached checks of an
    /// older generation are stale.
    var generation = 0
    var checks: [String: RootCheck] = [:]
    /// Documents to publish diagnostics for at the end of this batch, in order.
    var pending: [String] = []
    /// Which check each open document was last published from.
    var rootOfDocument: [String: String] = [:]
    /// URIs each check published to, and URIs whose last published list was not empty.
    var publishedByRoot: [String: Set<String>] = [:]
    var urisWithDiagnostics = Set<String>()
    /// Line tables of the files the current batch's answers mention.
    let positionConverters = PositionConverters()

    init(send: @escaping ([UInt8]) -> Void, log: @escaping (String) -> Void = { _ in }) {
        self.send = send
        self.log = log
        index = MainFileIndex(log: log)
    }

    /// Feeds bytes read from the client: any split, any number of messages.
    func receive<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for event in framer.append(bytes) {
            guard exitStatus == nil else { return }
            switch event {
            case .message(let body): handle(body)
            case .error(let problem): log("framing: \(problem)")
            }
        }
        if exitStatus == nil { publishPendingDiagnostics() }
        positionConverters.removeAll()
    }

    func sendNotification(_ method: String, _ params: JSON) {
        send(MessageFramer.frame(JSONRPC.notification(method, params)))
    }

    private func handle(_ body: [UInt8]) {
        switch JSONRPC.parse(body) {
        case .invalid(let id, let error):
            log(error.message)
            send(MessageFramer.frame(JSONRPC.response(id: id, error: error)))
        case .response:
            break
        case .notification(let method, let params):
            notification(method, Params(params))
        case .request(let id, let method, let params):
            switch request(method, Params(params)) {
            case .success(let result): send(MessageFramer.frame(JSONRPC.response(id: id, result: result)))
            case .failure(let error): send(MessageFramer.frame(JSONRPC.response(id: id, error: error)))
            }
        }
    }

    private func request(_ method: String, _ params: Params?) -> Result<JSON, JSONRPC.ResponseError> {
        switch state {
        case .waitingForInitialize where method != "initialize":
            return .failure(.serverNotInitialized)
        case .running where method == "initialize":
            return .failure(.invalidRequest("the server is already initialized"))
        case .shutDown:
            return .failure(.invalidRequest("the server is shut down: only 'exit' is accepted"))
        default:
            break
        }
        switch method {
        case "initialize": return .success(initialize(params))
        case "shutdown":
            state = .shutDown
            return .success(.null)
        case "textDocument/hover": return hover(params)
        case "textDocument/completion": return completion(params)
        case "textDocument/definition": return definition(params)
        case "textDocument/documentSymbol": return documentSymbols(params)
        case "textDocument/formatting": return formatting(params, rangeOnly: false)
        case "textDocument/rangeFormatting": return formatting(params, rangeOnly: true)
        case "textDocument/codeAction": return codeActions(params)
        default: return .failure(.methodNotFound(method))
        }
    }

    private func notification(_ method: String, _ params: Params?) {
        if method == "exit" {
            exitStatus = state == .shutDown ? 0 : 1
            return
        }
        guard state == .running else { return }
        switch method {
        case "initialized", "$/cancelRequest", "$/setTrace": break
        case "textDocument/didOpen": didOpen(params)
        case "textDocument/didChange": didChange(params)
        case "textDocument/didSave": didSave(params)
        case "textDocument/didClose": didClose(params)
        case "workspace/didChangeWatchedFiles": filesChangedOnDisk()
        default:
            // `$/` notifications may be ignored; others are logged for the user's bug reports.
            if !method.hasPrefix("$/") { log("ignored notification \(method)") }
        }
    }

    // MARK: initialize

    private func initialize(_ params: Params?) -> JSON {
        state = .running
        let offered = params?.object("capabilities")?.object("general")?.array("positionEncodings")?.compactMap { $0 as? String } ?? []
        // The client lists its encodings by preference; take the first we speak.
        encoding = offered.lazy.compactMap(PositionEncoding.init(rawValue:)).first ?? .utf16
        var folders = params?.array("workspaceFolders")?.compactMap { Params($0)?.string("uri") } ?? []
        if folders.isEmpty, let root = params?.string("rootUri") { folders = [root] }
        var paths = folders.map(FileURI.path(fromURI:))
        if paths.isEmpty, let root = params?.string("rootPath") { paths = [LexicalPath.normalized(root)] }
        index.workspaceFolders = paths.filter { $0.hasPrefix("/") }
        let capabilities: JSON = .object([
            ("positionEncoding", .string(encoding.rawValue)),
            ("textDocumentSync", .object([
                ("openClose", .bool(true)),
                ("change", .int(2)),
                ("save", .object([("includeText", .bool(false))])),
            ])),
            ("hoverProvider", .bool(true)),
            ("completionProvider", .object([("triggerCharacters", .array([.string(" ")])), ("resolveProvider", .bool(false))])),
            ("definitionProvider", .bool(true)),
            ("documentSymbolProvider", .bool(true)),
            ("documentFormattingProvider", .bool(true)),
            ("documentRangeFormattingProvider", .bool(true)),
            ("codeActionProvider", .object([("codeActionKinds", .array([.string("quickfix")]))])),
        ])
        return .object([
            ("capabilities", capabilities),
            ("serverInfo", .object([("name", .string("confcheck")), ("version", .string(ConfLangVersion.current))])),
        ])
    }
}
