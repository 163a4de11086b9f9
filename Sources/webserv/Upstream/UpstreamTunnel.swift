import Glibc
import ConfLang

/// A client connection switched to another protocol by a proxied server's
/// 101 (WebSocket, or any `Upgrade`): bytes relayed both ways between the
/// client's transport and the upstream socket until either side closes, then
/// both close, as nginx's `ngx_http_upstream_process_upgraded`. Each
/// direction holds at most `bufferLimit` bytes: a side is not read while that
/// much of what it sent waits for the other. The loop hands it the readiness of both
/// sockets (the client's through `ConnectionDriver.ready` in the `tunneling`
/// state, the upstream's as `DescriptorOwner.tunnel`); its deadline is the
/// exchange's, so the connection's one timer entry covers it.
final class UpstreamTunnel {
    unowned(unsafe) let engine: UpstreamEngine
    weak var connection: Connection?
    /// The exchange it came from, which holds it (for the deadline and the end).
    weak var exchange: UpstreamExchange?
    /// The upstream socket's reads and writes, through TLS to an https upstream.
    private let upstream: UpstreamTransport
    let upstreamFD: Int32
    private let name: String
    private let errorLog: LogTarget
    /// proxy_read_timeout: nothing relayed either way for that long ends the tunnel;
    /// proxy_send_timeout and send_timeout bound a write that waits, to each side.
    private let timeouts: ProxyTimeouts
    private let clientSendTimeout: Int

    /// Bytes for the upstream (from `toUpstreamOffset`) and for the client.
    private var toUpstream: [UInt8]
    private var toUpstreamOffset = 0
    private var toClient: [UInt8]
    private var toClientOffset = 0
    /// A side may have bytes to read (its readiness, or a read that filled the buffer).
    private var clientReadable = true
    private var upstreamReadable = true
    private var clientEnded = false
    private var upstreamEnded = false
    /// When something last moved, and when each side's pending write last progressed.
    private var lastActivity = 0
    private var lastClientWrite = 0
    private var lastUpstreamWrite = 0
    private var upstreamInterest: Selector.Interest = []
    private var ended = false
    /// What the client got after the 101's head (nginx's $body_bytes_sent of an upgraded request).
    private(set) var bytesToClient = 0

    /// Per direction, as nginx's proxy_buffer_size bounds each of its two buffers (larger here: fewer turns per message).
    static let bufferLimit = 64 * 1024

    /// `toClient`: what the upstream sent after its 101 head (and any of the
    /// head the client socket did not take yet); `toUpstream`: what the client
    /// sent after its request head.
    init(engine: UpstreamEngine, connection: Connection, exchange: UpstreamExchange, upstreamFD: Int32, name: String,
         errorLog: LogTarget, timeouts: ProxyTimeouts, clientSendTimeout: Int, toClient: [UInt8], toUpstream: [UInt8]) {
        self.engine = engine
        self.connection = connection
        self.exchange = exchange
        self.upstreamFD = upstreamFD
        upstream = exchange.transport(upstreamFD)
        self.name = name
        self.errorLog = errorLog
        self.timeouts = timeouts
        self.clientSendTimeout = clientSendTimeout
        self.toClient = toClient
        self.toUpstream = toUpstream
    }

    /// Takes the upstream socket over and relays what is already there.
    func start() {
        let now = engine.loop.now()
        lastActivity = now
        lastClientWrite = now
        lastUpstreamWrite = now
        upstreamInterest = .read
        engine.loop.reassign(upstreamFD, to: .tunnel(self), interest: upstreamInterest)
        pump()
    }

    func clientReady(_ event: Selector.Event) {
        if event.readable || event.closed { clientReadable = true }
        // Hung up (reported again and again) where nothing more will be read: nothing can move on that side.
        if event.closed && (clientEnded || toUpstream.count - toUpstreamOffset >= UpstreamTunnel.bufferLimit) { return finish() }
        pump()
    }

    func upstreamReady(_ event: Selector.Event) {
        if event.readable || event.closed { upstreamReadable = true }
        if event.closed && (upstreamEnded || toClient.count - toClientOffset >= UpstreamTunnel.bufferLimit) { return finish() }
        pump()
    }

