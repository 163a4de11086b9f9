import Glibc
import ConfLang

/// Accepting: the listening sockets (opened for a configuration, handed down
/// or bound), each with its `Listener`, and new connections taken into the
/// loop, at most worker_connections at a time (accepting pauses there, and
/// for a moment when descriptors run out).
final class Acceptor {
    unowned(unsafe) let loop: EventLoop

    var listeners: [Int32: Listener] = [:]
    /// Sockets handed down to bind no address again (`InheritedSockets`).
    var inheritedSockets = InheritedSockets()
    /// Client connections open now (they are found through the loop's `descriptors`).
    private(set) var connectionCount = 0
    private var paused = false
    /// When accepting resumes after descriptors ran out.
    private(set) var resumeAt: Int?

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// Opens the sockets `new` listens on that are not open yet, closes those
    /// it no longer listens on, and gives every address its servers under
    /// `router`; on failure nothing changes (a problem to report is returned).
    func apply(_ new: WebservConfig, router: Router, tls: [Values.ListenAddress: TLSAddress] = [:]) -> String? {
        // One socket per wildcard and per specific address without one on its
        // port (nginx without `bind`); the specific addresses a wildcard's socket
        // accepts for are told apart by their numeric host, found first so that
        // a name that does not resolve changes nothing.
        let wanted = new.socketAddresses
        var hosts: [Values.ListenAddress: String] = [:]
        for address in wanted.flatMap(new.addresses(sharing:)) {
            do { hosts[address] = try Listener.numericHost(of: address) } catch { return "cannot listen on \(address): \(error)" }
        }
        // Every address's listener, kept across the reload whether it has a socket
        // or shares a wildcard's, so that its open connections see the new servers.
        var known: [Values.ListenAddress: Listener] = [:]
        for listener in listeners.values {
            known[listener.address] = listener
            for entry in listener.specific { known[entry.listener.address] = entry.listener }
        }
        let opened: [Int32: Values.ListenAddress]
        switch openSockets(for: wanted.filter { address in !listeners.values.contains { $0.address == address } }, keeping: wanted) {
        case .success(let sockets): opened = sockets
        case .failure(let problem): return problem.message
        }
        for (fd, listener) in listeners where !wanted.contains(listener.address) {
            loop.closeDescriptor(fd)
            listeners[fd] = nil
        }
        for (fd, address) in opened {
            let listener = known[address] ?? Listener(address: address, servers: nil)
            known[address] = listener
            adoptListening(fd, listener)
        }
        for listener in listeners.values {
            listener.specific = new.addresses(sharing: listener.address).map { address in
                let shared = known[address] ?? Listener(address: address, servers: nil)
                known[address] = shared
                return (hosts[address] ?? address.host, shared)
            }
        }
        // An address no longer listened on gets none (and its connections end).
        for listener in known.values {
            listener.servers = router.servers(on: listener.address)
            listener.tls = tls[listener.address]
        }
        return nil
    }

    struct ListenProblem: Error { let message: String }

    /// Opens a listening socket for each of `addresses` (handed down, or bound).
    /// A wildcard replacing the specific sockets of its family and port, or a
    /// specific address replacing its wildcard, cannot be bound while the old
    /// socket listens (the port is in use): the old one is closed first, what
    /// is queued on it accepted. On failure nothing opened stays open, and a
    /// socket closed for it is opened again.
    private func openSockets(for addresses: [Values.ListenAddress], keeping wanted: [Values.ListenAddress])
        -> Result<[Int32: Values.ListenAddress], ListenProblem> {
        var opened: [Int32: Values.ListenAddress] = [:]
        var replaced: [(address: Values.ListenAddress, listener: Listener)] = []
        func retiring(_ address: Values.ListenAddress) -> [(fd: Int32, listener: Listener)] {
            listeners.filter { !wanted.contains($0.value.address) && $0.value.address.wildcard == address.wildcard }.map { ($0.key, $0.value) }
        }
        let first = addresses.filter { retiring($0).isEmpty }
        for address in first + addresses.filter({ !retiring($0).isEmpty }) {
            for (fd, listener) in retiring(address) {
                acceptAll(on: fd, listener: listener)
                loop.closeDescriptor(fd)
                listeners[fd] = nil
                replaced.append((listener.address, listener))
            }
            do {
                opened[try inheritedSockets.take(address) ?? Socket.listen(on: address, sharedPort: loop.isWorker).fd] = address
            } catch {
                for fd in opened.keys { Socket.close(fd) }
                for (old, listener) in replaced {
                    guard let fd = try? Socket.listen(on: old, sharedPort: loop.isWorker).fd else { continue }
                    adoptListening(fd, listener)
                }
                return .failure(ListenProblem(message: "cannot listen on \(address): \(error)"))
            }
        }
        return .success(opened)
    }

