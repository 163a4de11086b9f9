import COpenSSL
import ConfLang
import Glibc

/// One connection's TLS: its `SSL`, and where it is. The handshake is done
/// inside the first reads (non-blocking, resumed on readiness), so the
/// connection waits in its usual first state, with client_header_timeout
/// as its deadline, as nginx's handshake does. A connection whose first
/// byte is not a handshake is read as plain HTTP, to be answered nginx's
/// 400 (`sentPlainHTTP`). `Transport` holds it; plain TCP holds none.
final class TLSSession {
    enum Phase {
        /// Nothing read yet: the first byte says what follows.
        case first
        case handshaking
        case established
        /// Plain HTTP on a TLS port.
        case plain
        /// close_notify was sent.
        case shut
    }

    let ssl: OpaquePointer
    let fd: Int32
    /// The address's contexts under the configuration the connection came in with (nil: webserv is the client, to an upstream).
    let address: TLSAddress?
    private(set) var phase = Phase.first
    /// As a client: the upstream's certificate must verify (proxy_ssl_verify).
    private(set) var verifiesPeer = false
    /// As a client: takes each session the upstream gives (a ticket), to offer on the next connection.
    var keepSession: ((OpaquePointer) -> Void)?
    /// Kernel TLS took the send side at the end of the handshake: files go
    /// out by `SSL_sendfile`, from the page cache, encrypted by the kernel.
    private(set) var kernelSends = false

    init(fd: Int32, address: TLSAddress) throws {
        guard let ssl = SSL_new(address.defaultContext.context) else { throw TLSFailure("SSL_new() failed: \(TLSFailure.reasons())") }
        self.ssl = ssl
        self.fd = fd
        self.address = address
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
        // The handshake reads what the socket holds at once (each of its
        // records cost two reads, header and body, without): off again once
        // it is done, so that no request bytes then wait inside OpenSSL where
        // epoll, watching the socket, would not report them.
        SSL_set_read_ahead(ssl, 1)
        // For the server name callback, which has only the SSL. Unretained:
        // the session owns the SSL and frees it first.
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The client side of a connection to an upstream (`proxy_pass https://`),
    /// handshaking once connected (`handshake`): `name` is sent as SNI when
    /// `sendName`, and checked against the certificate when `verify`;
    /// `session`: one of an earlier connection to offer (proxy_ssl_session_reuse).
    init(fd: Int32, clientContext: OpaquePointer, name: String, sendName: Bool, verify: Bool, session: OpaquePointer?) throws {
        guard let ssl = SSL_new(clientContext) else { throw TLSFailure("SSL_new() failed: \(TLSFailure.reasons())") }
        self.ssl = ssl
        self.fd = fd
        address = nil
        phase = .handshaking
        verifiesPeer = verify
        SSL_set_fd(ssl, fd)
        SSL_set_connect_state(ssl)
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
        if sendName { _ = webserv_ssl_set_tlsext_host_name(ssl, name) }
        if verify, let parameters = SSL_get0_param(ssl) {
            // The name must be the certificate's (nginx's ngx_ssl_check_host): an IP address as one.
            if ProxySSLSettings.isIPAddress(name) {
                _ = X509_VERIFY_PARAM_set1_ip_asc(parameters, String(name.filter { $0 != "[" && $0 != "]" }))
            } else {
                _ = X509_VERIFY_PARAM_set1_host(parameters, name, 0)
            }
        }
        if let session { _ = SSL_set_session(ssl, session) }
        ERR_clear_error()
    }

    deinit { SSL_free(ssl) }

    /// Where a client's handshake stands.
    enum HandshakeStep {
        case done, wantsRead, wantsWrite
    }

    /// Drives a client's handshake (non-blocking; called again on readiness);
    /// throws with OpenSSL's reason when it fails.
    func handshake() throws -> HandshakeStep {
        guard phase == .handshaking else { return .done }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            phase = .established
            return .done
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantsRead
        case SSL_ERROR_WANT_WRITE: return .wantsWrite
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0:
            let error = errno
            throw TLSFailure("SSL_do_handshake() failed (\(error == 0 ? "the peer closed the connection" : String(cString: strerror(error))))")
        default:
            throw TLSFailure("SSL_do_handshake() failed (SSL: \(TLSFailure.reasons()))")
        }
    }

    /// After a client's handshake with verification on: why the upstream's
    /// certificate failed, as nginx logs it ("(N:reason)"); nil when it verified or verification is off.
    var verificationFailure: String? {
        guard verifiesPeer else { return nil }
        let result = SSL_get_verify_result(ssl)
        guard result != Int(X509_V_OK) else { return nil }
        return "(\(result):\(String(cString: X509_verify_cert_error_string(result))))"
    }

    /// Whether the handshake resumed an earlier session.
    var resumed: Bool { SSL_session_reused(ssl) == 1 }

    /// OpenSSL's new-session callback of upstream contexts: the session goes
    /// to whoever keeps it (1: taken, OpenSSL no longer owns it).
    static let newSessionCallback: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32 = { ssl, session in
        guard let ssl, let session, let raw = SSL_get_ex_data(ssl, 0) else { return 0 }
        let owner = Unmanaged<TLSSession>.fromOpaque(raw).takeUnretainedValue()
        guard let keep = owner.keepSession else { return 0 }
        keep(session)
        return 1
    }

    /// The most plaintext one TLS record carries (2^14 bytes).
    static let maxRecordPlaintext = 16_384

    /// A plain HTTP request came to this TLS port.
    var sentPlainHTTP: Bool { phase == .plain }

