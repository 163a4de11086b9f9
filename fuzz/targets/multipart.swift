import Glibc

/// MultipartParser fed the body in reads, as UploadConsumer does. The
/// payload's first line is the Content-Type (its boundary parameter), the
/// rest is the body. Properties: with data events merged, the reads do not
/// change the events or whether the body is malformed; nothing follows
/// `.end`; a part's data never holds the delimiter; nothing crashes.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    guard let newline = input.payload.firstIndex(of: UInt8(ascii: "\n")) else { return 0 }
    let contentType = String(decoding: input.payload[..<newline], as: UTF8.self)
    guard let parser = MultipartParser(contentType: contentType) else { return 0 }
    let body = input.payload[(newline + 1)...]
    let whole = feed(parser, [body])
    let split = feed(parser, input.pieces(of: body))
    // A feed that throws drops the events of that feed, so only the verdict is compared then.
    if whole.malformed != split.malformed || (!whole.malformed && whole.events != split.events) {
        propertyFailure("one read: \(whole)\nsplit reads: \(split)")
    }
    if !whole.malformed, let boundary = MultipartParser.parameter("boundary", in: contentType) {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        for case .data(let bytes) in whole.events where bytes.firstRange(of: delimiter) != nil {
            propertyFailure("part data holds the delimiter: \(whole)")
        }
    }
    return 0
}

/// The events, consecutive data merged (how the split falls is not part of the result).
private func feed(_ parser: MultipartParser, _ reads: [ArraySlice<UInt8>]) -> (events: [MultipartParser.Event], malformed: Bool) {
    var parser = parser
    var events: [MultipartParser.Event] = []
    for read in reads {
        let new: [MultipartParser.Event]
        do { new = try parser.feed(read) } catch { return (events, true) }
        for event in new {
            if events.last == .end { propertyFailure("\(event) after .end") }
            if case .data(let more) = event {
                if more.isEmpty { continue }
                if case .data(let earlier)? = events.last { events[events.count - 1] = .data(earlier + more); continue }
            }
            events.append(event)
        }
    }
    return (events, false)
}
