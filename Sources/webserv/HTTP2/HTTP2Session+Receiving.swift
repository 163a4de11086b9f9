/// Each frame type's rules as a server receives it (RFC 9113 §6), and what
/// the stream states allow (§5.1): connection errors where the RFC says so,
/// stream errors otherwise.
extension HTTP2Session {
    mutating func handle(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        // §6.10: while a header block is open, only its CONTINUATIONs may come.
        if blockStream != 0, header.type != .continuation || header.streamID != blockStream {
            return connectionError(.protocolError, &events)
        }
        switch header.type {
        case .data: receiveData(header, payload, &events)
        case .headers: receiveHeaders(header, payload, &events)
        case .continuation: receiveContinuation(header, payload, &events)
        case .priority: receivePriority(header, payload, &events)
        case .rstStream: receiveReset(header, payload, &events)
        case .settings: receiveSettings(header, payload, &events)
        case .ping: receivePing(header, payload, &events)
        case .goAway: receiveGoAway(header, payload, &events)
        case .windowUpdate: receiveWindowUpdate(header, payload, &events)
        // §8.4: a client cannot push.
        case .pushPromise: connectionError(.protocolError, &events)
        // §5.5: unknown types are ignored.
        default: break
        }
    }

    /// The payload without its padding (§6.1, §6.2), nil when the pad length
    /// does not fit (PROTOCOL_ERROR).
    private func unpadded(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard header.flags.contains(.padded) else { return payload }
        guard let padLength = payload.first, Int(padLength) < payload.count else { return nil }
        return payload[(payload.startIndex + 1)..<(payload.endIndex - Int(padLength))]
    }

    // MARK: DATA (§6.1)

    private mutating func receiveData(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        let id = header.streamID
        guard id != 0, let body = unpadded(header, payload) else { return connectionError(.protocolError, &events) }
        guard !isIdle(id) else { return connectionError(.protocolError, &events) }
        // The whole payload counts against the connection's window, whatever the stream (§6.9).
        guard connectionReceive.receive(header.length) else { return connectionError(.flowControlError, &events) }
        let endStream = header.flags.contains(.endStream)
        guard let stream = streams[id], stream.receiving else {
            creditConnection(header.length)
            return streamError(id, .streamClosed, &events)
        }
        guard stream.receiveWindow.receive(header.length) else {
            creditConnection(header.length)
            return streamError(id, .flowControlError, &events)
        }
        // Padding is consumed on arrival; the body when the application says so.
        stream.unconsumed += body.count
        consumePadding(stream, header.length - body.count)
        if body.isEmpty, !endStream {
            if defences.emptyFrame(limits) { return connectionError(.enhanceYourCalm, &events) }
        } else {
            defences.emptyFrames = 0
        }
        guard stream.received(bodyBytes: body.count) else { return streamError(id, .protocolError, &events) }
        if !body.isEmpty { events.append(.data(stream: id, body)) }
        if endStream {
            guard stream.bodyComplete else { return streamError(id, .protocolError, &events) }
            events.append(.endStream(stream: id))
            _ = stream.endRemote()
        }
    }

    private mutating func consumePadding(_ stream: HTTP2Stream, _ count: Int) {
        guard count > 0 else { return }
        stream.unconsumed += count
        consumed(stream: stream.id, count: count)
    }

    // MARK: HEADERS (§6.2) and CONTINUATION (§6.10)

    private mutating func receiveHeaders(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        let id = header.streamID
        guard id != 0, var fragment = unpadded(header, payload) else { return connectionError(.protocolError, &events) }
        var dependsOnItself = false
        if header.flags.contains(.priority) {
            guard fragment.count >= 5 else { return connectionError(.frameSizeError, &events) }
            dependsOnItself = HTTP2Bytes.uint32(fragment, at: fragment.startIndex) & 0x7FFF_FFFF == id
            fragment = fragment.dropFirst(5)
        }
        defences.emptyFrames = 0
        let endStream = header.flags.contains(.endStream)
        if header.flags.contains(.endHeaders) {
            return receiveHeaderBlock(id, fragment, endStream: endStream, dependsOnItself: dependsOnItself, &events)
        }
        guard fragment.count <= limits.maxHeaderBlockSize else { return connectionError(.enhanceYourCalm, &events) }
        block.removeAll(keepingCapacity: true)
        block += fragment
        blockStream = id
        blockEndStream = endStream
        blockDependsOnItself = dependsOnItself
        blockContinuations = 0
    }

