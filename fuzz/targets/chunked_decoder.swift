/// ChunkedDecoder fed as the server feeds it: after every read it decodes the
/// unconsumed input, which then loses the `consumed` bytes. Properties: the
/// reads do not change the body, where it ends, or the error; a 413 comes
/// at the same place in the body with no more than maxBodySize bytes handed
/// out; `total` counts the body bytes; nothing crashes.
///
/// Option (see SplitInput): 0 is no size limit; 1...31 is maxBodySize.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    let limit = input.option
    let whole = decode([input.payload], limit: limit)
    let split = decode(input.pieces(of: input.payload), limit: limit)
    let report = "one read: \(whole)\nsplit reads: \(split)"
    guard whole.outcome == split.outcome else { propertyFailure("outcomes differ\n" + report) }
    if whole.outcome == .error(413) {
        // Reads cut a chunk: what fit under the limit was handed out before the 413.
        let (short, long) = whole.body.count <= split.body.count ? (whole.body, split.body) : (split.body, whole.body)
        guard long.starts(with: short), long.count <= limit else { propertyFailure("bodies before the 413 disagree\n" + report) }
    } else if whole.body != split.body || whole.position != split.position {
        propertyFailure("bodies or positions differ\n" + report)
    }
    return 0
}

private enum Outcome: Equatable { case needMore, end, error(Int) }

/// Body bytes, how it ended, and the offset in the payload where it did.
private func decode(_ reads: [ArraySlice<UInt8>], limit: Int) -> (outcome: Outcome, body: [UInt8], position: Int) {
    var decoder = ChunkedDecoder(maxBodySize: limit)
    var input: [UInt8] = []
    var body: [UInt8] = []
    var position = 0
    for read in reads {
        input += read
        // A slice that does not start at 0 checks that ranges are indices of the slice.
        let padded = [0xAA] + input
        let (events, consumed) = decoder.decode(padded[1...])
        guard consumed >= 0, consumed <= input.count else { propertyFailure("consumed \(consumed) of \(input.count)") }
        var outcome: Outcome?
        for event in events {
            guard outcome == nil else { propertyFailure("event \(event) after \(outcome!)") }
            switch event {
            case .data(let range):
                guard range.lowerBound >= 1, range.upperBound <= 1 + consumed, !range.isEmpty else {
                    propertyFailure("data range \(range) with consumed \(consumed) of \(input.count)")
                }
                body += padded[range]
            case .end: outcome = .end
            case .error(let status): outcome = .error(status)
            }
        }
        position += consumed
        input.removeFirst(consumed)
        if let outcome {
            if outcome != .error(413) && decoder.total != body.count { propertyFailure("total \(decoder.total), body \(body.count)") }
            return (outcome, body, position)
        }
        guard input.isEmpty else { propertyFailure("\(input.count) bytes left unconsumed without an end or error") }
    }
    if decoder.total != body.count { propertyFailure("total \(decoder.total), body \(body.count)") }
    return (.needMore, body, position)
}
