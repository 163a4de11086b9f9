/// The context a file most likely stands in when no main file is known to
/// include it: the one where most of its top-level directives are allowed.
/// Ties go to the outer context; a file that fits nowhere (or is empty) is main,
/// so its unknown directives are still reported.
public enum ContextGuess {
    static let order: [Context] = [.main, .events, .http, .server, .location]

    public static func bestContext(for file: ConfigFile) -> Context {
        let directives = file.directives.filter { !$0.isInclude }
        guard !directives.isEmpty else { return .main }
        // mime.types without its `types {}` wrapper: a types body.
        if directives.allSatisfy({ Values.isMimeType($0.nameText) && $0.block == nil }) { return .types }
        var best: (context: Context, score: Int) = (.main, 0)
        for context in order {
            let score = directives.filter { directive in
                guard let spec = DirectiveTable.spec(named: directive.nameText), spec.contexts.contains(context) else { return false }
                return (spec.body == .none) == (directive.block == nil)
            }.count
            if score > best.score { best = (context, score) }
        }
        return best.context
    }
}
