/// The ConfLang front end on any bytes: lexer and parser, the semantic checks
/// in the main context and one more, the renderers of the diagnostics, and,
/// for a file without errors, the model builder and the crossplane dump.
/// Property: no crash and bounded time (libFuzzer's -timeout).
///
/// Linter.lint reads included files from the real filesystem (`include
/// /dev/zero` never ends), so it runs only on files without an include;
/// otherwise its steps run here with the includes left unresolved.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = "/nonexistent-fuzz/fuzz.conf"
    let source = SourceFile(path: path, bytes: bytes)
    let (file, syntax) = Parser.parse(source)
    _ = source.firstInvalidUTF8Offset()
    let config = LoadedConfig(main: file, files: [file], diagnostics: syntax, includeFailures: [])
    // Every listen name "resolves": a fuzz run must never wait on DNS.
    let resolver = HostResolver { _ in true }
    let checker = SemanticChecker(baseDirectory: "/nonexistent-fuzz", hostResolver: resolver)
    let checked = syntax + checker.check(config, context: .main)
    var diagnostics = checked.sortedByPosition(fileOrder: [source])
    // A second context, picked by the size so every input gets one.
    let contexts: [Context] = [.main, .events, .http, .server, .location, .types]
    let other = contexts[size % contexts.count]
    if other != .main { diagnostics += checker.check(config, context: other) }
    for format in DiagnosticRenderer.Format.allCases {
        _ = DiagnosticRenderer(format: format, showSnippets: true).render(diagnostics)
    }
    _ = CrossplaneDump.payload(for: config).serialized(indent: 2)
    if !checked.hasErrors {
        _ = ModelBuilder.build(config, baseDirectory: "/nonexistent-fuzz")
    }
    if !hasInclude(file.nodes) {
        _ = Linter.lint(path: path, bytes: bytes, options: .init(hostResolver: resolver))
    }
    return 0
}

private func hasInclude(_ nodes: [Node]) -> Bool {
    nodes.contains { node in
        guard case .directive(let directive) = node else { return false }
        return directive.isInclude || hasInclude(directive.block?.nodes ?? [])
    }
}