    /// The handshake is done (the connection's bytes are its requests).
    var isEstablished: Bool { phase == .established }

    /// ALPN chose `h2`: the client speaks HTTP/2 (its first bytes are the preface).
    var negotiatedHTTP2: Bool {
        var selected: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &selected, &length)
        guard length == 2, let selected else { return false }
        return selected[0] == UInt8(ascii: "h") && selected[1] == UInt8(ascii: "2")
    }

    /// Reads decrypted bytes: as many whole records as fit, so that a short
    /// read leaves nothing inside OpenSSL (more waits on the socket, which
    /// epoll reports) and a full one means there may be more, as for plain TCP.
    /// 0: the client closed (close_notify or the end of the stream).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        switch phase {
        case .established: break
        case .plain: return try Socket.read(fd, into: buffer)
        case .shut: return .value(0)
        case .first:
            guard case .value(let byte) = try Socket.peekByte(fd) else { return .wouldBlock }
            guard let byte else { return .value(0) }
            if TLSServerName.classify(firstByte: byte) == .plain {
                phase = .plain
                return try Socket.read(fd, into: buffer)
            }
            phase = .handshaking
            fallthrough
        case .handshaking:
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            guard result == 1 else { return try outcome(of: result, while: "SSL_do_handshake()") }
            phase = .established
            kernelSends = webserv_ssl_kernel_sends(ssl) != 0
            SSL_set_read_ahead(ssl, 0)   // what it read ahead is taken by the reads below
        }
        var total = 0
        while total < buffer.count {
            // A record is begun only where its plaintext fits whole: OpenSSL then
            // holds nothing back that epoll, watching the socket, would not report.
            if total > 0 && buffer.count - total < TLSSession.maxRecordPlaintext && SSL_has_pending(ssl) == 0 { break }
            ERR_clear_error()
            var count = 0
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[total...])
            guard SSL_read_ex(ssl, rest.baseAddress, rest.count, &count) == 1 else {
                if total > 0 { return .value(total) }
                return try outcome(of: 0, while: "SSL_read()")
            }
            total += count
        }
        return .value(total)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        switch phase {
        case .established: break
        case .plain: return try Socket.write(fd, bytes)
        case .first, .handshaking, .shut: return .wouldBlock   // nothing is written before a request
        }
        guard !bytes.isEmpty else { return .value(0) }
        guard bytes.count > TLSSession.maxRecordPlaintext else { return try writeRecord(bytes) }
        // Several records (partial writes: one per SSL_write), corked: they
        // leave as full segments, which wake the client once for several
        // records; each record its own segment cost ~15% more CPU per byte.
        Socket.cork(fd, true)
        defer { Socket.cork(fd, false) }
        var total = 0
        while total < bytes.count {
            guard case .value(let written) = try writeRecord(UnsafeRawBufferPointer(rebasing: bytes[total...])) else { break }
            total += written
        }
        return total > 0 ? .value(total) : .wouldBlock
    }

    /// One SSL_write: a record's worth at most (partial writes are on).
    private func writeRecord(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        ERR_clear_error()
        var written = 0
        guard SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &written) == 1 else {
            return try outcome(of: 0, while: "SSL_write()", reading: false)
        }
        return .value(written)
    }

    /// Sends up to `count` bytes of `file` from `offset`, which it advances,
    /// through kernel TLS (only when `kernelSends`); 0 sent: the file ended.
    func sendFile(_ file: Int32, offset: inout Int, count: Int) throws -> IOResult<Int> {
        ERR_clear_error()
        let sent = SSL_sendfile(ssl, file, off_t(offset), count, 0)
        guard sent >= 0 else { return try outcome(of: -1, while: "SSL_sendfile()", reading: false) }
        offset += sent
        return .value(sent)
    }

    /// Sends close_notify (once, without waiting for the client's), as nginx does before closing.
    func shutdown() {
        guard phase == .established else { return }
        phase = .shut
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// A call that did not succeed: wait for readiness, the end of the
    /// stream, or a failure with OpenSSL's reasons.
    /// While writing, the end of the stream is a failure too.
    private func outcome(of result: Int32, while call: String, reading: Bool = true) throws -> IOResult<Int> {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN where reading:
            return .value(0)
        case SSL_ERROR_SYSCALL where ERR_peek_error() == 0:
            let error = errno
            if reading && (error == 0 || error == ECONNRESET) { return .value(0) }
            throw TLSFailure("\(call) failed (\(String(cString: strerror(error))))")
        default:
            throw TLSFailure("\(call) failed (SSL: \(TLSFailure.reasons()))")
        }
    }

    /// OpenSSL's servername callback: the server named by the client chooses
    /// the certificate, before the handshake goes on (nginx's ngx_http_ssl_servername).
    static let serverNameCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = { ssl, _, _ in
        guard let ssl, let raw = SSL_get_ex_data(ssl, 0) else { return SSL_TLSEXT_ERR_OK }
        let session = Unmanaged<TLSSession>.fromOpaque(raw).takeUnretainedValue()
        guard let address = session.address else { return SSL_TLSEXT_ERR_OK }
        let chosen = address.context(forName: SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
        if chosen !== address.defaultContext {
            _ = SSL_set_SSL_CTX(ssl, chosen.context)
            // The named server's options too (its cipher order, tickets), as nginx
            // copies them: SSL_set_SSL_CTX changes the certificate only.
            let options = SSL_CTX_get_options(chosen.context)
            _ = SSL_clear_options(ssl, SSL_get_options(ssl) & ~options)
            _ = SSL_set_options(ssl, options)
        }
        return SSL_TLSEXT_ERR_OK
    }
}