    /// Moves what can move both ways, then ends the tunnel when a side has
    /// closed and what it sent has reached the other (nginx's rule), or
    /// watches each socket for what it waits on.
    private func pump() {
        guard !ended, let connection else { return }
        var moved = false
        do {
            // Upstream to client first: what the upstream sent after its 101 goes down before anything else.
            moved = try relayDown(connection)
            moved = try relayUp(connection) || moved
        } catch {
            engine.loop.logs.error("info", "\(name): \(error) while proxying upgraded connection", to: errorLog)
            return finish()
        }
        if (upstreamEnded && toClientOffset == toClient.count) || (clientEnded && toUpstreamOffset == toUpstream.count) {
            return finish()
        }
        if moved { lastActivity = engine.loop.now() }
        watch(connection)
        renewDeadline(connection)
    }

    /// Writes what waits for the client, reading the upstream while there is room.
    private func relayDown(_ connection: Connection) throws -> Bool {
        var moved = false
        // The client took no more in this call: the upstream is still read while there is room (as nginx), not written again.
        var blocked = false
        while true {
            if toClientOffset < toClient.count && !blocked {
                let transport = connection.transport
                if case .value(let count) = try toClient[toClientOffset...].withUnsafeBytes({ try transport.write($0) }), count > 0 {
                    moved = true
                    lastClientWrite = engine.loop.now()
                    bytesToClient += count
                    toClientOffset += count
                    if toClientOffset < toClient.count { continue }
                    toClient.removeAll(keepingCapacity: toClient.capacity <= UpstreamTunnel.bufferLimit * 2)
                    toClientOffset = 0
                } else {
                    blocked = true
                }
            }
            guard upstreamReadable, !upstreamEnded, toClient.count - toClientOffset < UpstreamTunnel.bufferLimit else { break }
            let read: IOResult<Int>
            do {
                read = try engine.readBuffer.withUnsafeMutableBytes { try upstreamRead(into: $0) }
            } catch {
                // As nginx: a failed read ends that side, like its close.
                engine.loop.logs.error("info", "\(name): \(error) while proxying upgraded connection", to: errorLog)
                upstreamEnded = true
                break
            }
            guard case .value(let count) = read else { upstreamReadable = false; break }
            guard count > 0 else { upstreamEnded = true; break }
            if count < engine.readBuffer.count { upstreamReadable = false }
            toClient.append(contentsOf: engine.readBuffer[0..<count])
            moved = true
        }
        return moved
    }

    /// Writes what waits for the upstream, reading the client while there is room.
    private func relayUp(_ connection: Connection) throws -> Bool {
        var moved = false
        var blocked = false
        while true {
            if toUpstreamOffset < toUpstream.count && !blocked {
                if case .value(let count) = try toUpstream[toUpstreamOffset...].withUnsafeBytes({ try upstreamWrite($0) }), count > 0 {
                    moved = true
                    lastUpstreamWrite = engine.loop.now()
                    toUpstreamOffset += count
                    if toUpstreamOffset < toUpstream.count { continue }
                    toUpstream.removeAll(keepingCapacity: toUpstream.capacity <= UpstreamTunnel.bufferLimit * 2)
                    toUpstreamOffset = 0
                } else {
                    blocked = true
                }
            }
            guard clientReadable, !clientEnded, toUpstream.count - toUpstreamOffset < UpstreamTunnel.bufferLimit else { break }
            let read: IOResult<Int>
            do {
                let transport = connection.transport
                read = try engine.readBuffer.withUnsafeMutableBytes { try transport.read(into: $0) }
            } catch {
                engine.loop.logs.error("info", "\(error) while proxying upgraded connection, client: \(connection.peerHost)", to: errorLog)
                clientEnded = true
                break
            }
            guard case .value(let count) = read else { clientReadable = false; break }
            guard count > 0 else { clientEnded = true; break }
            if count < engine.readBuffer.count { clientReadable = false }
            toUpstream.append(contentsOf: engine.readBuffer[0..<count])
            moved = true
        }
        return moved
    }

    /// Each socket watched for what its side waits on: a read while the
    /// other direction has room, a write while bytes wait for it.
    private func watch(_ connection: Connection) {
        var client: Selector.Interest = []
        if !clientEnded && toUpstream.count - toUpstreamOffset < UpstreamTunnel.bufferLimit { client.insert(.read) }
        if toClientOffset < toClient.count { client.insert(.write) }
        engine.connections.watch(connection, client)
        var upstream: Selector.Interest = []
        if !upstreamEnded && toClient.count - toClientOffset < UpstreamTunnel.bufferLimit { upstream.insert(.read) }
        if toUpstreamOffset < toUpstream.count { upstream.insert(.write) }
        guard upstream != upstreamInterest else { return }
        upstreamInterest = upstream
        engine.loop.changeInterest(upstreamFD, upstream)
    }