    private mutating func receiveContinuation(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        // A CONTINUATION of the open block is let through by `handle`; any other is out of place.
        guard blockStream != 0 else { return connectionError(.protocolError, &events) }
        blockContinuations += 1
        // CONTINUATION flood: a cap on their number and on the block's size.
        guard blockContinuations <= limits.maxContinuationFrames,
              block.count + payload.count <= limits.maxHeaderBlockSize else {
            return connectionError(.enhanceYourCalm, &events)
        }
        block += payload
        guard header.flags.contains(.endHeaders) else { return }
        let id = blockStream
        blockStream = 0
        let gathered = block[...]
        receiveHeaderBlock(id, gathered, endStream: blockEndStream, dependsOnItself: blockDependsOnItself, &events)
    }

    /// A whole header block: a new stream's request, or trailers.
    private mutating func receiveHeaderBlock(_ id: UInt32, _ fragment: ArraySlice<UInt8>, endStream: Bool, dependsOnItself: Bool, _ events: inout [Event]) {
        // The decoder sees every block, whatever becomes of the stream, or its
        // table would differ from the client's (§4.3).
        let fields: [HPACKHeaderField]
        do {
            fields = try decoder.decode(fragment)
        } catch HPACKError.headerListTooLarge, HPACKError.stringTooLong {
            // Over large_client_header_buffers: nginx's "client sent too large header".
            return connectionError(.enhanceYourCalm, &events)
        } catch {
            return connectionError(.compressionError, &events)
        }
        // nginx's "client sent too large header field": a name or a value longer than a header buffer.
        if fields.contains(where: { $0.name.count > limits.maxFieldSize || $0.value.count > limits.maxFieldSize }) {
            return connectionError(.enhanceYourCalm, &events)
        }
        guard id & 1 == 1 else { return connectionError(.protocolError, &events) }
        if let stream = streams[id] {
            return receiveTrailers(stream, fields, endStream: endStream, &events)
        }
        guard id > highestStreamID else {
            // §5.1: HEADERS on a closed stream; §5.1.1: on an id skipped over.
            return connectionError(wasRecentlyClosed(id) ? .streamClosed : .protocolError, &events)
        }
        highestStreamID = id
        defences.request(limits)
        guard !goingAway else { return streamError(id, .refusedStream, &events) }
        guard !dependsOnItself else { return streamError(id, .protocolError, &events) }
        guard streams.count < limits.maxConcurrentStreams else { return streamError(id, .refusedStream, &events) }
        // A window smaller than the protocol's 65,535 holds only once the client has our SETTINGS:
        // a stream with a body before that is refused, as nginx does (it may send more than we take).
        guard settingsAcknowledged || endStream || limits.initialWindowSize >= HTTP2Protocol.defaultWindowSize else {
            return streamError(id, .refusedStream, &events)
        }
        guard let head = HTTP2RequestHead(fields) else { return streamError(id, .protocolError, &events) }
        let stream = HTTP2Stream(id: id, endStream: endStream, receiveWindow: limits.initialWindowSize,
                                 sendWindow: peerInitialWindowSize, contentLength: head.contentLength)
        guard !endStream || stream.bodyComplete else { return streamError(id, .protocolError, &events) }
        streams[id] = stream
        stream.headDelivered = true
        lastProcessedStreamID = id
        events.append(.request(stream: id, head, endStream: endStream))
        // keepalive_requests: the last request the connection takes says so (GOAWAY with its id).
        acceptedRequests += 1
        if acceptedRequests >= limits.maxRequests { goAway() }
    }

    /// A second HEADERS on a stream: trailers, which end it (§8.1).
    private mutating func receiveTrailers(_ stream: HTTP2Stream, _ fields: [HPACKHeaderField], endStream: Bool, _ events: inout [Event]) {
        guard stream.receiving else { return streamError(stream.id, .streamClosed, &events) }
        guard endStream, HTTP2RequestHead.validTrailers(fields), stream.bodyComplete else {
            return streamError(stream.id, .protocolError, &events)
        }
        events.append(.trailers(stream: stream.id, fields))
        events.append(.endStream(stream: stream.id))
        _ = stream.endRemote()
    }

    // MARK: PRIORITY (§6.3), RST_STREAM (§6.4)

    private mutating func receivePriority(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        let id = header.streamID
        guard id != 0 else { return connectionError(.protocolError, &events) }
        guard payload.count == 5 else { return streamError(id, .frameSizeError, &events) }
        // Priorities are ignored (RFC 9113 deprecates them), but counted: a
        // flood of them naming idle streams costs others their memory.
        if defences.priorityFrame() { return connectionError(.enhanceYourCalm, &events) }
        if HTTP2Bytes.uint32(payload, at: payload.startIndex) & 0x7FFF_FFFF == id {
            streamError(id, .protocolError, &events)
        }
    }

