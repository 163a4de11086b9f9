/// CGIResponseParser fed a script's output in reads, as UpstreamEngine does
/// until it is no longer needMore. Properties: the reads do not change the
/// result (status, headers, bodyStart, or invalid); `received` is what was
/// fed; bodyStart lies inside it; nothing crashes.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzHead(data, size, CGIResponseParser.init) { parser, fed, result in
        if parser.received != fed { propertyFailure("received \(parser.received.count) bytes, fed \(fed.count)") }
        if case .complete(_, _, let bodyStart) = result, bodyStart > fed.count {
            propertyFailure("bodyStart \(bodyStart) after the \(fed.count) bytes received")
        }
    }
    return 0
}
