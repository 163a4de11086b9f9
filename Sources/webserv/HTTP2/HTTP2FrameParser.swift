/// Cuts a connection's bytes into frames (RFC 9113 §4.1), fed in whatever
/// pieces the transport reads. It checks the client's connection preface
/// first (§3.4) and the length of each frame against the SETTINGS_MAX_FRAME_SIZE
/// we advertised (§4.2); everything else about a frame is the session's.
///
/// A frame that lies whole in the piece just fed is handed out as a slice of
/// it, so nothing is copied; only the tail of a frame cut by a read is kept
/// (in `pending`, reused) until the rest arrives.
struct HTTP2FrameParser {
    enum Next: Equatable {
        case frame(HTTP2FrameHeader, payload: ArraySlice<UInt8>)
        /// Everything fed so far is consumed or kept; feed more.
        case needMore
        /// The preface is wrong (PROTOCOL_ERROR) or a frame is too long
        /// (FRAME_SIZE_ERROR): a connection error, nothing more is parsed.
        case failed(HTTP2ErrorCode)
    }

    /// The largest payload accepted: what we advertised (16,384 unless raised).
    var maxFrameSize: Int
    private var prefaceNeeded: Bool
    private var failed = false
    /// The piece being parsed, when nothing was pending before it.
    private var input: ArraySlice<UInt8> = []
    /// Bytes of a frame (or preface) cut by a read, then the piece that follows.
    private var pending: [UInt8] = []
    private var pendingStart = 0

    init(maxFrameSize: Int = HTTP2Protocol.defaultMaxFrameSize, expectsPreface: Bool = true) {
        self.maxFrameSize = maxFrameSize
        prefaceNeeded = expectsPreface
    }

    /// Bytes held across reads (a cut frame), for the session's bound on memory.
    var bufferedCount: Int { pending.count - pendingStart + input.count }

    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        if pending.count == pendingStart, input.isEmpty {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            input = bytes
        } else {
            pending.append(contentsOf: input)
            input = []
            pending.append(contentsOf: bytes)
        }
    }

    /// The next whole frame of what was fed, or what stops there.
    mutating func next() -> Next {
        if failed { return .failed(.protocolError) }
        if input.isEmpty {
            return next(in: pending[pendingStart...], fromPending: true)
        }
        return next(in: input, fromPending: false)
    }

    private mutating func next(in bytes: ArraySlice<UInt8>, fromPending: Bool) -> Next {
        var start = bytes.startIndex
        if prefaceNeeded {
            let have = min(bytes.count, http2ClientPreface.count)
            // A wrong byte is known as soon as it arrives: no need to wait for 24.
            guard bytes[start..<start + have].elementsEqual(http2ClientPreface[0..<have]) else {
                failed = true
                return .failed(.protocolError)
            }
            guard have == http2ClientPreface.count else { return keep(from: start, fromPending) }
            start += have
            prefaceNeeded = false
            consume(upTo: start, fromPending)
        }
        guard bytes.endIndex - start >= HTTP2Protocol.frameHeaderSize else { return keep(from: start, fromPending) }
        let header = HTTP2FrameHeader(bytes, at: start)
        guard header.length <= maxFrameSize else {
            failed = true
            return .failed(.frameSizeError)
        }
        let payloadStart = start + HTTP2Protocol.frameHeaderSize
        guard bytes.endIndex - payloadStart >= header.length else { return keep(from: start, fromPending) }
        let end = payloadStart + header.length
        consume(upTo: end, fromPending)
        return .frame(header, payload: bytes[payloadStart..<end])
    }

    /// Marks what is before `index` as parsed.
    private mutating func consume(upTo index: Int, _ fromPending: Bool) {
        if fromPending {
            pendingStart = index
        } else {
            input = input[index...]
        }
    }

    /// Keeps the unparsed bytes from `index` for the next read.
    private mutating func keep(from index: Int, _ fromPending: Bool) -> Next {
        if fromPending {
            if index > 0 {
                pending.removeSubrange(0..<index)
            }
            pendingStart = 0
        } else {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            pending.append(contentsOf: input[index...])
            input = []
        }
        return .needMore
    }
}
