/// Reads a main file and everything it includes: every file is parsed once,
/// in crossplane's discovery order (breadth first), then include cycles and
/// depth are checked. Syntax, encoding and include problems are diagnostics.
public struct ConfigLoader {
    /// Deeper include nesting than this is an error (it is a cycle in all but name).
    public static let maxIncludeDepth = 32

    /// How included files are read: the disk, or an editor's unsaved text over it.
    public let readFile: (String) -> Result<[UInt8], FileAccess.ReadError>

    public init(readFile: @escaping (String) -> Result<[UInt8], FileAccess.ReadError> = FileAccess.readFile) {
        self.readFile = readFile
    }

    public func load(path: String) -> Result<LoadedConfig, FileAccess.ReadError> {
        readFile(path).map { load(path: path, bytes: $0) }
    }

    /// Loads from bytes already read (`-` for standard input, or tests);
    /// includes are still resolved relative to `path`'s directory.
    public func load(path: String, bytes: [UInt8]) -> LoadedConfig {
        var state = LoadState(readFile: readFile)
        let main = state.parse(SourceFile(path: path, bytes: bytes), includedFrom: nil, includer: nil)
        var next = 0
        while next < state.files.count {
            let file = state.files[next]
            next += 1
            state.resolveIncludes(in: file.nodes, of: file)
        }
        var cycles = CycleCheck()
        cycles.visit(main, depth: 0)
        return LoadedConfig(main: main, files: state.files,
                            diagnostics: state.diagnostics + cycles.diagnostics,
                            includeFailures: state.includeFailures)
    }
}

/// The parsed configuration with its files in discovery order.
public final class LoadedConfig {
    public let main: ConfigFile
    public let files: [ConfigFile]
    /// Syntax, encoding and include diagnostics, in the order they were found.
    public let diagnostics: [Diagnostic]
    /// Includes whose file could not be read (also in `diagnostics`), for `--dump`.
    public let includeFailures: [IncludeFailure]

    init(main: ConfigFile, files: [ConfigFile], diagnostics: [Diagnostic], includeFailures: [IncludeFailure]) {
        self.main = main
        self.files = files
        self.diagnostics = diagnostics
        self.includeFailures = includeFailures
    }
}

public struct IncludeFailure {
    public let directive: Directive
    public let error: FileAccess.ReadError
}

/// Notes that show how a file was reached: one per include, innermost first.
public func includeChainNotes(for file: ConfigFile) -> [Diagnostic.Note] {
    var notes: [Diagnostic.Note] = []
    var seen = Set<ObjectIdentifier>()
    var current = file
    while let include = current.includedFrom, seen.insert(ObjectIdentifier(current)).inserted {
        notes.append(.init("'\(current.path)' is included here", at: include.name.range))
        guard let includer = current.includer else { break }
        current = includer
    }
    return notes
}

private struct LoadState {
    let readFile: (String) -> Result<[UInt8], FileAccess.ReadError>
    var files: [ConfigFile] = []
    var filesByPath: [String: ConfigFile] = [:]
    var diagnostics: [Diagnostic] = []
    var includeFailures: [IncludeFailure] = []

    mutating func parse(_ source: SourceFile, includedFrom: Directive?, includer: ConfigFile?) -> ConfigFile {
        let (file, syntaxDiagnostics) = Parser.parse(source)
        file.includedFrom = includedFrom
        file.includer = includer
        files.append(file)
        filesByPath[source.path] = file
        let chain = includeChainNotes(for: file)
        if let offset = source.firstInvalidUTF8Offset() {
            diagnostics.append(.warning(.encodingInvalidUTF8,
                "'\(source.path)' is not valid UTF-8 (first bad byte here); it is read as bytes, as nginx does",
                at: SourceRange(file: source, start: offset, end: offset + 1), notes: chain))
        }
        for var diagnostic in syntaxDiagnostics {
            diagnostic.notes += chain
            diagnostics.append(diagnostic)
        }
        return file
    }

