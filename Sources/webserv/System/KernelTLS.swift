import Glibc

/// Whether the kernel offers TLS (the `tls` ULP), asked once per process.
/// OpenSSL's kernel TLS option (`SSL_OP_ENABLE_KTLS`) otherwise tries it on
/// every handshake: two failing setsockopt calls where the kernel has none
/// (this project's machines: /proc/sys/net/ipv4/tcp_available_ulp lists only
/// mptcp), so the option is set only where the kernel has it.
enum KernelTLS {
    static let available: Bool = probe()

    /// Whether a tcp_available_ulp list names `tls`.
    static func offers(_ list: String) -> Bool {
        list.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("tls")
    }

    private static let listPath = "/proc/sys/net/ipv4/tcp_available_ulp"

    private static func probe() -> Bool {
        if offers(Socket.readSmallFile(listPath) ?? "") { return true }
        // A module not loaded yet: one attempt lets the kernel load it where
        // it can (as OpenSSL's first handshake would), then the list says.
        Socket.tryUpperLayerProtocol("tls")
        return offers(Socket.readSmallFile(listPath) ?? "")
    }
}
