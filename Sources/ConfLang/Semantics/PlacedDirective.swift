/// A directive together with the includes that brought it where it stands:
/// the view of a block with its includes spliced in, as nginx sees it.
public struct PlacedDirective {
    public let directive: Directive
    /// The includes followed to get here, outermost first, each with the file it led to.
    public let chain: [(include: Directive, file: ConfigFile)]

    /// `'x.conf' is included here` notes, innermost first.
    public var chainNotes: [Diagnostic.Note] {
        chain.reversed().map { .init("'\($0.file.path)' is included here", at: $0.include.name.range) }
    }

    /// The directives of `nodes` with every `include` replaced by the
    /// directives of the files it includes (includes themselves are returned
    /// too when `keepIncludes` is set, so their context can be checked).
    public static func splice(_ nodes: [Node], chain: [(include: Directive, file: ConfigFile)] = [],
                              keepIncludes: Bool = false) -> [PlacedDirective] {
        var result: [PlacedDirective] = []
        for case .directive(let directive) in nodes {
            guard directive.isInclude else {
                result.append(PlacedDirective(directive: directive, chain: chain))
                continue
            }
            if keepIncludes { result.append(PlacedDirective(directive: directive, chain: chain)) }
            for file in directive.followableIncludes {
                result += splice(file.nodes, chain: chain + [(directive, file)], keepIncludes: keepIncludes)
            }
        }
        return result
    }

    public var name: String { directive.nameText }
    public var arguments: [Argument] { directive.arguments }

    /// The directives of this directive's block, includes spliced in.
    public func children(keepIncludes: Bool = false) -> [PlacedDirective] {
        guard let block = directive.block else { return [] }
        return PlacedDirective.splice(block.nodes, chain: chain, keepIncludes: keepIncludes)
    }
}
