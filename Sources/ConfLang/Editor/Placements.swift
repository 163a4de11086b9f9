/// Where each directive of a loaded configuration stands once includes are
/// followed: its context and enclosing server. An editor needs this for a
/// fragment, whose own text does not say it sits inside `http` or `server`.
public final class Placements {
    public struct Place {
        /// nil inside a block the directive table does not know.
        public let context: Context?
        /// The `server` block around the directive, if any.
        public let server: Directive?
    }

    private var places: [ObjectIdentifier: Place] = [:]
    private var fileContexts: [ObjectIdentifier: Context] = [:]
    private var visiting = Set<ObjectIdentifier>()
    /// Every `server` block reached, in walk order.
    public private(set) var servers: [Directive] = []
    private var seenServers = Set<ObjectIdentifier>()
    /// A file included many times over (a diamond of globs) is walked each
    /// time, as nginx expands it; the budget bounds pathological graphs.
    private var budget = 500_000

    /// Walks `root` standing in `context`, following includes.
    public init(root: ConfigFile, context: Context) {
        fileContexts[ObjectIdentifier(root)] = context
        visiting.insert(ObjectIdentifier(root))
        walk(root.nodes, context: context, server: nil)
    }

    /// First placement wins when a directive is reached more than once.
    public func place(of directive: Directive) -> Place? { places[ObjectIdentifier(directive)] }

    /// The context a file's top level stands in (where it was first included).
    public func context(ofFile file: ConfigFile) -> Context? { fileContexts[ObjectIdentifier(file)] }

    private func walk(_ nodes: [Node], context: Context?, server: Directive?) {
        for case .directive(let directive) in nodes {
            guard budget > 0 else { return }
            budget -= 1
            let id = ObjectIdentifier(directive)
            if places[id] == nil { places[id] = Place(context: context, server: server) }
            if directive.isInclude {
                for file in directive.followableIncludes {
                    let fileID = ObjectIdentifier(file)
                    if fileContexts[fileID] == nil, let context { fileContexts[fileID] = context }
                    guard visiting.insert(fileID).inserted else { continue }
                    walk(file.nodes, context: context, server: server)
                    visiting.remove(fileID)
                }
            }
            guard let block = directive.block else { continue }
            let inner = Placements.innerContext(of: directive)
            var enclosingServer = server
            if inner == .server {
                enclosingServer = directive
                if seenServers.insert(id).inserted { servers.append(directive) }
            }
            walk(block.nodes, context: inner, server: enclosingServer)
        }
    }

    /// The context of a block directive's body, from the directive table.
    public static func innerContext(of directive: Directive) -> Context? {
        guard case .block(let inner)? = DirectiveTable.spec(named: directive.nameText)?.body else { return nil }
        return inner
    }
}
