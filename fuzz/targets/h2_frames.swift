/// HTTP2Session fed arbitrary bytes after the client's preface, as a
/// connection's reads would bring them. Properties: nothing crashes; fed in
/// pieces it gives the events and output it gives fed at once (with an
/// application that only listens); with one that answers every request and
/// reads every body, memory stays bounded (the parser's leftover, the header
/// block, the streams), every frame it writes is whole and within the
/// peer's frame size, and nothing follows the closing event.
/// Option bit 0 selects small limits, so the defences are reached sooner.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = SplitInput(data, size)
    let limits = fuzzLimits(input.option)
    let bytes = (http2ClientPreface + input.payload)[...]
    let whole = listen([bytes], limits)
    let split = listen(input.pieces(of: bytes), limits)
    if whole.events != split.events { propertyFailure("split reads gave \(split.events), whole \(whole.events)") }
    if whole.output != split.output { propertyFailure("split reads wrote \(split.output.count) bytes, whole \(whole.output.count)") }
    answer(input.pieces(of: bytes), limits)
    return 0
}

func fuzzLimits(_ option: Int) -> HTTP2Limits {
    var limits = HTTP2Limits()
    if option & 1 == 1 {
        limits.maxConcurrentStreams = 2
        limits.initialWindowSize = 100
        limits.connectionWindowSize = 200
        limits.maxHeaderListSize = 300
        limits.maxHeaderBlockSize = 400
        limits.maxContinuationFrames = 3
        limits.rapidResetMinimum = 3
        limits.maxQueuedControlFrames = 5
        limits.maxEmptyFrames = 3
    }
    return limits
}

/// An application that only listens: what the session makes of the bytes alone.
func listen(_ pieces: [ArraySlice<UInt8>], _ limits: HTTP2Limits) -> (events: [HTTP2Session.Event], output: [UInt8]) {
    var session = HTTP2Session(limits: limits)
    var events: [HTTP2Session.Event] = []
    for piece in pieces { session.receive(piece, into: &events) }
    // Data events are slices of different reads: compared by their bytes.
    let copied = events.map { event -> HTTP2Session.Event in
        if case .data(let stream, let bytes) = event { return .data(stream: stream, Array(bytes)[...]) }
        return event
    }
    return (copied, session.output)
}

/// An application that answers every request and reads every body at once.
func answer(_ pieces: [ArraySlice<UInt8>], _ limits: HTTP2Limits) {
    var session = HTTP2Session(limits: limits)
    var events: [HTTP2Session.Event] = []
    let body = [UInt8](repeating: 0x61, count: 300)
    var closed = false
    for piece in pieces {
        events.removeAll(keepingCapacity: true)
        session.receive(piece, into: &events)
        if closed, !events.isEmpty { propertyFailure("events after the closing event: \(events)") }
        for event in events {
            switch event {
            case .request(let stream, _, _):
                session.sendHead(stream: stream, status: 200, fields: [HPACKHeaderField("content-type", "text/plain")], endStream: false)
                session.sendData(stream: stream, body[...], endStream: true)
            case .data(let stream, let bytes):
                session.consumed(stream: stream, count: bytes.count)
            case .closing:
                closed = true
            default:
                break
            }
        }
        checkOutput(session)
        session.written(session.output.count)
        if session.activeStreams > limits.maxConcurrentStreams { propertyFailure("\(session.activeStreams) streams open") }
        if session.parser.bufferedCount > HTTP2Protocol.frameHeaderSize + HTTP2Protocol.defaultMaxFrameSize + http2ClientPreface.count {
            propertyFailure("the parser holds \(session.parser.bufferedCount) bytes")
        }
        if session.block.count > limits.maxHeaderBlockSize { propertyFailure("a header block of \(session.block.count) bytes") }
        if session.blocked.count > session.activeStreams { propertyFailure("\(session.blocked.count) streams waiting for \(session.activeStreams) open") }
    }
}

/// What the session wrote is whole frames, each within the peer's frame size.
func checkOutput(_ session: HTTP2Session) {
    var parser = HTTP2FrameParser(maxFrameSize: session.peerMaxFrameSize, expectsPreface: false)
    parser.feed(session.output[...])
    while true {
        switch parser.next() {
        case .frame:
            continue
        case .needMore:
            if parser.bufferedCount != 0 { propertyFailure("the output ends inside a frame") }
            return
        case .failed(let code):
            propertyFailure("the output has a frame the parser refuses (\(code.rawValue))")
        }
    }
}