    mutating func resolveIncludes(in nodes: [Node], of file: ConfigFile) {
        for case .directive(let directive) in nodes {
            if directive.isInclude { resolve(directive, in: file) }
            if let block = directive.block { resolveIncludes(in: block.nodes, of: file) }
        }
    }

    private mutating func resolve(_ include: Directive, in file: ConfigFile) {
        guard include.arguments.count == 1 else {
            diagnostics.append(.error(.includeArguments,
                "'include' takes exactly one path, got \(include.arguments.count)",
                at: include.name.range, notes: includeChainNotes(for: file)))
            return
        }
        let argument = include.arguments[0]
        let pattern = FileAccess.join(directoryOf: file.path, argument.value)
        let paths = FileAccess.hasGlobMagic(argument.value) ? FileAccess.glob(pattern) : [pattern]
        for path in paths {
            if let known = filesByPath[path] {
                include.includedFiles.append(known)
                continue
            }
            switch readFile(path) {
            case .success(let bytes):
                include.includedFiles.append(parse(SourceFile(path: path, bytes: bytes), includedFrom: include, includer: file))
            case .failure(let error):
                includeFailures.append(IncludeFailure(directive: include, error: error))
                let hint = error.isMissing
                    ? " (include paths are relative to the directory of '\(file.path)')" : ""
                diagnostics.append(.error(.includeUnreadable,
                    "cannot read included file '\(path)': \(error.reason)\(hint)",
                    at: argument.range, notes: includeChainNotes(for: file)))
            }
        }
    }
}

/// Depth-first walk of the include graph: an include that reaches a file still
/// being included closes a cycle; it is reported and cut so walkers terminate.
private struct CycleCheck {
    var diagnostics: [Diagnostic] = []
    /// Files being included right now, with their position in `stack`.
    private var active: [ObjectIdentifier: Int] = [:]
    private var finished = Set<ObjectIdentifier>()
    /// The includes being followed, outermost first, with the file each led to.
    private var stack: [(include: Directive, target: ConfigFile)] = []

    mutating func visit(_ file: ConfigFile, depth: Int) {
        active[ObjectIdentifier(file)] = stack.count
        visitNodes(file.nodes, depth: depth)
        active[ObjectIdentifier(file)] = nil
        finished.insert(ObjectIdentifier(file))
    }

    private mutating func visitNodes(_ nodes: [Node], depth: Int) {
        for case .directive(let directive) in nodes {
            if let block = directive.block { visitNodes(block.nodes, depth: depth) }
            guard directive.isInclude else { continue }
            for target in directive.includedFiles {
                let id = ObjectIdentifier(target)
                if let start = active[id] {
                    reportCycle(at: directive, target: target, chainStart: start)
                    directive.cutTargets.insert(id)
                } else if depth + 1 > ConfigLoader.maxIncludeDepth {
                    diagnostics.append(.error(.includeTooDeep,
                        "includes are nested more than \(ConfigLoader.maxIncludeDepth) levels deep (is this a cycle through different paths?)",
                        at: directive.name.range, notes: chainNotes(from: max(0, stack.count - 3))))
                    directive.cutTargets.insert(id)
                } else if !finished.contains(id) {
                    stack.append((directive, target))
                    visit(target, depth: depth + 1)
                    stack.removeLast()
                }
            }
        }
    }

    /// One note per include in stack[start...], innermost first.
    private func chainNotes(from start: Int) -> [Diagnostic.Note] {
        stack[start...].reversed().map { step in
            .init("'\(step.target.path)' is included here", at: step.include.name.range)
        }
    }

    /// The message names the cycle; the notes show every include from the main file.
    private mutating func reportCycle(at include: Directive, target: ConfigFile, chainStart: Int) {
        let cycle = [target.path] + stack[chainStart...].map(\.target.path) + [target.path]
        diagnostics.append(.error(.includeCycle,
            "include cycle: '\(target.path)' is already being included (\(cycle.joined(separator: " -> ")))",
            at: include.arguments.first?.range ?? include.name.range,
            notes: chainNotes(from: 0)))
    }
}
