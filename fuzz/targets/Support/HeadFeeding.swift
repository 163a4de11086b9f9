/// The frame of the upstream head targets (cgi_response, upstream_response):
/// a parser fed the payload in one read and in the input's pieces, each until
/// it is no longer needMore, `check` looking at it after every read; the two
/// results must be the same.
func fuzzHead<Parser: UpstreamHeadParser>(_ data: UnsafePointer<UInt8>, _ size: Int, _ make: () -> Parser,
                                          check: (Parser, _ fed: [UInt8], UpstreamHeadResult) -> Void) {
    let input = SplitInput(data, size)
    let whole = feed([input.payload], to: make(), check)
    let split = feed(input.pieces(of: input.payload), to: make(), check)
    if whole != split { propertyFailure("one read: \(whole)\nsplit reads: \(split)") }
}

private func feed<Parser: UpstreamHeadParser>(_ reads: [ArraySlice<UInt8>], to parser: Parser,
                                              _ check: (Parser, [UInt8], UpstreamHeadResult) -> Void) -> UpstreamHeadResult {
    var parser = parser
    var fed: [UInt8] = []
    var result = UpstreamHeadResult.needMore
    for read in reads {
        fed += read
        result = parser.feed(read)
        check(parser, fed, result)
        if result != .needMore { break }
    }
    return result
}
