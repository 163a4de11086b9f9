/// Load + check, the pipeline shared by `confcheck` and `webserv -t`.
public enum Linter {
    public struct Options {
        /// The context the main file stands in (`--context`).
        public var context: Context = .main
        /// Skip the semantic checks (includes are still read).
        public var syntaxOnly = false
        public init(context: Context = .main, syntaxOnly: Bool = false) {
            self.context = context
            self.syntaxOnly = syntaxOnly
        }
    }

    public struct Result {
        public let config: LoadedConfig
        /// All findings, grouped by file and in source order.
        public let diagnostics: [Diagnostic]
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
            diagnostics += SemanticChecker(baseDirectory: directory(of: path)).check(config, context: options.context)
        }
        return Result(config: config, diagnostics: diagnostics.sortedByPosition(fileOrder: config.files.map(\.source)))
    }

    /// The directory relative paths in a configuration are resolved against:
    /// the main file's directory ("" for a file in the current directory).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
