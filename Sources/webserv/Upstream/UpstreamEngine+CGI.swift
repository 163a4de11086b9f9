import ConfLang

/// CGI/1.1 scripts on the upstream engine: spawning (the body streams to
/// stdin, or a chunked body is spooled first) and reaping.
extension UpstreamEngine {
    func startScript(_ request: CGIRequest, head: RequestHead, maxBodySize: Int, on connection: Connection) {
        guard head.hasBody else { return spawnScript(request, stdinFile: nil, on: connection, head: head) }
        let consumer: BodyConsumer
        if head.isChunked {
            let spooled = try? SpooledBody { [unowned self, unowned connection] file in
                var request = request
                request.environment["CONTENT_LENGTH"] = String(file.written)
                self.spawnScript(request, stdinFile: file.rewound(), on: connection, head: head)
                file.abort()
            }
            guard let spool = spooled else {
                return connections.deliver(Response(status: 500), head: head, on: connection, keepAlive: false)
            }
            consumer = spool
        } else {
            spawnScript(request, stdinFile: nil, on: connection, head: head)
            guard connection.request.upstream != nil else { return }
            consumer = ForwardingBodyConsumer(engine: self, connection: connection)
        }
        connections.beginBody(connection, head: head, consumer: consumer, maxBodySize: maxBodySize)
    }

    /// Starts the script; with `stdinFile` its stdin is that (spooled) body.
    func spawnScript(_ request: CGIRequest, stdinFile: Int32?, on connection: Connection, head: RequestHead) {
        let adapter: CGIAdapter
        do {
            adapter = try CGIAdapter(request, stdinFile: stdinFile)
        } catch {
            loop.logs.error("error", "cannot start CGI script \(request.scriptFile): \(error)", to: request.errorLog)
            return connections.deliver(Response(status: 502), head: head, on: connection,
                                       keepAlive: keepsAlive(head, bodyIn: stdinFile != nil || !head.hasBody))
        }
        scripts[adapter.process.pid] = adapter
        adapter.terminated = { [unowned self] in
            self.scriptKills.append((script: $0, deadline: self.loop.now() + UpstreamEngine.scriptGraceMilliseconds))
        }
        begin(UpstreamExchange(adapter: adapter, head: head, timeouts: .total(request.timeoutMilliseconds),
                               connected: true, now: loop.now()), on: connection)
        // No body to stream: stdin is closed (or was the spooled file) at once.
        if stdinFile != nil || !head.hasBody { feed(connection, [], last: true) }
    }

    /// How long a script asked to end (its client left, its time ran out)
    /// has before SIGKILL, as Apache's CGI gives (3 s there).
    static let scriptGraceMilliseconds = 2000

    /// When the first script asked to end gets SIGKILL.
    var nextKill: Int? { scriptKills.first?.deadline }

    /// SIGKILL for scripts whose grace period has passed and that have not exited.
    /// `all`: every one now (the server stops). Checked every turn: inlined.
    @inline(__always)
    func killLingeringScripts(all: Bool = false) {
        guard !scriptKills.isEmpty else { return }
        // Appended in the order of their deadlines (the turn's time does not go back).
        let due = all ? scriptKills.count : scriptKills.prefix { $0.deadline <= loop.now() }.count
        for (script, _) in scriptKills.prefix(due) where !script.exited { script.process.kill() }
        scriptKills.removeFirst(due)
    }

    func reapScripts() {
        for pid in ChildProcess.reapExited() {
            scripts[pid]?.exited = true
            scripts[pid] = nil
        }
    }
}
