/// Reads the records an application sends back for one request (the FastCGI
/// specification, §5.3, §5.5): STDOUT (the CGI response), STDERR (for the
/// error log), END_REQUEST. Fed the bytes as they arrive, in any pieces; data
/// events are ranges of the piece just fed, so nothing is copied here.
/// Refused, as nginx refuses them: a version other than 1, another request's
/// id, and a record type a responder does not send. Management records
/// (request id 0: GET_VALUES_RESULT, UNKNOWN_TYPE) are skipped.
struct FastCGIDecoder {
    enum Event: Equatable {
        case stdout(Range<Int>)
        case stderr(Range<Int>)
        /// END_REQUEST, once its record (padding included) is read.
        case end(appStatus: UInt32, protocolStatus: UInt8)
        /// The stream is broken (why, for the error log); nothing more is decoded.
        case invalid(String)
    }

    private enum State {
        case header
        case content(type: FastCGIRecordType?, remaining: Int, padding: Int)
        case endBody(padding: Int)
        case padding(remaining: Int, endsRequest: Bool)
        case ended
        case failed
    }

    private var state = State.header
    /// A record header or END_REQUEST's body being gathered across pieces.
    private var gathered: [UInt8] = []
    /// Where END_REQUEST's body said the request ended, until its padding is read.
    private var endStatus: (app: UInt32, protocolStatus: UInt8) = (0, 0)

    /// END_REQUEST has been read, up to the end of its record.
    var ended: Bool { if case .ended = state { return true } else { return false } }

    mutating func decode(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .failed:
                return events
            case .ended:
                state = .failed
                events.append(.invalid("sent data after the end of its request (END_REQUEST)"))
                return events
            case .header:
                let take = min(8 - gathered.count, bytes.endIndex - index)
                gathered += bytes[index..<index + take]
                index += take
                guard gathered.count == 8 else { continue }
                let header = gathered
                gathered.removeAll(keepingCapacity: true)
                if let problem = start(header) {
                    state = .failed
                    events.append(.invalid(problem))
                    return events
                }
            case .content(let type, let remaining, let padding):
                let take = min(remaining, bytes.endIndex - index)
                if type == .stdout { events.append(.stdout(index..<index + take)) }
                if type == .stderr { events.append(.stderr(index..<index + take)) }
                index += take
                state = remaining == take ? .padding(remaining: padding, endsRequest: false) : .content(type: type, remaining: remaining - take, padding: padding)
            case .endBody(let padding):
                let take = min(8 - gathered.count, bytes.endIndex - index)
                gathered += bytes[index..<index + take]
                index += take
                guard gathered.count == 8 else { continue }
                endStatus = (UInt32(gathered[0]) << 24 | UInt32(gathered[1]) << 16 | UInt32(gathered[2]) << 8 | UInt32(gathered[3]), gathered[4])
                gathered.removeAll(keepingCapacity: true)
                state = .padding(remaining: padding, endsRequest: true)
                if padding == 0 { finishEnd(&events) }
            case .padding(let remaining, let endsRequest):
                let take = min(remaining, bytes.endIndex - index)
                index += take
                state = .padding(remaining: remaining - take, endsRequest: endsRequest)
                if remaining == take { if endsRequest { finishEnd(&events) } else { state = .header } }
            }
        }
        // A record that ends exactly here (no content, no padding) is complete.
        if case .padding(0, false) = state { state = .header }
        return events
    }

    private mutating func finishEnd(_ events: inout [Event]) {
        state = .ended
        events.append(.end(appStatus: endStatus.app, protocolStatus: endStatus.protocolStatus))
    }

    /// The state a record header leads to; the problem when it is refused.
    private mutating func start(_ header: [UInt8]) -> String? {
        guard header[0] == FastCGIEncoder.version else { return "sent unsupported FastCGI protocol version: \(header[0])" }
        let id = UInt16(header[2]) << 8 | UInt16(header[3])
        let length = Int(header[4]) << 8 | Int(header[5])
        let padding = Int(header[6])
        let type = FastCGIRecordType(rawValue: header[1])
        if id == 0 {
            // A management record (§4): nothing of this request's; skipped.
            state = .content(type: nil, remaining: length, padding: padding)
            return nil
        }
        guard id == FastCGIEncoder.requestID else { return "sent a FastCGI record for request \(id), not \(FastCGIEncoder.requestID)" }
        switch type {
        case .stdout?, .stderr?:
            state = .content(type: type, remaining: length, padding: padding)
        case .endRequest?:
            guard length == 8 else { return "sent an END_REQUEST record of \(length) bytes, not 8" }
            state = .endBody(padding: padding)
        default:
            return "sent invalid FastCGI record type: \(header[1])"
        }
        if case .content(_, 0, let padding) = state { state = .padding(remaining: padding, endsRequest: false) }
        return nil
    }
}
