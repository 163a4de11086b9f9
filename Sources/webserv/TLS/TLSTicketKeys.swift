import COpenSSL
import Glibc

/// The key of session tickets (name, HMAC and AES keys: 80 bytes, OpenSSL's
/// SSL_CTX_set_tlsext_ticket_keys layout), one for every context and every
/// worker, so a ticket one worker issued resumes on another (SO_REUSEPORT
/// sends the client's next connection wherever). The master makes it and
/// hands it to each worker it starts through a pipe (`WorkerTicketKeys`); a
/// server of one process makes its own. Kept across reloads, so tickets
/// outlive them, as nginx's do (its keys live as long as the master's cycle).
final class TLSTicketKeys {
    static let length = 80
    private var bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Fresh random keys (RAND_bytes); nil when OpenSSL's generator fails.
    static func random() -> TLSTicketKeys? {
        var bytes = [UInt8](repeating: 0, count: length)
        guard RAND_bytes(&bytes, Int32(length)) == 1 else { return nil }
        return TLSTicketKeys(bytes: bytes)
    }

    /// This process's keys: a worker's from its master, else made here once.
    static let current: TLSTicketKeys? = WorkerTicketKeys.received() ?? random()

    func install(in context: OpaquePointer) {
        _ = bytes.withUnsafeMutableBufferPointer { webserv_ssl_ctx_set_ticket_keys(context, $0.baseAddress, $0.count) }
    }

    var keyBytes: [UInt8] { bytes }
}
