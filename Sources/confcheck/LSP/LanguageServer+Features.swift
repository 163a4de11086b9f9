import ConfLang

/// The requests on one document. Each finds the document's view (its file
/// in its root's check), turns the LSP position into a byte offset, asks
/// the protocol-free code in ConfLang/Editor, and converts the answer.
extension LanguageServer {
    typealias Reply = Result<JSON, JSONRPC.ResponseError>

    private func openDocument(_ params: Params?) -> Result<OpenDocument, JSONRPC.ResponseError> {
        guard let uri = params?.documentURI else { return .failure(.invalidParams("missing textDocument.uri")) }
        guard let document = documents[uri] else { return .failure(.invalidParams("the document is not open: \(uri)")) }
        return .success(document)
    }

    /// The view of the document and the byte offset of `params.position`.
    private func viewAtPosition(_ params: Params?) -> Result<(DocumentView, Int), JSONRPC.ResponseError> {
        openDocument(params).flatMap { document in
            guard let position = params?.position() else { return .failure(.invalidParams("missing or invalid position")) }
            guard let view = view(of: document) else { return .failure(.invalidParams("the document cannot be read")) }
            return .success((view, view.file.source.offset(of: position, encoding: encoding)))
        }
    }

    func hover(_ params: Params?) -> Reply {
        viewAtPosition(params).map { view, offset in
            guard let (markdown, range) = DirectiveReference.hover(at: offset, in: view.file) else { return .null }
            return .object([
                ("contents", .object([("kind", .string("markdown")), ("value", .string(markdown))])),
                ("range", conversion().range(range)),
            ])
        }
    }

    func completion(_ params: Params?) -> Reply {
        viewAtPosition(params).map { view, offset in
            let cursor = CursorContext.at(offset, in: view.file, topContext: view.topContext)
            // A typed space asks for values; a space in indentation asks for nothing.
            if params?.object("context")?.int("triggerKind") == 2, case .directiveName = cursor.role {
                return .object([("isIncomplete", .bool(false)), ("items", .array([]))])
            }
            let candidates = Completion.candidates(at: cursor, mimeTypes: Completion.mimeTypes(in: view.check.result.config.files))
            let replacing: SourceRange? = {
                switch cursor.role {
                case .directiveName(_, let range), .argument(_, _, _, let range): return range
                case .none: return nil
                }
            }()
            let conversion = conversion()
            let items: [JSON] = candidates.map { candidate in
                var fields: [(String, JSON)] = [
                    ("label", .string(candidate.label)),
                    ("kind", .int(candidate.kind == .directive ? 14 : 12)),
                    ("detail", .string(candidate.detail)),
                ]
                if !candidate.documentation.isEmpty {
                    fields.append(("documentation", .object([("kind", .string("markdown")), ("value", .string(candidate.documentation))])))
                }
                // An explicit edit: `text/html` or `=` are not words to an editor.
                if let replacing, replacing.startLocation.line == replacing.endLocation.line {
                    fields.append(("textEdit", conversion.textEdit(replacing, candidate.label)))
                }
                return .object(fields)
            }
            return .object([("isIncomplete", .bool(false)), ("items", .array(items))])
        }
    }

    func definition(_ params: Params?) -> Reply {
        viewAtPosition(params).map { view, offset in
            let conversion = conversion()
            return .array(Definitions.targets(at: offset, in: view.file, placements: view.check.placements).map { target in
                switch target {
                case .file(let path): return conversion.location(ofFile: path)
                case .range(let range): return conversion.location(range)
                }
            })
        }
    }

    func documentSymbols(_ params: Params?) -> Reply {
        openDocument(params).map { document in
            let (file, _) = Parser.parse(document.source)
            let conversion = conversion()
            func encode(_ symbol: DocumentOutline.Symbol) -> JSON {
                .object([
                    ("name", .string(symbol.name)),
                    ("detail", .string(symbol.detail)),
                    // Namespace for a server, Field for a location.
                    ("kind", .int(symbol.kind == .server ? 3 : 8)),
                    ("range", conversion.range(symbol.range)),
                    ("selectionRange", conversion.range(symbol.selectionRange)),
                    ("children", .array(symbol.children.map(encode))),
                ])
            }
            return .array(DocumentOutline.symbols(in: file).map(encode))
        }
    }

    /// Whole-document or range formatting; a document with syntax errors gets no edits.
    func formatting(_ params: Params?, rangeOnly: Bool) -> Reply {
        openDocument(params).flatMap { document in
            let source = document.source
            let edits: [FormattingEdits.Edit]?
            if rangeOnly {
                guard let range = params?.range() else { return .failure(.invalidParams("missing or invalid range")) }
                // A selection ending at the start of a line does not take that line in.
                let lastLine = range.end.character == 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line
                edits = FormattingEdits.edits(for: source, lines: range.start.line...lastLine)
            } else {
                edits = FormattingEdits.edits(for: source)
            }
            guard let edits else {
                log("not formatting \(document.uri): it has syntax errors")
                return .success(.array([]))
            }
            let conversion = conversion()
            return .success(.array(edits.map { edit in
                conversion.textEdit(SourceRange(file: source, start: edit.range.lowerBound, end: edit.range.upperBound),
                                    String(decoding: edit.replacement, as: UTF8.self))
            }))
        }
    }

    /// Quick fixes: the fix-its of the findings in the requested range.
    func codeActions(_ params: Params?) -> Reply {
        openDocument(params).flatMap { document in
            guard let range = params?.range() else { return .failure(.invalidParams("missing or invalid range")) }
            guard let view = view(of: document) else { return .success(.array([])) }
            let source = view.file.source
            let start = source.offset(of: range.start, encoding: encoding)
            let end = source.offset(of: range.end, encoding: encoding)
            let conversion = conversion()
            let actions: [JSON] = view.check.diagnostics.compactMap { diagnostic in
                guard let fix = diagnostic.fixIt, diagnostic.range.file === source,
                      diagnostic.range.start <= end, start <= diagnostic.range.end else { return nil }
                let title = fix.range.start == fix.range.end ? "Insert '\(fix.replacement)'"
                    : fix.replacement.isEmpty ? "Remove '\(fix.range.text)'" : "Replace with '\(fix.replacement)'"
                let edit: JSON = .object([("changes", .object([
                    (uri(forPath: fix.range.file.path), .array([conversion.textEdit(fix.range, fix.replacement)])),
                ]))])
                return .object([
                    ("title", .string(title)),
                    ("kind", .string("quickfix")),
                    ("diagnostics", .array([conversion.diagnostic(diagnostic)])),
                    ("isPreferred", .bool(true)),
                    ("edit", edit),
                ])
            }
            return .success(.array(actions))
        }
    }
}
