/// `types { type/subtype ext...; }` bodies: entries, and extensions mapped twice
/// across all the `types` blocks of one context (mime.types included).
extension CheckRun {
    mutating func checkTypesBody(_ entries: [PlacedDirective]) {
        for entry in entries {
            let directive = entry.directive
            let name = directive.nameText
            if directive.isInclude {
                emit(.error(.directiveContext, "'include' is not allowed inside 'types'; include the whole types { } block instead",
                            at: directive.name.range), for: entry)
                continue
            }
            if let block = directive.block {
                emit(.error(.typesEntry, "a types entry does not take a block: write '\(name) EXTENSION...;'",
                            at: block.open), for: entry)
            }
            if !Values.isMimeType(name) {
                emit(.error(.typesMimeType, "invalid MIME type '\(name)' in types: use type/subtype (e.g. text/html)",
                            at: directive.name.range), for: entry)
            }
            if directive.arguments.isEmpty {
                emit(.error(.typesNoExtension, "types entry '\(name)' lists no file extension: add one or more (e.g. \(name) ext;)",
                            at: directive.name.range), for: entry)
            }
        }
    }

    /// Extension mapped twice in the merged table of one context.
    mutating func checkTypesMerge(_ valid: [(PlacedDirective, DirectiveSpec)]) {
        var first: [String: (argument: Argument, type: String)] = [:]
        for (item, spec) in valid where spec.name == "types" {
            for entry in item.children() where !entry.directive.isInclude && entry.directive.block == nil {
                let type = entry.directive.nameText
                for argument in entry.arguments {
                    let extensionName = argument.value.lowercased()
                    if let earlier = first[extensionName] {
                        let same = earlier.type == type ? "again to the same type" : "to '\(type)' after '\(earlier.type)'"
                        emit(.warning(.typesDuplicateExtension,
                                      "extension '\(argument.value)' is mapped \(same); the last mapping wins",
                                      at: argument.range, notes: [.init("first mapped here", at: earlier.argument.range)]), for: entry)
                    } else {
                        first[extensionName] = (argument, type)
                    }
                }
            }
        }
    }
}
