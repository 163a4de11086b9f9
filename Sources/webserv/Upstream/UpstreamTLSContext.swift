import COpenSSL
import ConfLang

/// The client context (`SSL_CTX`) of `proxy_pass https://` upstreams with
/// one set of `proxy_ssl_*` settings (their `contextKey`): protocols,
/// ciphers, the trusted certificates and depth of proxy_ssl_verify, a client
/// certificate; built when a configuration is applied (a failure keeps the
/// old one), as the servers' contexts are. It keeps the last session of each
/// upstream server and name, offered by the next connection there
/// (proxy_ssl_session_reuse, nginx's u->peer.set_session).
final class UpstreamTLSContext {
    let context: OpaquePointer
    let settings: ProxySSLSettings
    /// The last session per server address and SSL name, owned here.
    private var sessions: [String: OpaquePointer] = [:]

    init(settings: ProxySSLSettings) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSFailure("SSL_CTX_new() failed: \(TLSFailure.reasons())") }
        self.context = context
        self.settings = settings
        // From here on, a failure frees the context in deinit.
        webserv_ssl_ctx_refuse_passwords(context)
        let protocols = Set(settings.protocols)
        _ = SSL_CTX_set_options(context, webserv_ssl_op_no_protocols(
            protocols.contains("SSLv3") ? 1 : 0, protocols.contains("TLSv1") ? 1 : 0, protocols.contains("TLSv1.1") ? 1 : 0,
            protocols.contains("TLSv1.2") ? 1 : 0, protocols.contains("TLSv1.3") ? 1 : 0)
            | webserv_ssl_op_server(0, settings.sessionReuse ? 1 : 0, KernelTLS.available ? 1 : 0))
        guard SSL_CTX_set_cipher_list(context, settings.ciphers) == 1 else {
            throw TLSFailure("invalid proxy_ssl_ciphers \"\(settings.ciphers)\": \(TLSFailure.reasons())")
        }
        _ = webserv_ssl_ctx_set_mode(context, webserv_ssl_mode_server())
        if let certificate = settings.certificate {
            let key = settings.certificateKey ?? certificate
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw TLSFailure("cannot load certificate \"\(certificate)\": \(TLSFailure.reasons())")
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw TLSFailure("cannot load certificate key \"\(key)\": \(TLSFailure.reasons())")
            }
        }
        if settings.verify, let trusted = settings.trustedCertificate {
            guard SSL_CTX_load_verify_locations(context, trusted, nil) == 1 else {
                throw TLSFailure("cannot load proxy_ssl_trusted_certificate \"\(trusted)\": \(TLSFailure.reasons())")
            }
        }
        // As nginx: the handshake completes whatever the chain, and the
        // result is checked after it (TLSSession.verificationFailure), so the
        // log can say why; depth as proxy_ssl_verify_depth.
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        SSL_CTX_set_verify_depth(context, Int32(clamping: settings.verifyDepth))
        if settings.sessionReuse {
            webserv_ssl_ctx_set_client_sessions(context, TLSSession.newSessionCallback)
        } else {
            webserv_ssl_ctx_set_no_client_sessions(context)
        }
        ERR_clear_error()
    }

    deinit {
        for session in sessions.values { SSL_SESSION_free(session) }
        SSL_CTX_free(context)
    }

    /// A TLS session over the connecting socket `fd` to `server` (HOST:PORT),
    /// for `name` (SNI with proxy_ssl_server_name, the host check with
    /// proxy_ssl_verify), offering the last session kept for them.
    func session(fd: Int32, server: String, name: String) throws -> TLSSession {
        let key = server + " " + name
        let session = try TLSSession(fd: fd, clientContext: context, name: name,
                                     sendName: settings.serverName && ProxySSLSettings.sendsAsServerName(name),
                                     verify: settings.verify, session: settings.sessionReuse ? sessions[key] : nil)
        if settings.sessionReuse {
            session.keepSession = { [weak self] new in
                if let self { self.keep(new, for: key) } else { SSL_SESSION_free(new) }
            }
        }
        return session
    }

    private func keep(_ session: OpaquePointer, for key: String) {
        if let old = sessions.updateValue(session, forKey: key) { SSL_SESSION_free(old) }
    }

    /// The contexts built and dropped, for `-t` and the master's checks: why one fails, or nil.
    static func check(_ config: WebservConfig) -> String? {
        if case .failure(let failure) = build(Router(config: config)) { return failure.description }
        return nil
    }

    /// One context per distinct `proxy_ssl_*` settings of the locations that
    /// proxy to https upstreams, by `contextKey`.
    static func build(_ router: Router) -> Result<[String: UpstreamTLSContext], TLSFailure> {
        var built: [String: UpstreamTLSContext] = [:]
        for location in router.servers.flatMap(\.everyLocation).map(\.settings) {
            guard location.proxyPass?.secure == true, built[location.proxySSL.contextKey] == nil else { continue }
            do {
                built[location.proxySSL.contextKey] = try UpstreamTLSContext(settings: location.proxySSL)
            } catch let failure as TLSFailure {
                return .failure(failure)
            } catch {
                return .failure(TLSFailure("\(error)"))
            }
        }
        return .success(built)
    }
}
