import ConfLang

/// A proxied HTTP/1.1 server as an upstream (`proxy_pass`): one socket, the
/// request head then its body (re-chunked when the client chunked it), and
/// an answer re-framed for the client, without the hop-by-hop fields.
final class ProxyAdapter: UpstreamAdapter {
    let socket: Int32
    let request: ProxyRequest
    /// The server of an upstream group it talks to (nil: proxy_pass's own address).
    let peer: UpstreamGroup.Server?
    private var parser = UpstreamResponseParser()
    private var keepsConnection = false

    init(socket: Int32, request: ProxyRequest, peer: UpstreamGroup.Server? = nil) {
        self.socket = socket
        self.request = request
        self.peer = peer
    }

    var name: String { "upstream \(peer?.address ?? "\(request.upstream.host):\(request.upstream.port)")" }
    var errorLog: LogTarget { request.errorLog }
    var sendFD: Int32 { socket }
    var receiveFD: Int32 { socket }
    var logFD: Int32? { nil }
    var poolKey: String? { keepsConnection ? request.poolKey(peer?.address ?? ProxyAdapter.poolKey(request.upstream)) : nil }

    static func poolKey(_ upstream: Values.ProxyURL) -> String { "\(upstream.host):\(upstream.port)" }

    func encode(body: ArraySlice<UInt8>, last: Bool) -> [UInt8] {
        // proxy_pass_request_body off or proxy_set_body: the client's body is read and dropped.
        guard request.passesBody else { return [] }
        guard request.chunkedBody else { return Array(body) }
        return ChunkedEncoder.encode(body, last: last)
    }

    func parseHead(_ bytes: ArraySlice<UInt8>) -> UpstreamHead { parser.head(after: bytes) }

    func answer(status: Int, headers: [UpstreamHeader], to head: RequestHead) -> UpstreamAnswer {
        let connectionTokens = Set(headers.filter { $0.name.caseInsensitiveEquals("Connection") }
            .flatMap { $0.value.split(separator: ",") }.map { String($0).trimmingCharacters(in: " \t").lowercased() })
        keepsConnection = parser.isHTTP11 && !connectionTokens.contains("close") && !request.http10
        // 101: the connection stops being HTTP (UpstreamTunnel), never pooled.
        if status == 101 { return switchingProtocols(headers, connectionTokens: connectionTokens, to: head) }
        var forwarded = headers.filter { header in
            let lower = header.name.lowercased()
            // As nginx: our own Server and Date replace the upstream's.
            return !ProxyRequest.hopByHop.contains(lower) && !connectionTokens.contains(lower)
                && lower != "content-length" && lower != "server" && lower != "date" && !request.hiddenFields.contains(lower)
        }.map { header in (name: header.name, value: request.rewrite(field: header.name, header.value)) }
        let length = headers.first { $0.name.caseInsensitiveEquals("Content-Length") }.flatMap { Int($0.value) }
        let chunked = headers.contains { $0.name.caseInsensitiveEquals("Transfer-Encoding") && $0.value.lowercased().contains("chunked") }
        if let length { forwarded.append(("Content-Length", String(length))) }
        if head.method == "HEAD" || status < 200 || status == 204 || status == 304 {
            return .respond(headers: forwarded, framing: .none, lengthKnown: true)
        }
        if chunked {
            forwarded.removeAll { $0.name == "Content-Length" }
            return .respond(headers: forwarded, framing: .chunked(ChunkedDecoder()), lengthKnown: false)
        }
        if let length { return .respond(headers: forwarded, framing: .length(remaining: length), lengthKnown: true) }
        keepsConnection = false
        return .respond(headers: forwarded, framing: .untilClose, lengthKnown: false)
    }

    /// A 101 goes to the client with the upstream's fields and its `Upgrade`
    /// (the encoder says `Connection: upgrade`, as nginx's header filter). To a
    /// request that asked for an upgrade (an `Upgrade` field, nginx's
    /// `r->headers_in.upgrade`) it becomes a two-way relay; to one that did not,
    /// it is passed as nginx passes it: what follows it is read until the
    /// upstream closes, and nothing the client sends goes up.
    private func switchingProtocols(_ headers: [UpstreamHeader], connectionTokens: Set<String>, to head: RequestHead) -> UpstreamAnswer {
        keepsConnection = false
        let fields = headers.filter { header in
            let lower = header.name.lowercased()
            if lower == "upgrade" { return true }
            return !ProxyRequest.hopByHop.contains(lower) && !connectionTokens.contains(lower)
                && lower != "content-length" && lower != "server" && lower != "date" && !request.hiddenFields.contains(lower)
        }.map { (name: $0.name, value: $0.value) }
        if !head.headers.values("Upgrade").isEmpty { return .upgrade(headers: fields) }
        return .respond(headers: fields, framing: .untilClose, lengthKnown: true)
    }

    func end() {}
}
