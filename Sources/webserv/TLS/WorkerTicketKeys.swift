import Glibc

/// The master's session ticket keys, handed to each worker it starts: the
/// bytes go into a pipe whose read end the worker inherits and reads once at
/// start, its number in `variable`. Not in the environment, which a CGI
/// script running as the workers' user could read in /proc.
enum WorkerTicketKeys {
    static let variable = "WEBSERV_TLS_TICKET_KEYS_FD"

    /// In the master: a pipe holding `keys`, to leave open for one worker;
    /// close the returned descriptor once the worker is started.
    static func pipe(holding keys: TLSTicketKeys) -> Int32? {
        guard let (read, write) = try? Socket.inheritablePipe() else { return nil }
        defer { Socket.close(write) }
        // 80 bytes into an empty pipe: written whole, at once.
        let written = keys.keyBytes.withUnsafeBytes { try? Socket.writeDescriptor(write, $0) }
        guard case .value(TLSTicketKeys.length)? = written else { Socket.close(read); return nil }
        return read
    }

    /// In a worker: the keys its master passed, read once (the pipe is closed).
    static func received() -> TLSTicketKeys? {
        guard let text = getenv(variable), let fd = Int32(String(cString: text)), fd >= 0 else { return nil }
        defer { Socket.close(fd) }
        var bytes = [UInt8](repeating: 0, count: TLSTicketKeys.length)
        var count = 0
        while count < bytes.count {
            let result = bytes.withUnsafeMutableBytes { try? Socket.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
            guard case .value(let read)? = result, read > 0 else { return nil }
            count += read
        }
        return TLSTicketKeys(bytes: bytes)
    }
}
