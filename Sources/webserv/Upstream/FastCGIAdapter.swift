import ConfLang

/// A FastCGI application (PHP-FPM) as an upstream (`fastcgi_pass`): one
/// socket; BEGIN_REQUEST and PARAMS, then the body as STDIN records. Its
/// STDOUT records carry a CGI response, read by the CGI response parser and
/// framed for the client as a script's; STDERR goes to the error log as
/// nginx writes it; END_REQUEST ends the answer. With `fastcgi_keep_conn on`
/// the connection goes back to the pool when the request ended on a record's boundary.
final class FastCGIAdapter: UpstreamAdapter {
    let socket: Int32
    let request: FastCGIRequest
    private var decoder = FastCGIDecoder()
    private var parser = CGIResponseParser()
    /// Stderr bytes whose line has not ended yet.
    private var stderr: [UInt8] = []
    /// The request ended cleanly (END_REQUEST, nothing after it, nothing refused).
    private var endedCleanly = false

    init(socket: Int32, request: FastCGIRequest) {
        self.socket = socket
        self.request = request
    }

    var name: String { "FastCGI \(request.address)" }
    var errorLog: LogTarget { request.errorLog }
    var sendFD: Int32 { socket }
    var receiveFD: Int32 { socket }
    var logFD: Int32? { nil }
    var poolKey: String? { request.settings.keepConnection && endedCleanly ? FastCGIAdapter.poolKey(request.address) : nil }

    static func poolKey(_ address: FastCGIAddress) -> String { "fastcgi://\(address)" }

    func encode(body: ArraySlice<UInt8>, last: Bool) -> [UInt8] {
        var records: [UInt8] = []
        // fastcgi_pass_request_body off: the client's bytes are dropped, the empty record still ends STDIN.
        FastCGIEncoder.stdin(request.settings.passRequestBody ? body : [], last: last, into: &records)
        return records
    }

    func unwrap(_ bytes: ArraySlice<UInt8>) -> UpstreamRead {
        var read = UpstreamRead(data: [])
        var data: [UInt8] = []
        for event in decoder.decode(bytes) {
            switch event {
            case .stdout(let range):
                flushStderr(into: &read)
                data += bytes[range]
            case .stderr(let range):
                stderr += bytes[range]
            case .end(let appStatus, let protocolStatus):
                flushStderr(into: &read)
                read.ended = true
                endedCleanly = protocolStatus == 0
                if protocolStatus != 0 { read.log.append("\(name) ended the request with protocol status \(protocolStatus) (app status \(appStatus))") }
            case .invalid(let problem):
                flushStderr(into: &read)
                endedCleanly = false
                // After a complete answer: noted, and the connection not kept.
                if read.ended { read.log.append("\(name) \(problem)") } else { read.problem = problem }
            }
        }
        // A message is logged whole: held until its line ends (or other output follows).
        if stderr.last == UInt8(ascii: "\n") || stderr.count > FastCGIAdapter.stderrLimit { flushStderr(into: &read) }
        read.data = data[...]
        return read
    }

    /// Longest stderr text held back waiting for the end of its line.
    static let stderrLimit = 4096

    /// The stderr text so far as one error-log message, as nginx writes it.
    private func flushStderr(into read: inout UpstreamRead) {
        guard !stderr.isEmpty else { return }
        let text = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: "\n")
        stderr.removeAll()
        guard !text.isEmpty else { return }
        read.log.append("FastCGI sent in stderr: \"\(text)\", client: \(request.client), request: \"\(request.requestLine)\", upstream: \"fastcgi://\(request.address)\"")
    }

    func parseHead(_ bytes: ArraySlice<UInt8>) -> UpstreamHead { parser.head(after: bytes) }

    func answer(status: Int, headers: [UpstreamHeader], to head: RequestHead) -> UpstreamAnswer {
        CGIAdapter.answer(status: status, headers: headers)
    }

    func end() {}
}
