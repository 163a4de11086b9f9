import Foundation
import Glibc

/// A TCP upstream for in-process loop tests: accepts one connection, reads
/// the request head, then writes `response` (blocking, so it waits whenever
/// the proxy stops reading) or, with nil, never answers.
final class TestUpstream {
    let port: Int
    private let listener: Int32

    init(response: [UInt8]?) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
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