    /// nginx's timers of an upgraded connection: proxy_read_timeout since
    /// anything last moved, and while a write waits, the timeout of the side it
    /// waits for (proxy_send_timeout, send_timeout) since it last progressed.
    private func renewDeadline(_ connection: Connection) {
        guard let exchange else { return }
        var deadline = lastActivity + timeouts.readMilliseconds
        if toUpstreamOffset < toUpstream.count { deadline = min(deadline, lastUpstreamWrite + timeouts.sendMilliseconds) }
        if toClientOffset < toClient.count { deadline = min(deadline, lastClientWrite + clientSendTimeout) }
        exchange.deadline = deadline
        engine.loop.armTimer(connection)
    }

    /// The deadline passed: both sides close (the 101 is logged already sent).
    func timedOut() {
        let now = engine.loop.now()
        if toClientOffset < toClient.count && lastClientWrite + clientSendTimeout <= now {
            engine.loop.logs.error("info", "client timed out (110: Connection timed out) while proxying upgraded connection", to: errorLog)
        } else {
            engine.loop.logs.error("error", "\(name) timed out (110: Connection timed out) while proxying upgraded connection", to: errorLog)
        }
        finish()
    }

    /// Both sides close: the client's connection, which ends the exchange and so the tunnel (`end`).
    private func finish() {
        guard !ended else { return }
        if let connection { engine.connections.close(connection) } else { end() }
    }

    /// Closes the upstream socket and writes the request's access-log line
    /// (status 101, the bytes the client got after the head), as nginx logs
    /// an upgraded request when it ends. Called once, as the exchange ends.
    func end() {
        guard !ended else { return }
        ended = true
        upstream.shutdown()   // close_notify to an https upstream, as nginx before it closes
        engine.loop.closeDescriptor(upstreamFD)
        guard let request = connection?.request, var record = request.accessLog else { return }
        record.bytesSent = bytesToClient
        engine.loop.logs.access(record, now: engine.loop.now())
        request.accessLog = nil
    }

    // The upstream side's reads and writes, the only ones: one place for a transport under them (an HTTPS upstream).

    private func upstreamRead(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        try upstream.read(into: buffer)
    }

    private func upstreamWrite(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        try upstream.write(bytes)
    }
}

extension UpstreamEngine {
    /// A proxied server's 101 to a request that asked for an upgrade: the 101
    /// goes to the client through the output pipeline (its access-log record
    /// made there), then the exchange's socket becomes a tunnel's. `body`: what
    /// the upstream sent after its head.
    func upgrade(_ exchange: UpstreamExchange, _ connection: Connection, fields: [(name: String, value: String)],
                 after body: ArraySlice<UInt8>) {
        // A body still on its way up could not be told from the new protocol's bytes.
        guard exchange.bodyComplete, exchange.pendingInput.isEmpty else {
            loop.logs.error("error", "\(exchange.adapter.name) switched protocols before the request body was sent", to: exchange.adapter.errorLog)
            return fail(connection, status: 502)
        }
        exchange.headersSent = true
        var response = Response(status: 101, headers: fields)
        response.streamed = true   // no Content-Length, and the answer is not over when the head is out
        connections.respond(connection, with: response, head: exchange.head, keepAlive: false)
        guard connection.request.upstream === exchange else { return }   // the client went away
        let request = connection.request
        let fd = exchange.adapter.receiveFD
        // The socket is the tunnel's now: the exchange watches and closes nothing.
        exchange.receiveOpen = false
        exchange.sendOpen = false
        exchange.interests = [:]
        let toClient = Array(request.output[request.outputOffset...]) + body
        request.output = []
        request.outputOffset = 0
        let toUpstream = connection.input
        connection.input = []
        let settings = request.context?.route.settings
        let tunnel = UpstreamTunnel(engine: self, connection: connection, exchange: exchange, upstreamFD: fd,
                                    name: exchange.adapter.name, errorLog: exchange.adapter.errorLog,
                                    timeouts: settings?.proxyTimeouts ?? ProxyTimeouts(),
                                    clientSendTimeout: settings?.sendTimeoutMilliseconds ?? 60_000,
                                    toClient: toClient, toUpstream: toUpstream)
        exchange.tunnel = tunnel
        loop.enter(.tunneling, connection)
        tunnel.start()
    }

    /// Readiness of a tunneling client connection.
    func tunnelReady(_ connection: Connection, _ event: Selector.Event) {
        guard let tunnel = connection.request.upstream?.tunnel else { return connections.close(connection) }
        tunnel.clientReady(event)
    }
}
