import Glibc
import ConfLang

/// `proxy_pass`: a non-blocking connection to the upstream in the event loop.
/// The request (hop-by-hop fields removed, Host, X-Forwarded-For and
/// X-Forwarded-Proto set) and its body stream up; the response streams back,
/// re-framed for the client. Refused or reset before an answer: 502; nothing
/// heard for send_timeout: 504.
extension EventLoop {
    func startProxy(_ request: ProxyRequest, head: RequestHead, maxBodySize: Int, on connection: Connection) {
        guard let settings = connection.context?.route.settings, let address = upstreamAddresses[request.upstream.host],
              let fd = try? Socket.connect(to: address, port: request.upstream.port) else {
            logs.error("error", "cannot connect to upstream \(request.upstream.host):\(request.upstream.port)", to: request.errorLog)
            return deliver(Response(status: 502), head: head, on: connection, keepAlive: false)
        }
        let exchange = ProxyExchange(fd: fd, head: head, request: request,
                                     readTimeout: settings.sendTimeoutMilliseconds, now: Clock.monotonicMilliseconds())
        connection.proxy = exchange
        pipeOwners[fd] = connection
        armTimer(connection)
        try? selector.register(fd, interest: [.write, .read], token: pipeToken(fd))
        if head.hasBody {
            beginBody(connection, head: head, consumer: ForwardingBodyConsumer(loop: self, connection: connection), maxBodySize: maxBodySize)
        } else {
            exchange.bodyComplete = true
            connection.state = .awaitingUpstream
            clearTimer(connection)   // the upstream's read timeout alone applies now
            watch(connection, [])
        }
    }