    private mutating func receiveReset(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        let id = header.streamID
        guard id != 0 else { return connectionError(.protocolError, &events) }
        guard payload.count == 4 else { return connectionError(.frameSizeError, &events) }
        guard !isIdle(id) else { return connectionError(.protocolError, &events) }
        // A closed stream's reset may have crossed our end of it: ignored.
        guard let stream = streams[id] else { return }
        closeStream(stream)
        events.append(.reset(stream: id, HTTP2ErrorCode(rawValue: HTTP2Bytes.uint32(payload, at: payload.startIndex))))
        // Rapid Reset: requests opened and cancelled at once cost us the work and not the client.
        if defences.clientReset(limits) { connectionError(.enhanceYourCalm, &events) }
    }

    // MARK: SETTINGS (§6.5), PING (§6.7), GOAWAY (§6.8)

    private mutating func receiveSettings(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        guard header.streamID == 0 else { return connectionError(.protocolError, &events) }
        if header.flags.contains(.ack) {
            guard payload.isEmpty else { return connectionError(.frameSizeError, &events) }
            settingsAcknowledged = true
            return
        }
        guard payload.count % 6 == 0 else { return connectionError(.frameSizeError, &events) }
        var index = payload.startIndex
        var windowGrew = false
        while index < payload.endIndex {
            let id = HTTP2Bytes.uint16(payload, at: index)
            let value = Int(HTTP2Bytes.uint32(payload, at: index + 2))
            index += 6
            switch id {
            case HTTP2SettingID.headerTableSize:
                // Our encoder's table: what the client's decoder allows, at most the default.
                encoder.setMaxTableSize(min(value, 4096))
            case HTTP2SettingID.enablePush:
                guard value <= 1 else { return connectionError(.protocolError, &events) }
            case HTTP2SettingID.initialWindowSize:
                guard value <= HTTP2Protocol.largestWindowSize else { return connectionError(.flowControlError, &events) }
                // §6.9.2: the change applies to every open stream's window, which may go negative.
                let delta = value - peerInitialWindowSize
                peerInitialWindowSize = value
                for stream in streams.values {
                    guard stream.sendWindow.grow(by: delta) else { return connectionError(.flowControlError, &events) }
                }
                windowGrew = windowGrew || delta > 0
            case HTTP2SettingID.maxFrameSize:
                guard value >= HTTP2Protocol.defaultMaxFrameSize, value <= HTTP2Protocol.largestMaxFrameSize else {
                    return connectionError(.protocolError, &events)
                }
                peerMaxFrameSize = value
            default:
                break
            }
        }
        HTTP2FrameEncoder.appendSettingsAck(into: &output)
        if defences.controlFrameQueued(limits) { return connectionError(.enhanceYourCalm, &events) }
        if windowGrew { sendBlocked(&events) }
    }

    private mutating func receivePing(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        guard header.streamID == 0 else { return connectionError(.protocolError, &events) }
        guard payload.count == 8 else { return connectionError(.frameSizeError, &events) }
        guard !header.flags.contains(.ack) else { return }
        HTTP2FrameEncoder.appendPing(payload, ack: true, into: &output)
        if defences.controlFrameQueued(limits) { connectionError(.enhanceYourCalm, &events) }
    }

    private mutating func receiveGoAway(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        guard header.streamID == 0 else { return connectionError(.protocolError, &events) }
        guard payload.count >= 8 else { return connectionError(.frameSizeError, &events) }
        let last = HTTP2Bytes.uint32(payload, at: payload.startIndex) & 0x7FFF_FFFF
        events.append(.peerGoingAway(lastStreamID: last, HTTP2ErrorCode(rawValue: HTTP2Bytes.uint32(payload, at: payload.startIndex + 4))))
    }

    // MARK: WINDOW_UPDATE (§6.9)

    private mutating func receiveWindowUpdate(_ header: HTTP2FrameHeader, _ payload: ArraySlice<UInt8>, _ events: inout [Event]) {
        guard payload.count == 4 else { return connectionError(.frameSizeError, &events) }
        let increment = Int(HTTP2Bytes.uint32(payload, at: payload.startIndex) & 0x7FFF_FFFF)
        let id = header.streamID
        if id == 0 {
            guard increment > 0 else { return connectionError(.protocolError, &events) }
            guard connectionSend.grow(by: increment) else { return connectionError(.flowControlError, &events) }
            return sendBlocked(&events)
        }
        guard !isIdle(id) else { return connectionError(.protocolError, &events) }
        guard let stream = streams[id] else { return }
        guard increment > 0 else { return streamError(id, .protocolError, &events) }
        guard stream.sendWindow.grow(by: increment) else { return streamError(id, .flowControlError, &events) }
        sendBlocked(&events)
    }
}