    /// A listening socket joins the loop (watched unless accepting is paused).
    private func adoptListening(_ fd: Int32, _ listener: Listener) {
        listeners[fd] = listener
        loop.descriptors.set(loop.descriptors.newToken(for: fd), .listener)
        if !paused { listen(fd) }
    }

    /// Readiness of a listening socket.
    func ready(_ fd: Int32) {
        if let listener = listeners[fd] { acceptAll(on: fd, listener: listener) }
    }

    private func acceptAll(on fd: Int32, listener: Listener) {
        while connectionCount < loop.config.workerConnections {
            do {
                guard case .value(let accepted) = try Socket.accept(fd) else { return }
                adopt(accepted.fd, listener: listener.answering(accepted.fd), peer: (accepted.host, accepted.port))
            } catch let error as SystemError where error.errorNumber == EMFILE || error.errorNumber == ENFILE {
                // Out of descriptors: pause accepting briefly instead of spinning.
                loop.logs.error("crit", "\(error); pausing accept for 100ms")
                loop.handler.files.removeAll()
                pause()
                resumeAt = loop.now() + 100
                return
            } catch {
                loop.logs.error("error", "\(error)")
                return
            }
        }
        pause()   // at worker_connections: resume when one closes
    }

    /// Takes a connected client socket into the loop (accepted, or one end of
    /// a socketpair in tests); its first deadline is client_header_timeout.
    @discardableResult
    func adopt(_ fd: Int32, listener: Listener, peer: (host: String, port: Int)) -> Connection? {
        // A listener exists only for an address some server has.
        guard let server = listener.servers?.defaultServer else { Socket.close(fd); return nil }
        let limits = RequestLimits(maxLineBytes: server.config.largeHeaderBufferSize,
                                   maxHeadBytes: server.config.largeHeaderBufferSize * server.config.largeHeaderBufferCount)
        // On a TLS address, the session the handshake will run in (TLSSession).
        var tls: TLSSession?
        if let address = listener.tls {
            guard let session = try? TLSSession(fd: fd, address: address) else { Socket.close(fd); return nil }
            tls = session
        }
        let token = loop.descriptors.newToken(for: fd)
        let connection = Connection(fd: fd, identity: token, listener: listener, peerHost: peer.host, peerPort: peer.port, limits: limits,
                                    tls: tls)
        do {
            try loop.selector.register(fd, interest: .read, token: token)
        } catch {
            Socket.close(fd)
            return nil
        }
        loop.descriptors.set(token, .client(connection))
        connectionCount += 1
        loop.enter(.idle(kept: false), connection)
        return connection
    }

    /// A connection closed: one more may be accepted.
    func connectionClosed() {
        connectionCount -= 1
        if paused && !loop.draining { resume() }
    }

    /// The pause after descriptors ran out is over.
    func resumeIfDue(now: Int) {
        guard let resume = resumeAt, now >= resume else { return }
        resumeAt = nil
        self.resume()
    }

    private func pause() {
        guard !paused else { return }
        paused = true
        for fd in listeners.keys { loop.selector.deregister(fd) }
    }

    private func resume() {
        guard paused, resumeAt == nil, connectionCount < loop.config.workerConnections else { return }
        paused = false
        for fd in listeners.keys { listen(fd) }
    }

    private func listen(_ fd: Int32) {
        guard let token = loop.descriptors.token(of: fd) else { return }
        try? loop.selector.register(fd, interest: .read, token: token)
    }

    /// Every listening socket closed (draining, or the loop stops).
    func closeAll() {
        for fd in listeners.keys { loop.closeDescriptor(fd) }
        listeners = [:]
    }
}
