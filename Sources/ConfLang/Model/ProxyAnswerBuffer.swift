/// How much of a proxied answer webserv holds in memory for a client that
/// reads slower than the upstream writes: nginx's `proxy_buffer_size` (the
/// head's buffer) and `proxy_buffers N SIZE`. Past it the upstream is no
/// longer read until the client has taken half (no temporary files: nginx's
/// `proxy_max_temp_file_size 0`). Defaults as nginx's on a 4 KiB-page machine.
public struct ProxyAnswerBuffer: Equatable {
    /// `proxy_buffers N SIZE`.
    public struct Buffers: Equatable {
        public var count = 8
        public var size = 4096
    }

    /// `proxy_buffer_size`.
    public var headBytes = 4096
    public var buffers = Buffers()

    public init() {}

    /// The bytes of an answer held at most (one read of the upstream may pass it).
    public var limit: Int { headBytes + buffers.count * buffers.size }
}
