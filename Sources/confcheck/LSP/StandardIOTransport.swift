import Glibc

/// Runs a `LanguageServer` on standard input and output until `exit` (or
/// until the client goes away). Diagnostics of the server itself go to
/// standard error, which LSP clients show in their log.
enum StandardIOTransport {
    static func run() -> Int32 {
        // A client that quits mid-write must not kill us with SIGPIPE: the write fails instead.
        signal(SIGPIPE, SIG_IGN)
        var writeFailed = false
        let server = LanguageServer(
            send: { bytes in if !writeAll(bytes) { writeFailed = true } },
            log: { line in fputs("confcheck --lsp: \(line)\n", stderr) })
        var chunk = [UInt8](repeating: 0, count: 65536)
        while server.exitStatus == nil && !writeFailed {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            // End of input without `exit`: the client is gone.
            if count <= 0 { break }
            server.receive(chunk[0..<count])
        }
        return server.exitStatus ?? 1
    }

    private static func writeAll(_ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += count
        }
        return true
    }
}
