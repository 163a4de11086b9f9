import Glibc
import ConfLang

/// CGI/1.1 in the event loop: the script's stdin, stdout and stderr are
/// non-blocking pipes watched by the selector. The body streams to stdin and
/// the output streams to the client at the same time, each side pausing the
/// other when its buffer is full, so no script can deadlock a request.
extension EventLoop {
    static let pipeFlag: UInt64 = 1 << 40
    static let bufferLimit = 1 << 20

    func pipeToken(_ fd: Int32) -> UInt64 { UInt64(fd) | EventLoop.pipeFlag }

    func startScript(_ request: CGIRequest, head: RequestHead, maxBodySize: Int, on connection: Connection) {
        guard head.hasBody else { return spawnScript(request, stdinFile: nil, on: connection, head: head) }
        let consumer: BodyConsumer
        if head.isChunked {
            guard let spool = try? SpooledBody(loop: self, connection: connection, request: request, head: head) else {
                return deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
            }
            consumer = spool
        } else {
            spawnScript(request, stdinFile: nil, on: connection, head: head)
            guard connection.cgi != nil else { return }
            consumer = ForwardingBodyConsumer(loop: self, connection: connection)
        }
        beginBody(connection, head: head, consumer: consumer, maxBodySize: maxBodySize)
    }

