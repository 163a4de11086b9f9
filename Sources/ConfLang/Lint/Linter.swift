/// Load + check, the pipeline shared by `confcheck` and `webserv -t`.
public enum Linter {
    public struct Options {
        /// The context the main file stands in (`--context`).
        public var context: Context = .main
        /// Skip the semantic checks (includes are still read).
        public var syntaxOnly = false
        /// Decides whether `listen` and `proxy_pass` host names resolve (tests pass a fake).
        public var hostResolver: HostResolver = .system
        /// Reads certificate and key files for their checks (confcheck and webserv pass
        /// OpenSSL's, tests a fake); nil: those files are not looked at.
        public var certificateInspector: (any CertificateInspector)?
        /// Seconds since 1970 that certificates' expiry is judged at (nil: now).
        public var now: Int64?
        public init(context: Context = .main, syntaxOnly: Bool = false, hostResolver: HostResolver = .system,
                    certificateInspector: (any CertificateInspector)? = nil, now: Int64? = nil) {
            self.context = context
            self.syntaxOnly = syntaxOnly
            self.hostResolver = hostResolver
            self.certificateInspector = certificateInspector
            self.now = now
        }
    }

    public struct Result {
        public let config: LoadedConfig
        /// All findings to report, grouped by file and in source order.
        public let diagnostics: [Diagnostic]
        /// Findings hidden by `# confcheck: ignore[...]` comments: not
        /// reported, but an error among them still makes the configuration invalid.
        public let suppressed: [Diagnostic]
    }

    public static func lint(path: String, options: Options = Options()) -> Swift.Result<Result, FileAccess.ReadError> {
        FileAccess.readFile(path).map { lint(path: path, bytes: $0, options: options) }
    }

    /// `loader` decides how includes are read (the language server reads unsaved editor text).
    public static func lint(path: String, bytes: [UInt8], options: Options = Options(),
                            loader: ConfigLoader = ConfigLoader()) -> Result {
        let config = loader.load(path: path, bytes: bytes)
        var diagnostics = config.diagnostics
        if !options.syntaxOnly {
            diagnostics += SemanticChecker(baseDirectory: directory(of: path), hostResolver: options.hostResolver,
                                           certificateInspector: options.certificateInspector, now: options.now)
                .check(config, context: options.context)
        }
        let suppressions = Suppressions(config.files)
        var reported: [Diagnostic] = [], suppressed: [Diagnostic] = []
        for diagnostic in diagnostics {
            if suppressions.hides(diagnostic) { suppressed.append(diagnostic) } else { reported.append(diagnostic) }
        }
        let fileOrder = config.files.map(\.source)
        return Result(config: config, diagnostics: (reported + suppressions.diagnostics).sortedByPosition(fileOrder: fileOrder),
                      suppressed: suppressed.sortedByPosition(fileOrder: fileOrder))
    }

    /// The directory relative paths in a configuration are resolved against:
    /// the main file's directory ("" for a file in the current directory).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
