/// CGIResponseParser fed a script's output in reads, as EventLoop+CGI does
/// until it is no longer needMore. Properties: the reads do not change the
/// result (status, headers, bodyStart, or invalid); `received` is what was
/// fed; bodyStart lies inside it; nothing crashes.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    let whole = feed([input.payload])
    let split = feed(input.pieces(of: input.payload))
    if whole != split { propertyFailure("one read: \(whole)\nsplit reads: \(split)") }
    return 0
}

private func feed(_ reads: [ArraySlice<UInt8>]) -> UpstreamHeadResult {
    var parser = CGIResponseParser()
    var fed: [UInt8] = []
    var result = UpstreamHeadResult.needMore
    for read in reads {
        fed += read
        result = parser.feed(read)
        if parser.received != fed { propertyFailure("received \(parser.received.count) bytes, fed \(fed.count)") }
        if case .complete(_, _, let bodyStart) = result, bodyStart > fed.count {
            propertyFailure("bodyStart \(bodyStart) after the \(fed.count) bytes received")
        }
        if result != .needMore { break }
    }
    return result
}
