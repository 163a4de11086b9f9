import COpenSSL
import ConfLang

/// One server's OpenSSL context (`SSL_CTX`), built from its `TLSSettings`:
/// its certificates and keys (read here, so before any privilege drop at
/// start), protocols, ciphers, session cache and tickets, ALPN. Immutable
/// once built; a reload builds new ones, and a connection's session keeps
/// the context it began with (OpenSSL counts the references).
final class TLSContext {
    let context: OpaquePointer
    /// The certificate files, for messages.
    let certificates: [String]

    init(settings: TLSSettings, ticketKeys: TLSTicketKeys?, identity: [UInt8], http2: Bool = false) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSFailure("SSL_CTX_new() failed: \(TLSFailure.reasons())") }
        self.context = context
        certificates = settings.certificates
        // From here on, a failure frees the context in deinit.
        webserv_ssl_ctx_refuse_passwords(context)
        for (index, certificate) in settings.certificates.enumerated() {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw TLSFailure("cannot load certificate \"\(certificate)\": \(TLSFailure.reasons())")
            }
            let key = index < settings.certificateKeys.count ? settings.certificateKeys[index] : ""
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw TLSFailure("cannot load certificate key \"\(key)\": \(TLSFailure.reasons())")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw TLSFailure("certificate \"\(certificate)\" does not match its key \"\(key)\": \(TLSFailure.reasons())")
            }
        }
        let protocols = Set(settings.protocols)
        _ = SSL_CTX_set_options(context, webserv_ssl_op_no_protocols(
            protocols.contains("SSLv3") ? 1 : 0, protocols.contains("TLSv1") ? 1 : 0, protocols.contains("TLSv1.1") ? 1 : 0,
            protocols.contains("TLSv1.2") ? 1 : 0, protocols.contains("TLSv1.3") ? 1 : 0)
            | webserv_ssl_op_server(settings.preferServerCiphers ? 1 : 0, settings.sessionTickets ? 1 : 0, KernelTLS.available ? 1 : 0))
        guard SSL_CTX_set_cipher_list(context, settings.ciphers) == 1 else {
            throw TLSFailure("invalid ssl_ciphers \"\(settings.ciphers)\": \(TLSFailure.reasons())")
        }
        // DHE suites of the default list (Mozilla's) use the RFC 7919 group that fits the key.
        _ = webserv_ssl_ctx_set_dh_auto(context)
        _ = webserv_ssl_ctx_set_mode(context, webserv_ssl_mode_server())
        switch settings.sessionCache {
        case .off, .none:
            _ = webserv_ssl_ctx_set_session_cache(context, 0, 0)
        case .cache(let sessions, let bytes):
            // About 256 bytes a session, as nginx counts for its shared zone.
            _ = webserv_ssl_ctx_set_session_cache(context, 1, sessions ?? Swift.max(1, (bytes ?? 0) / 256))
        }
        _ = SSL_CTX_set_timeout(context, settings.sessionTimeoutSeconds)
        // A session resumes only on the server it began with (nginx: a digest of the certificates).
        _ = identity.withUnsafeBufferPointer { SSL_CTX_set_session_id_context(context, $0.baseAddress, UInt32($0.count)) }
        if settings.sessionTickets { ticketKeys?.install(in: context) }
        if http2 { webserv_ssl_ctx_set_alpn_h2(context) } else { webserv_ssl_ctx_set_alpn_http11(context) }
        _ = webserv_ssl_ctx_set_servername_callback(context, TLSSession.serverNameCallback)
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }
}

/// A TLS failure with OpenSSL's reasons: a context that cannot be built
/// (the file and why), or a handshake or record that failed.
struct TLSFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// OpenSSL's queued errors, as ERR_error_string writes them, oldest first (the queue is emptied).
    static func reasons() -> String {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(cString: buffer))
        }
        return reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
    }
}
