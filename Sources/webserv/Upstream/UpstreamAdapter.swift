import ConfLang

/// What differs between a CGI script, a proxied server and a FastCGI application. The engine
/// (UpstreamEngine) does the rest for both: streaming the body up and the
/// answer down with back-pressure, framing, deadlines, failures and the end.
protocol UpstreamAdapter: AnyObject {
    /// Names the upstream in the error log ("CGI /srv/cgi/x.py", "upstream h:8080").
    var name: String { get }
    var errorLog: LogTarget { get }
    /// The request (body) goes to `sendFD` (-1: nothing to send), the answer
    /// comes from `receiveFD`: one socket for a proxy, two pipes for a script.
    var sendFD: Int32 { get }
    var receiveFD: Int32 { get }
    /// Read only for the error log (a script's stderr).
    var logFD: Int32? { get }
    /// The request body as the upstream must see it (re-chunked, or as is).
    func encode(body: ArraySlice<UInt8>, last: Bool) -> [UInt8]
    /// The bytes read from `receiveFD` unwrapped from the adapter's own
    /// framing (FastCGI's records); a script's or a server's bytes are the answer itself.
    func unwrap(_ bytes: ArraySlice<UInt8>) -> UpstreamRead
    /// Feeds the answer's header block as it arrives.
    func parseHead(_ bytes: ArraySlice<UInt8>) -> UpstreamHead
    /// The client's response for a complete header block.
    func answer(status: Int, headers: [UpstreamHeader], to head: RequestHead) -> UpstreamAnswer
    /// The keep-alive pool's key for the connection, when it may carry another
    /// request once this answer has ended on its framing's boundary.
    var poolKey: String? { get }
    /// The exchange is over: stop what still runs (a script's process).
    func end()
}

/// What one read from an upstream holds once unwrapped (`UpstreamAdapter.unwrap`).
struct UpstreamRead {
    /// The answer's bytes: its header block, then its body.
    var data: ArraySlice<UInt8>
    /// Lines for the error log (a FastCGI application's stderr), each a whole message.
    var log: [String] = []
    /// The application ended the answer here (FastCGI's END_REQUEST), the connection still open.
    var ended = false
    /// The upstream broke its framing: why, for the error log.
    var problem: String?
}

extension UpstreamAdapter {
    /// A script's output or a server's answer is read as it comes.
    func unwrap(_ bytes: ArraySlice<UInt8>) -> UpstreamRead { UpstreamRead(data: bytes) }
}

enum UpstreamHead {
    case needMore
    case invalid
    /// A header block whose body's end is in doubt (its framing fields): why, for the error log.
    case refused(String)
    /// `body`: what arrived after the header block.
    case complete(status: Int, headers: [UpstreamHeader], body: ArraySlice<UInt8>)
}

extension UpstreamHeadParser {
    /// Feeds the next bytes of a script's or a server's answer: each
    /// adapter's `parseHead`.
    mutating func head(after bytes: ArraySlice<UInt8>) -> UpstreamHead {
        switch feed(bytes) {
        case .needMore: return .needMore
        case .invalid: return .invalid
        case .refused(let problem): return .refused(problem)
        case .complete(let status, let headers, let bodyStart): return .complete(status: status, headers: headers, body: received[bodyStart...])
        }
    }
}

enum UpstreamAnswer {
    /// A script's local `Location: /path`: the request goes through the whole decision again.
    case internalRedirect(String)
    /// `lengthKnown`: the head carries the body's length, so no chunking is needed.
    case respond(headers: [(name: String, value: String)], framing: UpstreamFraming, lengthKnown: Bool)
    /// A proxied server's 101 to a request that asked for it: the connection becomes a two-way relay (`UpstreamTunnel`).
    case upgrade(headers: [(name: String, value: String)])
}

/// How the upstream marks the end of its answer's body.
enum UpstreamFraming {
    case none
    case length(remaining: Int)
    case chunked(ChunkedDecoder)
    /// A script's output, or a close-delimited upstream answer.
    case untilClose
}
