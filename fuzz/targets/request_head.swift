import Glibc

/// RequestParser fed as the server feeds it: after every read, `parse` gets the
/// whole buffer received so far. Property: the reads a request arrives in do
/// not change the answer (same head and `consumed`, same error status, or
/// still needMore), and nothing crashes.
///
/// Option (see SplitInput): 0 keeps the default limits; 1...31 sets small
/// ones so the 414/431 paths are reachable with short inputs.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    var limits = RequestLimits()
    if input.option > 0 {
        limits.maxLineBytes = 8 * input.option
        limits.maxHeadBytes = limits.maxLineBytes * (1 + input.option % 4)
        limits.maxHeaderCount = 1 + input.option % 7
    }
    let whole = parse(in: [input.payload], limits: limits)
    let split = parse(in: input.pieces(of: input.payload), limits: limits)
    if whole.result != split.result || whole.head != split.head {
        propertyFailure("one read: \(whole.result) \(whole.head)\nsplit reads: \(split.result) \(split.head)")
    }
    return 0
}

/// The result and (printed) head once a read decides, as Connection.parseHead is used.
private func parse(in reads: [ArraySlice<UInt8>], limits: RequestLimits) -> (result: RequestParser.Result, head: String) {
    let parser = RequestParser(limits: limits)
    var buffer: [UInt8] = []
    var result = RequestParser.Result.needMore
    for read in reads {
        buffer += read
        result = parser.parse(buffer)
        if result != .needMore { break }
    }
    if case .head(let consumed) = result {
        guard consumed > 0, consumed <= buffer.count, buffer[consumed - 1] == UInt8(ascii: "\n"), parser.head != nil else {
            propertyFailure("head(consumed: \(consumed)) of a \(buffer.count)-byte buffer, head \(String(describing: parser.head))")
        }
    }
    // RequestHead is not Equatable: its reflection compares every field, new ones included.
    return (result, String(describing: parser.head))
}