    /// Starts the script; with `stdinFile` its stdin is that (spooled) body.
    func spawnScript(_ request: CGIRequest, stdinFile: Int32?, on connection: Connection, head: RequestHead) {
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(executable: request.interpreter, arguments: [request.scriptFile],
                                             environment: request.environment, workingDirectory: request.workingDirectory,
                                             stdinFile: stdinFile)
        } catch {
            logs.error("error", "cannot start CGI script \(request.scriptFile): \(error)", to: request.errorLog)
            deliver(Response(status: 502), head: head, on: connection, keepAlive: false)
            return
        }
        let exchange = CGIExchange(process: process, head: head, script: request.scriptFile,
                                   deadline: Clock.monotonicMilliseconds() + request.timeoutMilliseconds,
                                   errorLog: request.errorLog)
        connection.cgi = exchange
        scripts[process.pid] = exchange
        armTimer(connection)
        for fd in [process.stdout, process.stderr] {
            pipeOwners[fd] = connection
            try? selector.register(fd, interest: .read, token: pipeToken(fd))
        }
        if stdinFile != nil || !head.hasBody {
            exchange.stdinOpen = process.stdin >= 0
            exchange.bodyComplete = true
            closeStdin(exchange)
            awaitScript(connection)
        } else {
            pipeOwners[process.stdin] = connection
        }
    }

    /// The body is all in (or none): stop reading the socket until the answer.
    func awaitScript(_ connection: Connection) {
        guard connection.cgi?.headersSent == false else { return }
        connection.state = .awaitingUpstream
        clearTimer(connection)   // cgi_timeout alone applies while the script works
        watch(connection, [])
    }

    func feedScript(_ connection: Connection, _ bytes: ArraySlice<UInt8>) {
        guard let exchange = connection.cgi, exchange.stdinOpen else { return }
        exchange.pendingInput += bytes
        writeStdin(exchange, connection)
        if exchange.pendingInput.count > EventLoop.bufferLimit {
            // The script reads slower than the client sends: stop reading the client.
            watch(connection, connection.wantsWrite && connection.outputOffset < connection.output.count ? .write : [])
        }
    }

    func scriptBodyComplete(_ connection: Connection) {
        guard let exchange = connection.cgi else { return }
        exchange.bodyComplete = true
        if exchange.pendingInput.isEmpty { closeStdin(exchange) }
        awaitScript(connection)
    }

    private func writeStdin(_ exchange: CGIExchange, _ connection: Connection) {
        let fd = exchange.process.stdin
        while !exchange.pendingInput.isEmpty && exchange.stdinOpen {
            let result: IOResult<Int>
            do {
                result = try exchange.pendingInput.withUnsafeBytes { try Socket.writePipe(fd, $0) }
            } catch {
                // The script closed its stdin (it never reads): drop the rest of the body.
                exchange.pendingInput = []
                closeStdin(exchange)
                break
            }
            guard case .value(let count) = result else {
                if !exchange.stdinWaiting {
                    exchange.stdinWaiting = true
                    try? selector.register(fd, interest: .write, token: pipeToken(fd))
                }
                return
            }
            exchange.pendingInput.removeFirst(count)
        }
        if exchange.stdinWaiting {
            exchange.stdinWaiting = false
            selector.deregister(fd)
        }
        if exchange.bodyComplete { closeStdin(exchange) }
        if readsBody(connection) {
            watch(connection, connection.wantsWrite && connection.outputOffset < connection.output.count ? [.read, .write] : .read)
        }
    }

    private func closeStdin(_ exchange: CGIExchange) {
        guard exchange.stdinOpen, exchange.process.stdin >= 0 else { exchange.stdinOpen = false; return }
        exchange.stdinOpen = false
        if exchange.stdinWaiting { selector.deregister(exchange.process.stdin) }
        pipeOwners[exchange.process.stdin] = nil
        Socket.close(exchange.process.stdin)
    }

    // MARK: pipe events

    func pipeEvent(fd: Int32, event: Selector.Event) {
        guard let connection = pipeOwners[fd] else { return }
        if let proxy = connection.proxy, proxy.fd == fd { return upstreamEvent(proxy, connection, event) }
        guard let exchange = connection.cgi else { return }
        if fd == exchange.process.stdin {
            writeStdin(exchange, connection)
        } else if fd == exchange.process.stderr {
            readStderr(exchange)
        } else if fd == exchange.process.stdout {
            readStdout(exchange, connection)
        }
    }

    private func readStderr(_ exchange: CGIExchange) {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while exchange.stderrOpen {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(exchange.process.stderr, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            guard count > 0 else {
                exchange.stderrOpen = false
                selector.deregister(exchange.process.stderr)
                pipeOwners[exchange.process.stderr] = nil
                Socket.close(exchange.process.stderr)
                return
            }
            let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: "\n")
            logs.error("error", "CGI \(exchange.script) stderr: \(text)", to: exchange.errorLog)
        }
    }

    private func readStdout(_ exchange: CGIExchange, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while exchange.stdoutOpen && !exchange.stdoutPaused {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(exchange.process.stdout, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            guard count > 0 else { return stdoutEnded(exchange, connection) }
            if !exchange.headersSent {
                switch exchange.parser.feed(buffer[0..<count]) {
                case .needMore: continue
                case .invalid:
                    logs.error("error", "CGI \(exchange.script) sent an invalid header block", to: exchange.errorLog)
                    return failScript(connection, status: 502)
                case .complete(let status, let headers, let bodyStart):
                    let received = exchange.parser.received
                    guard sendScriptHead(exchange, connection, status: status, headers: headers) else { return }
                    appendScriptBody(exchange, connection, received[bodyStart...])
                }
            } else {
                appendScriptBody(exchange, connection, buffer[0..<count])
            }
            if connection.output.count - connection.outputOffset > EventLoop.bufferLimit {
                // The client reads slower than the script writes: pause the script.
                exchange.stdoutPaused = true
                try? selector.reregister(exchange.process.stdout, interest: [], token: pipeToken(exchange.process.stdout))
            }
            flush(connection)
            guard connection.cgi === exchange else { return }
        }
    }

    /// Writes the response head for the script's header block. A local
    /// `Location` (a path, no Status) is answered by an internal GET instead.
    private func sendScriptHead(_ exchange: CGIExchange, _ connection: Connection, status: Int,
                                headers: [CGIResponseParser.Header]) -> Bool {
        let head = exchange.head
        if let location = headers.first(where: { $0.name.caseInsensitiveEquals("Location") })?.value,
           location.hasPrefix("/"), status == 200 {
            endScript(connection)
            // Through the whole decision again, as nginx does: another script,
            // a proxy, a file, a return.
            var redirected = ErrorPages.request(for: location, replacing: head)
            redirected.headers = head.headers
            redirected.wantsKeepAlive = head.wantsKeepAlive && !head.hasBody
            redirect(redirected, on: connection, errorPage: connection.context?.errorPage)
            return false
        }
        exchange.headersSent = true
        var response = Response(status: connection.context?.errorPage?.status(forPage: status) ?? status,
                                headers: headers.map { ($0.name, $0.value) })
        response.streamed = true
        let hasLength = headers.contains { $0.name.caseInsensitiveEquals("Content-Length") }
        var keepAlive = head.wantsKeepAlive && !draining && exchange.bodyComplete && !(connection.context?.errorPage?.closeAfter ?? false)
        if head.method != "HEAD" && !hasLength {
            if head.version == .http11 {
                exchange.chunked = true
                response.headers.append(("Transfer-Encoding", "chunked"))
            } else {
                keepAlive = false   // HTTP/1.0: the end of the body is the end of the connection
            }
        }
        respond(connection, with: response, head: head, keepAlive: keepAlive)
        return connection.cgi === exchange
    }

    private func appendScriptBody(_ exchange: CGIExchange, _ connection: Connection, _ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty, exchange.head.method != "HEAD" else { return }
        exchange.bodyBytesSent += bytes.count
        appendStreamed(bytes, chunked: exchange.chunked, to: connection, total: exchange.bodyBytesSent)
    }

    /// Queues body bytes of a streamed answer, as a chunk when `chunked`.
    func appendStreamed(_ bytes: ArraySlice<UInt8>, chunked: Bool, to connection: Connection, total: Int) {
        connection.logLine?.bytesSent = total
        if chunked {
            connection.output += Array((String(bytes.count, radix: 16) + "\r\n").utf8)
            connection.output += bytes
            connection.output += [13, 10]
        } else {
            connection.output += bytes
        }
    }

    private func stdoutEnded(_ exchange: CGIExchange, _ connection: Connection) {
        exchange.stdoutOpen = false
        selector.deregister(exchange.process.stdout)
        pipeOwners[exchange.process.stdout] = nil
        Socket.close(exchange.process.stdout)
        guard exchange.headersSent else {
            logs.error("error", "CGI \(exchange.script) ended without a valid header block", to: exchange.errorLog)
            return failScript(connection, status: 502)
        }
        if exchange.chunked { connection.output += Array("0\r\n\r\n".utf8) }
        exchange.outputDone = true
        flush(connection)
    }

    /// Before any output: answer with `status` (502, 504) and end the script.
    func failScript(_ connection: Connection, status: Int) {
        guard let exchange = connection.cgi else { return }
        endScript(connection)
        if exchange.headersSent {
            close(connection)   // too late for a status: cut the response short
        } else {
            deliver(Response(status: status), head: exchange.head, on: connection, keepAlive: false)
        }
    }

    /// Resumes a paused script once the client has taken its output.
    func resumeScriptOutput(_ connection: Connection) {
        guard let exchange = connection.cgi, exchange.stdoutPaused, exchange.stdoutOpen,
              connection.output.count - connection.outputOffset < EventLoop.bufferLimit / 2 else { return }
        exchange.stdoutPaused = false
        try? selector.reregister(exchange.process.stdout, interest: .read, token: pipeToken(exchange.process.stdout))
    }

    /// Closes the script's pipes and kills its process group if it still runs;
    /// SIGCHLD reaps it.
    func endScript(_ connection: Connection) {
        guard let exchange = connection.cgi else { return }
        connection.cgi = nil
        closeStdin(exchange)
        for (open, fd) in [(exchange.stdoutOpen, exchange.process.stdout), (exchange.stderrOpen, exchange.process.stderr)] where open {
            selector.deregister(fd)
            pipeOwners[fd] = nil
            Socket.close(fd)
        }
        exchange.stdoutOpen = false
        exchange.stderrOpen = false
        if !exchange.exited { exchange.process.kill() }
    }

    func reapScripts() {
        for pid in ChildProcess.reapExited() {
            scripts[pid]?.exited = true
            scripts[pid] = nil
        }
    }

    /// cgi_timeout, or nothing heard from the upstream for its read timeout:
    /// 504 before the headers, a cut connection after.
    func upstreamTimedOut(_ connection: Connection) {
        if let exchange = connection.cgi {
            logs.error("error", "CGI \(exchange.script) timed out", to: exchange.errorLog)
            failScript(connection, status: 504)
        } else if let exchange = connection.proxy {
            logs.error("error", "upstream \(exchange.upstreamName) timed out", to: exchange.errorLog)
            failProxy(connection, status: 504)
        }
    }
}
