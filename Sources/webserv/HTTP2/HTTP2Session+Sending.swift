/// Answers going out (RFC 9113 §8.1): a head through HPACK into HEADERS (and
/// CONTINUATION), the body into DATA frames within the peer's windows and
/// frame size (what does not fit waits in the stream for WINDOW_UPDATE),
/// trailers, END_STREAM. Each returns false when the stream is gone (reset,
/// closed, or the connection over): the application drops the answer.
extension HTTP2Session {
    /// The answer's head: `:status`, then the fields with names in lower case
    /// and HTTP/1.1's connection fields left out (§8.2.2). `chunkSize`: the
    /// largest DATA frame of its body (`http2_chunk_size`; 0: the peer's frame size).
    @discardableResult
    mutating func sendHead(stream id: UInt32, status: Int, fields: [HPACKHeaderField], endStream: Bool, chunkSize: Int = 0) -> Bool {
        guard !closed, let stream = streams[id], stream.sending, !stream.headSent else { return false }
        stream.chunkSize = chunkSize
        fieldScratch.removeAll(keepingCapacity: true)
        fieldScratch.append(HPACKHeaderField(name: HTTP2Session.statusName, value: HTTP2Session.statusBytes(status)))
        for var field in fields {
            if field.name.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                field.name = field.name.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
            }
            if HTTP2FieldRules.isConnectionSpecific(field.name) { continue }
            fieldScratch.append(field)
        }
        stream.headSent = true
        sendBlock(stream, endStream: endStream)
        return true
    }

    /// Body bytes; `endStream` after the last (an empty piece may carry it).
    @discardableResult
    mutating func sendData(stream id: UInt32, _ bytes: ArraySlice<UInt8>, endStream: Bool) -> Bool {
        guard !closed, let stream = streams[id], stream.sending, stream.headSent, !stream.queuedEnd else { return false }
        if !stream.queued.isEmpty {
            stream.queued += bytes
            stream.queuedEnd = endStream
            return true
        }
        let sent = sendDataFrames(stream, bytes, endStream: endStream)
        if sent < bytes.count {
            stream.queued += bytes[(bytes.startIndex + sent)...]
            stream.queuedEnd = endStream
            blocked.append(id)
        }
        return true
    }

    /// Trailers (§8.1), which end the answer.
    @discardableResult
    mutating func sendTrailers(stream id: UInt32, _ fields: [HPACKHeaderField]) -> Bool {
        guard !closed, let stream = streams[id], stream.sending, stream.headSent, !stream.queuedEnd else { return false }
        fieldScratch.removeAll(keepingCapacity: true)
        for field in fields where !HTTP2FieldRules.isConnectionSpecific(field.name) { fieldScratch.append(field) }
        if !stream.queued.isEmpty {
            stream.queuedTrailers = fieldScratch
            stream.queuedEnd = true
            return true
        }
        sendBlock(stream, endStream: true)
        return true
    }

    /// The application gives the stream up (its client went away, an upstream
    /// failed mid-answer): RST_STREAM, as nginx sends INTERNAL_ERROR or CANCEL.
    mutating func reset(stream id: UInt32, _ code: HTTP2ErrorCode) {
        guard !closed, let stream = streams[id] else { return }
        HTTP2FrameEncoder.appendRSTStream(streamID: id, code: code, into: &output)
        closeStream(stream)
    }

    /// `fieldScratch` encoded and framed on the stream.
    private mutating func sendBlock(_ stream: HTTP2Stream, endStream: Bool) {
        blockScratch.removeAll(keepingCapacity: true)
        encoder.encode(fieldScratch, into: &blockScratch)
        HTTP2FrameEncoder.appendHeaderBlock(streamID: stream.id, blockScratch[...], endStream: endStream,
                                            maxFrameSize: peerMaxFrameSize, into: &output)
        if endStream { endLocal(stream) }
    }

    /// DATA frames for as much of `bytes` as the windows allow; END_STREAM on
    /// the last when all of it went. Returns how many bytes went.
    private mutating func sendDataFrames(_ stream: HTTP2Stream, _ bytes: ArraySlice<UInt8>, endStream: Bool) -> Int {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let frameSize = stream.chunkSize > 0 ? min(stream.chunkSize, peerMaxFrameSize) : peerMaxFrameSize
            let allowed = min(stream.sendWindow.available, connectionSend.available, frameSize)
            guard allowed > 0 else { break }
            let end = min(bytes.endIndex, start + allowed)
            stream.sendWindow.spend(end - start)
            connectionSend.spend(end - start)
            HTTP2FrameEncoder.appendData(streamID: stream.id, bytes[start..<end], endStream: endStream && end == bytes.endIndex, into: &output)
            start = end
        }
        if start == bytes.endIndex, endStream {
            // An empty last piece still carries END_STREAM; it takes no window.
            if bytes.isEmpty { HTTP2FrameEncoder.appendData(streamID: stream.id, [], endStream: true, into: &output) }
            endLocal(stream)
        }
        return start - bytes.startIndex
    }

    /// What waited for a window goes out, in the order it began waiting.
    mutating func sendBlocked(_ events: inout [Event]) {
        guard !blocked.isEmpty else { return }
        let waiting = blocked
        blocked.removeAll(keepingCapacity: true)
        for id in waiting {
            guard let stream = streams[id] else { continue }
            let queued = stream.queued
            let endsWithData = stream.queuedEnd && stream.queuedTrailers == nil
            let sent = sendDataFrames(stream, queued[...], endStream: endsWithData)
            if sent < queued.count {
                stream.queued.removeFirst(sent)
                blocked.append(id)
                continue
            }
            stream.queued.removeAll()
            if let trailers = stream.queuedTrailers {
                stream.queuedTrailers = nil
                fieldScratch = trailers
                sendBlock(stream, endStream: true)
            }
        }
    }

    /// END_STREAM sent. The answer is complete: if the client is still
    /// sending a body nobody will read, it is asked to stop without error
    /// (RST_STREAM NO_ERROR, §8.1); either way the stream closes.
    private mutating func endLocal(_ stream: HTTP2Stream) {
        if !stream.endLocal() {
            HTTP2FrameEncoder.appendRSTStream(streamID: stream.id, code: .noError, into: &output)
        }
        if let index = blocked.firstIndex(of: stream.id) { blocked.remove(at: index) }
        closeStream(stream)
    }

    static let statusName: [UInt8] = Array(":status".utf8)

    /// A status's three digits.
    static func statusBytes(_ status: Int) -> [UInt8] {
        let status = min(max(status, 100), 999)
        return [UInt8(48 + status / 100), UInt8(48 + status / 10 % 10), UInt8(48 + status % 10)]
    }
}
