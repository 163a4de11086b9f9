import ConfLang

/// One request forwarded to an upstream server, and the state of its socket.
final class ProxyExchange {
    enum BodyFraming {
        case none
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
        case untilClose
    }

    let fd: Int32
    let head: RequestHead
    let upstreamName: String
    /// The location's error_log: upstream failures go there.
    let errorLog: LogTarget
    let redirectRewrite: ProxyRequest.RedirectRewrite?
    let readTimeout: Int
    var deadline: Int

    var connected = false
    /// Bytes for the upstream (request head, then body) not yet sent.
    var pendingOutput: [UInt8]
    var bodyComplete = false
    let chunkedBody: Bool
    var paused = false

    var parser = UpstreamResponseParser()
    var headersSent = false
    var framing = BodyFraming.none
    /// The client gets the body chunked (its length is not known in advance).
    var chunkedToClient = false
    var outputDone = false
    var bodyBytesSent = 0

    init(fd: Int32, head: RequestHead, request: ProxyRequest, readTimeout: Int, now: Int) {
        self.fd = fd
        self.head = head
        upstreamName = "\(request.upstream.host):\(request.upstream.port)"
        errorLog = request.errorLog
        redirectRewrite = request.redirectRewrite
        pendingOutput = request.head
        chunkedBody = request.chunkedBody
        self.readTimeout = readTimeout
        deadline = now + readTimeout
    }
}
