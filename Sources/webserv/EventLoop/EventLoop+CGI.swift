import ConfLang

/// CGI/1.1 scripts on the upstream engine: spawning (the body streams to
/// stdin, or a chunked body is spooled first) and reaping.
extension EventLoop {
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
            guard connection.upstream != nil else { return }
            consumer = ForwardingBodyConsumer(loop: self, connection: connection)
        }
        beginBody(connection, head: head, consumer: consumer, maxBodySize: maxBodySize)
    }

    /// Starts the script; with `stdinFile` its stdin is that (spooled) body.
    func spawnScript(_ request: CGIRequest, stdinFile: Int32?, on connection: Connection, head: RequestHead) {
        let adapter: CGIAdapter
        do {
            adapter = try CGIAdapter(request, stdinFile: stdinFile)
        } catch {
            logs.error("error", "cannot start CGI script \(request.scriptFile): \(error)", to: request.errorLog)
            return deliver(Response(status: 502), head: head, on: connection, keepAlive: false)
        }
        scripts[adapter.process.pid] = adapter
        begin(UpstreamExchange(adapter: adapter, head: head, timeout: request.timeoutMilliseconds, renews: false,
                               connected: true, now: now()), on: connection)
        // No body to stream: stdin is closed (or was the spooled file) at once.
        if stdinFile != nil || !head.hasBody { feedUpstream(connection, [], last: true) }
    }

    func reapScripts() {
        for pid in ChildProcess.reapExited() {
            scripts[pid]?.exited = true
            scripts[pid] = nil
        }
    }
}
