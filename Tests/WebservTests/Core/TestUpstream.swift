import Foundation
import Glibc

/// A TCP upstream for in-process loop tests: accepts one connection, reads
/// the request head, then writes `response` (blocking, so it waits whenever
/// the proxy stops reading) or, with nil, never answers.
final class TestUpstream {
    let port: Int
    private let listener: Int32

    init(response: [UInt8]?) {
        let (listener, port) = ServerProcess.boundLoopbackSocket()
        self.listener = listener
        self.port = port
        Glibc.listen(listener, 8)
        Thread.detachNewThread {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            var head: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while head.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { close(fd); return }
                head += buffer[0..<count]
            }
            guard let response else { return }   // holds the connection, silent
            var offset = 0
            while offset < response.count {
                let count = response[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                offset += count
            }
            close(fd)
        }
    }

    deinit { close(listener) }
}