    func feedUpstream(_ connection: Connection, _ bytes: ArraySlice<UInt8>, last: Bool) {
        guard let exchange = connection.proxy else { return }
        if exchange.chunkedBody {
            if !bytes.isEmpty { exchange.pendingOutput += Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10] }
            if last { exchange.pendingOutput += Array("0\r\n\r\n".utf8) }
        } else {
            exchange.pendingOutput += bytes
        }
        if last {
            exchange.bodyComplete = true
            if !exchange.headersSent {
                connection.state = .awaitingUpstream
                clearTimer(connection)
            }
        }
        writeUpstream(exchange, connection)
        if exchange.pendingOutput.count > EventLoop.bufferLimit {
            watch(connection, connection.wantsWrite && connection.outputOffset < connection.output.count ? .write : [])
        } else if last && !exchange.headersSent {
            watch(connection, [])
        }
    }

    private func writeUpstream(_ exchange: ProxyExchange, _ connection: Connection) {
        guard exchange.connected else { return }
        while !exchange.pendingOutput.isEmpty {
            let result: IOResult<Int>
            do {
                result = try exchange.pendingOutput.withUnsafeBytes { try Socket.write(exchange.fd, $0) }
            } catch {
                return failProxy(connection, status: 502)
            }
            guard case .value(let count) = result else {
                try? selector.reregister(exchange.fd, interest: [.read, .write], token: pipeToken(exchange.fd))
                return
            }
            exchange.pendingOutput.removeFirst(count)
        }
        try? selector.reregister(exchange.fd, interest: exchange.paused ? [] : .read, token: pipeToken(exchange.fd))
        if readsBody(connection) {
            watch(connection, connection.wantsWrite && connection.outputOffset < connection.output.count ? [.read, .write] : .read)
        }
    }

    func upstreamEvent(_ exchange: ProxyExchange, _ connection: Connection, _ event: Selector.Event) {
        if !exchange.connected {
            guard event.writable || event.closed else { return }
            let error = Socket.pendingError(exchange.fd)
            guard error == 0 else {
                logs.error("error", "upstream \(exchange.upstreamName): \(String(cString: strerror(error)))", to: exchange.errorLog)
                return failProxy(connection, status: 502)
            }
            exchange.connected = true
        }
        if event.writable { writeUpstream(exchange, connection) }
        guard connection.proxy === exchange, event.readable || event.closed else { return }
        readUpstream(exchange, connection)
    }

    private func readUpstream(_ exchange: ProxyExchange, _ connection: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !exchange.paused && connection.proxy === exchange {
            let result: IOResult<Int>
            do {
                result = try buffer.withUnsafeMutableBytes { try Socket.read(exchange.fd, into: $0) }
            } catch {
                return exchange.headersSent ? close(connection) : failProxy(connection, status: 502)
            }
            guard case .value(let count) = result else { return }
            exchange.deadline = Clock.monotonicMilliseconds() + exchange.readTimeout
            guard count > 0 else { return upstreamClosed(exchange, connection) }
            if !exchange.headersSent {
                switch exchange.parser.feed(buffer[0..<count]) {
                case .needMore: continue
                case .invalid:
                    logs.error("error", "upstream \(exchange.upstreamName) sent an invalid response head", to: exchange.errorLog)
                    return failProxy(connection, status: 502)
                case .complete(let status, let headers, let bodyStart):
                    let received = exchange.parser.received
                    sendUpstreamHead(exchange, connection, status: status, headers: headers)
                    relay(exchange, connection, received[bodyStart...])
                }
            } else {
                relay(exchange, connection, buffer[0..<count])
            }
            if connection.output.count - connection.outputOffset > EventLoop.bufferLimit {
                exchange.paused = true
                try? selector.reregister(exchange.fd, interest: exchange.pendingOutput.isEmpty ? [] : .write, token: pipeToken(exchange.fd))
            }
            flush(connection)
        }
    }

    private func sendUpstreamHead(_ exchange: ProxyExchange, _ connection: Connection, status: Int, headers: [CGIResponseParser.Header]) {
        exchange.headersSent = true
        let head = exchange.head
        let connectionTokens = Set(headers.filter { $0.name.caseInsensitiveEquals("Connection") }
            .flatMap { $0.value.split(separator: ",") }.map { String($0).trimmingCharacters(in: " \t").lowercased() })
        var forwarded = headers.filter { header in
            let lower = header.name.lowercased()
            // As nginx: our own Server and Date replace the upstream's.
            return !ProxyRequest.hopByHop.contains(lower) && !connectionTokens.contains(lower)
                && lower != "content-length" && lower != "server" && lower != "date"
        }.map { header in
            guard let rewrite = exchange.redirectRewrite, header.name.caseInsensitiveEquals("Location") else { return (name: header.name, value: header.value) }
            return (name: header.name, value: rewrite.apply(header.value))
        }
        let length = headers.first { $0.name.caseInsensitiveEquals("Content-Length") }.flatMap { Int($0.value) }
        let chunkedUpstream = headers.contains { $0.name.caseInsensitiveEquals("Transfer-Encoding") && $0.value.lowercased().contains("chunked") }
        var keepAlive = head.wantsKeepAlive && !draining && exchange.bodyComplete && !(connection.context?.errorPage?.closeAfter ?? false)
        if head.method == "HEAD" || status < 200 || status == 204 || status == 304 {
            exchange.framing = .none
            if let length { forwarded.append(("Content-Length", String(length))) }
        } else if chunkedUpstream {
            exchange.framing = .chunked(ChunkedDecoder())
        } else if let length {
            exchange.framing = .length(remaining: length)
            forwarded.append(("Content-Length", String(length)))
        } else {
            exchange.framing = .untilClose
        }
        switch exchange.framing {
        case .chunked, .untilClose:
            if head.version == .http11 {
                exchange.chunkedToClient = true
                forwarded.append(("Transfer-Encoding", "chunked"))
            } else {
                keepAlive = false
            }
        case .none, .length: break
        }
        var response = Response(status: connection.context?.errorPage?.status(forPage: status) ?? status, headers: forwarded)
        response.streamed = true
        respond(connection, with: response, head: head, keepAlive: keepAlive)
        if case .none = exchange.framing { finishUpstream(exchange, connection) }
        if case .length(0) = exchange.framing { finishUpstream(exchange, connection) }
    }

    /// Passes upstream body bytes on, decoding the upstream's framing.
    private func relay(_ exchange: ProxyExchange, _ connection: Connection, _ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty, !exchange.outputDone else { return }
        switch exchange.framing {
        case .none:
            return
        case .length(let remaining):
            let piece = bytes.prefix(remaining)
            exchange.bodyBytesSent += piece.count
            appendStreamed(piece, chunked: exchange.chunkedToClient, to: connection, total: exchange.bodyBytesSent)
            exchange.framing = .length(remaining: remaining - piece.count)
            if remaining - piece.count == 0 { finishUpstream(exchange, connection) }
        case .chunked(var decoder):
            let (events, _) = decoder.decode(bytes)
            exchange.framing = .chunked(decoder)
            for event in events {
                switch event {
                case .data(let range):
                    exchange.bodyBytesSent += range.count
                    appendStreamed(bytes[range], chunked: exchange.chunkedToClient, to: connection, total: exchange.bodyBytesSent)
                case .end:
                    finishUpstream(exchange, connection)
                case .error:
                    logs.error("error", "upstream \(exchange.upstreamName) sent a malformed chunked body", to: exchange.errorLog)
                    return close(connection)
                }
            }
        case .untilClose:
            exchange.bodyBytesSent += bytes.count
            appendStreamed(bytes, chunked: exchange.chunkedToClient, to: connection, total: exchange.bodyBytesSent)
        }
    }

    private func upstreamClosed(_ exchange: ProxyExchange, _ connection: Connection) {
        guard exchange.headersSent else {
            logs.error("error", "upstream \(exchange.upstreamName) closed the connection without answering", to: exchange.errorLog)
            return failProxy(connection, status: 502)
        }
        if case .untilClose = exchange.framing {
            finishUpstream(exchange, connection)
            flush(connection)
        } else if !exchange.outputDone {
            close(connection)   // the body was cut short: so is ours
        }
    }

    private func finishUpstream(_ exchange: ProxyExchange, _ connection: Connection) {
        guard !exchange.outputDone else { return }
        if exchange.chunkedToClient { connection.output += Array("0\r\n\r\n".utf8) }
        exchange.outputDone = true
    }

    func failProxy(_ connection: Connection, status: Int) {
        guard let exchange = connection.proxy else { return }
        endProxy(connection)
        if exchange.headersSent {
            close(connection)
        } else {
            deliver(Response(status: status), head: exchange.head, on: connection, keepAlive: false)
        }
    }

    func resumeUpstreamOutput(_ connection: Connection) {
        guard let exchange = connection.proxy, exchange.paused,
              connection.output.count - connection.outputOffset < EventLoop.bufferLimit / 2 else { return }
        exchange.paused = false
        try? selector.reregister(exchange.fd, interest: exchange.pendingOutput.isEmpty ? .read : [.read, .write], token: pipeToken(exchange.fd))
        readUpstream(exchange, connection)
    }

    func endProxy(_ connection: Connection) {
        guard let exchange = connection.proxy else { return }
        connection.proxy = nil
        selector.deregister(exchange.fd)
        pipeOwners[exchange.fd] = nil
        Socket.close(exchange.fd)
    }
}
