/// Load + check, the pipeline shared by `confcheck` and `webserv -t`.
public enum Linter {
    public struct Options {
        /// The context the main file stands in (`--context`).
        public var context: Context = .main
        /// Skip the semantic checks (includes are still read).
        public var syntaxOnly = false
        /// Decides whether `listen` and `proxy_pass` host names resolve (tests pass a fake).
        public var hostResolver: HostResolver = .system
        public init(context: Context = .main, syntaxOnly: Bool = false, hostResolver: HostResolver = .system) {
            self.context = context
            self.syntaxOnly = syntaxOnly
            self.hostResolver = hostResolver
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
            diagnostics += SemanticChecker(baseDirectory: directory(of: path), hostResolver: options.hostResolver)
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
