import ConfLang

/// ConfLang values as LSP JSON: positions in the negotiated encoding,
/// diagnostics with severity, code, source and related information.
struct LSPConversion {
    let encoding: PositionEncoding
    let uri: (String) -> String
    let converters: PositionConverters

    func position(_ offset: Int, in file: SourceFile) -> JSON {
        let position = converters.converter(for: file, encoding: encoding).position(of: offset)
        return .object([("line", .int(position.line)), ("character", .int(position.character))])
    }

    func range(_ range: SourceRange) -> JSON {
        .object([("start", position(range.start, in: range.file)), ("end", position(range.end, in: range.file))])
    }

    func location(_ range: SourceRange) -> JSON {
        .object([("uri", .string(uri(range.file.path))), ("range", self.range(range))])
    }

    /// The start of a file, for a definition that is a whole file.
    func location(ofFile path: String) -> JSON {
        let origin: JSON = .object([("line", .int(0)), ("character", .int(0))])
        return .object([("uri", .string(uri(path))), ("range", .object([("start", origin), ("end", origin)]))])
    }

    static func severity(_ severity: Diagnostic.Severity) -> Int {
        switch severity {
        case .error: return 1
        case .warning: return 2
        case .note: return 3
        }
    }

    /// Notes with a place become related information; notes without one
    /// are added to the message, so nothing the CLI prints is lost.
    func diagnostic(_ diagnostic: Diagnostic) -> JSON {
        var message = diagnostic.message
        for note in diagnostic.notes where note.range == nil { message += "\nnote: \(note.message)" }
        var fields: [(String, JSON)] = [
            ("range", range(diagnostic.range)),
            ("severity", .int(LSPConversion.severity(diagnostic.severity))),
            ("code", .string(diagnostic.code)),
            ("source", .string("confcheck")),
            ("message", .string(message)),
        ]
        let related: [JSON] = diagnostic.notes.compactMap { note in
            guard let range = note.range else { return nil }
            return .object([("location", location(range)), ("message", .string(note.message))])
        }
        if !related.isEmpty { fields.append(("relatedInformation", .array(related))) }
        return .object(fields)
    }

    func textEdit(_ range: SourceRange, _ newText: String) -> JSON {
        .object([("range", self.range(range)), ("newText", .string(newText))])
    }
}

/// One `PositionConverter` per file, kept while a batch of messages is
/// handled, so a line's columns are counted once for all the positions on it.
final class PositionConverters {
    private var converters: [ObjectIdentifier: PositionConverter] = [:]
    private var retiredBytesDecoded = 0

    /// Bytes decoded to count columns over the session.
    var bytesDecoded: Int { converters.values.reduce(retiredBytesDecoded) { $0 + $1.bytesDecoded } }

    /// The converter holds its file, so the identifier cannot be reused while cached.
    func converter(for file: SourceFile, encoding: PositionEncoding) -> PositionConverter {
        if let known = converters[ObjectIdentifier(file)], known.encoding == encoding { return known }
        let converter = PositionConverter(file: file, encoding: encoding)
        if let replaced = converters.updateValue(converter, forKey: ObjectIdentifier(file)) { retiredBytesDecoded += replaced.bytesDecoded }
        return converter
    }

    /// Lets go of the files (and their line tables).
    func removeAll() {
        retiredBytesDecoded = bytesDecoded
        converters = [:]
    }
}
