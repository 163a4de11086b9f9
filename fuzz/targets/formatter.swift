import Glibc

/// Formatter.format on every input that parses without errors. Properties:
/// - the output parses without errors and formats to itself (idempotent);
/// - its tree equals the input's, positions aside: directive names, argument
///   bytes and blocks, with the comments (own bytes) in the same order;
/// - comments are byte-exact: the output's comments, as read again, are the
///   input's byte for byte (`#\r\r` was read as `#\r`, its output as `#`);
/// - every name, argument and comment of the input appears in the output,
///   byte for byte, in source order.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (file, diagnostics) = Parser.parse(SourceFile(path: "in.conf", bytes: bytes))
    guard !diagnostics.hasErrors else { return 0 }
    let output = Formatter.format(file)
    let (again, againDiagnostics) = Parser.parse(SourceFile(path: "out.conf", bytes: output))
    func fail(_ what: String) -> Never {
        propertyFailure("\(what)\n--- input (\(bytes.count) bytes): \(escaped(bytes))\n--- output: \(escaped(output))")
    }
    if againDiagnostics.hasErrors {
        fail("the output has errors: \(againDiagnostics.filter { $0.severity == .error }.map { "\($0.location) \($0.message)" })")
    }
    let twice = Formatter.format(again)
    if twice != output { fail("not idempotent; formatted again: \(escaped(twice))") }
    if shape(file.nodes) != shape(again.nodes) { fail("trees differ:\n\(shape(file.nodes))\n\(shape(again.nodes))") }
    let (before, after) = (comments(file).map(Array.init), comments(again).map(Array.init))
    if before != after {
        let first = zip(before, after).first { $0 != $1 }.map { "\(escaped($0.0)) became \(escaped($0.1))" } ?? "\(before.count) comments became \(after.count)"
        fail("comments differ: \(first)")
    }
    var searchFrom = output.startIndex
    for token in tokens(file) {
        guard let found = output[searchFrom...].firstRange(of: token) else { fail("token \(escaped(Array(token))) missing or out of order") }
        searchFrom = found.upperBound
    }
    return 0
}

/// A directive tree without positions or comments.
private struct Shape: Equatable, CustomStringConvertible {
    let name: [UInt8]
    let arguments: [[UInt8]]
    let block: [Shape]?
    var description: String {
        let words = ([name] + arguments).map { escaped($0) }.joined(separator: " ")
        return words + (block.map { " {\($0.map(\.description).joined(separator: " "))}" } ?? ";")
    }
}

private func raw(_ range: SourceRange) -> ArraySlice<UInt8> { range.file.bytes[range.start..<range.end] }

private func shape(_ nodes: [Node]) -> [Shape] {
    nodes.compactMap { node in
        guard case .directive(let directive) = node else { return nil }
        return Shape(name: Array(raw(directive.name.range)), arguments: directive.arguments.map { Array(raw($0.range)) },
                     block: directive.block.map { shape($0.nodes) })
    }
}

/// Names, arguments and comments (each comment once, wherever the parser put it), in source order.
private func tokens(_ file: ConfigFile) -> [ArraySlice<UInt8>] {
    var ranges: [SourceRange] = []
    func walk(_ nodes: [Node]) {
        for node in nodes {
            switch node {
            case .comment(let comment): ranges.append(comment.range)
            case .directive(let directive):
                ranges += [directive.name.range] + directive.arguments.map(\.range) + directive.innerComments.map(\.comment.range)
                if let block = directive.block { walk(block.nodes) }
            }
        }
    }
    walk(file.nodes)
    return ranges.sorted { $0.start < $1.start }.map(raw)
}

private func comments(_ file: ConfigFile) -> [ArraySlice<UInt8>] {
    tokens(file).filter { $0.first == UInt8(ascii: "#") }
}

/// Printable ASCII as is, everything else as \xNN.
private func escaped<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    var text = "\""
    for byte in bytes {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "\"") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    return text + "\""
}

private func propertyFailure(_ message: String) -> Never {
    fputs("PROPERTY FAILED: \(message)\n", stderr)
    abort()
}
