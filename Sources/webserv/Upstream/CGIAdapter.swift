import ConfLang

/// A CGI/1.1 script as an upstream (RFC 3875): spawned with non-blocking
/// pipes; the body goes to its stdin, its stdout is a header block and a body
/// that ends when the script closes it; stderr goes to the error log.
final class CGIAdapter: UpstreamAdapter {
    let process: ChildProcess
    let script: String
    let errorLog: LogTarget
    /// Set when SIGCHLD has reaped the process.
    var exited = false
    /// Told when the exchange ends with the script still running (the loop
    /// kills it if it has not exited after a grace period).
    var terminated: ((CGIAdapter) -> Void)?
    private var parser = CGIResponseParser()

    /// Starts the script; with `stdinFile` its stdin is that (spooled) body.
    init(_ request: CGIRequest, stdinFile: Int32?) throws {
        process = try ChildProcess.spawn(executable: request.interpreter, arguments: [request.scriptFile],
                                         environment: request.environment, workingDirectory: request.workingDirectory,
                                         stdinFile: stdinFile)
        script = request.scriptFile
        errorLog = request.errorLog
    }

    var name: String { "CGI \(script)" }
    var sendFD: Int32 { process.stdin }
    var receiveFD: Int32 { process.stdout }
    var logFD: Int32? { process.stderr }
    /// A script answers one request.
    var poolKey: String? { nil }

    func encode(body: ArraySlice<UInt8>, last: Bool) -> [UInt8] { Array(body) }

    func parseHead(_ bytes: ArraySlice<UInt8>) -> UpstreamHead { parser.head(after: bytes) }

    /// A local `Location` (a path, no Status) is an internal redirect; the
    /// script's own fields go to the client as they are, but for its framing:
    /// the body ends at its Content-Length (what follows is never sent: it
    /// would be read as the next answer), after its last chunk when the script
    /// chunked it (re-chunked by us), else when the script closes its output.
    /// The parser has checked the framing fields.
    func answer(status: Int, headers: [UpstreamHeader], to head: RequestHead) -> UpstreamAnswer {
        CGIAdapter.answer(status: status, headers: headers)
    }

    /// A CGI response's answer, a script's or a FastCGI application's (FastCGIAdapter).
    static func answer(status: Int, headers: [UpstreamHeader]) -> UpstreamAnswer {
        if let location = headers.first(where: { $0.name.caseInsensitiveEquals("Location") })?.value,
           location.hasPrefix("/"), status == 200 {
            return .internalRedirect(location)
        }
        let length = headers.first { $0.name.caseInsensitiveEquals("Content-Length") }.flatMap { Int($0.value) }
        let chunked = headers.contains { $0.name.caseInsensitiveEquals("Transfer-Encoding") }
        var fields = headers.filter { !$0.name.caseInsensitiveEquals("Content-Length") && !$0.name.caseInsensitiveEquals("Transfer-Encoding") }
            .map { (name: $0.name, value: $0.value) }
        // 204 and 304 have no body (RFC 9110 §6.4.1): whatever the script prints is read and dropped.
        if let length, status != 204, status != 304 { fields.append(("Content-Length", String(length))) }
        if chunked { return .respond(headers: fields, framing: .chunked(ChunkedDecoder()), lengthKnown: false) }
        if let length { return .respond(headers: fields, framing: .length(remaining: length), lengthKnown: true) }
        return .respond(headers: fields, framing: .untilClose, lengthKnown: false)
    }

    /// Asks the script's process group to end if it still runs (SIGTERM;
    /// SIGKILL follows after a grace period); SIGCHLD reaps it.
    func end() {
        guard !exited else { return }
        process.terminate()
        terminated?(self)
    }
}
