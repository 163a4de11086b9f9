/// A request body being received: its request, framing and consumer (held
/// by the request, `HTTPRequest.body`).
final class BodyReception {
    let head: RequestHead
    var framing: BodyFraming
    let consumer: BodyConsumer

    init(head: RequestHead, framing: BodyFraming, consumer: BodyConsumer) {
        self.head = head
        self.framing = framing
        self.consumer = consumer
    }
}

extension Connection {
    /// Where a connection is in the request cycle: the connection's own
    /// phase, named by one byte. What a phase works on is its request's
    /// (`HTTPRequest.body`, `.bodyToDiscard`): HTTP/2 would keep one phase
    /// per connection and one request per stream. Each state names the
    /// deadline that bounds it; the loop changes state only through
    /// `EventLoop.enter`, which arms that deadline.
    enum State {
        /// Nothing of a request yet: a new connection (`kept` false:
        /// client_header_timeout since the accept, as nginx's) or one kept
        /// alive after an answer (keepalive_timeout).
        case idle(kept: Bool)
        /// A request head has started (client_header_timeout).
        case readingHead
        /// The request's body arrives for its consumer (`request.body`;
        /// client_body_timeout, renewed by progress).
        case readingBody
        /// The rest of the last request's body, which nobody reads, is skipped
        /// before the next request (`request.bodyToDiscard`; keepalive_timeout).
        case discardingBody
        /// The body is in; a script or an upstream works on the answer (no
        /// deadline of its own: cgi_timeout or the upstream's read timeout).
        case awaitingUpstream
        /// An answer goes out (send_timeout between writes); a script that
        /// answered early may still take the rest of the body (`request.body`).
        case writing
        /// Answered, write side shut: what the client still sends is drained (2 s), then close.
        case lingering
        /// Upgraded by a proxied server's 101: a two-way byte relay with it
        /// (`UpstreamTunnel`, whose deadline is the exchange's), until either side closes.
        case tunneling

        /// What bounds the time a connection may stay in the state.
        enum Deadline: Equatable { case header, keepAlive, body, upstream, send, linger }

        var deadline: Deadline {
            switch self {
            case .idle(let kept): return kept ? .keepAlive : .header
            case .readingHead: return .header
            case .readingBody: return .body
            case .discardingBody: return .keepAlive
            case .awaitingUpstream: return .upstream
            case .writing: return .send
            case .lingering: return .linger
            case .tunneling: return .upstream
            }
        }

        var isWriting: Bool { if case .writing = self { return true } else { return false } }
    }
}

extension Connection {
    /// What the bytes received so far mean in the connection's state: the
    /// reading side's transitions, decided here without any I/O and carried
    /// out by the loop (`ConnectionDriver.process`).
    enum Step {
        /// Nothing to do until more bytes arrive (or the answer is out).
        case wait
        /// The first byte of a request head.
        case headBegins
        case head(RequestHead)
        /// A malformed head: answer `status` and close.
        case badHead(status: Int)
        /// A skipped body has ended: the next request may begin.
        case skipped
        /// Part of a skipped body was dropped; `rest` is still to come.
        case skipping(BodyFraming)
        /// A skipped body is malformed: close (its request was answered already).
        case badSkip
        /// Body bytes for the consumer (`ranges` of `input`), then `consumed`
        /// bytes of input are done with; `end`: the body is complete.
        case body(BodyReception, ranges: [Range<Int>], consumed: Int, end: Bool)
        /// The body's framing is broken or too large: answer `status` and close.
        case badBody(BodyReception, status: Int)
    }

    func nextStep() -> Step {
        switch state {
        case .idle:
            return input.isEmpty ? .wait : .headBegins
        case .readingHead:
            guard !input.isEmpty else { return .wait }
            let (result, parsed) = parseHead()
            switch result {
            case .needMore: return .wait
            case .error(let status): return .badHead(status: status)
            case .head(let consumed):
                guard let head = parsed else { return .wait }
                // When the head was all there was, its fields keep these bytes: start afresh.
                if consumed == input.count { input = [] } else { input.removeFirst(consumed) }
                return .head(head)
            }
        case .discardingBody:
            guard let framing = request.bodyToDiscard else { return .skipped }
            switch skip(framing) {
            case .skipped: return .skipped
            case .incomplete(let rest): return .skipping(rest)
            case .malformed: return .badSkip
            }
        case .readingBody, .writing:
            guard let reception = request.body else { return .wait }
            return bodyStep(reception)
        case .awaitingUpstream, .lingering, .tunneling:
            return .wait
        }
    }

    private func bodyStep(_ reception: BodyReception) -> Step {
        switch reception.framing {
        case .length(let remaining):
            let count = min(remaining, input.count)
            guard count > 0 || remaining == 0 else { return .wait }
            reception.framing = .length(remaining: remaining - count)
            return .body(reception, ranges: count > 0 ? [0..<count] : [], consumed: count, end: remaining == count)
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(input[...])
            reception.framing = .chunked(decoder)
            var ranges: [Range<Int>] = []
            var end = false
            for event in events {
                switch event {
                case .data(let range): ranges.append(range)
                case .end: end = true
                case .error(let status): return .badBody(reception, status: status)
                }
            }
            guard end || consumed > 0 else { return .wait }
            return .body(reception, ranges: ranges, consumed: consumed, end: end)
        }
    }

    enum Skipped { case skipped, incomplete(rest: BodyFraming), malformed }

    /// Drops as much of a body nobody reads as has arrived; says what is left.
    func skip(_ framing: BodyFraming) -> Skipped {
        switch framing {
        case .length(let remaining):
            let dropped = min(remaining, input.count)
            input.removeFirst(dropped)
            return remaining > dropped ? .incomplete(rest: .length(remaining: remaining - dropped)) : .skipped
        case .chunked(var decoder):
            let (events, consumed) = decoder.decode(input[...])
            if events.contains(where: { if case .error = $0 { return true } else { return false } }) { return .malformed }
            input.removeFirst(consumed)
            return decoder.isDone ? .skipped : .incomplete(rest: .chunked(decoder))
        }
    }
}
