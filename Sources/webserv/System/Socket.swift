import Glibc
import CSystem
import ConfLang

/// Socket operations for the event loop; every call goes through `syscall`.
enum Socket {
    /// A non-blocking listening TCP socket bound to `address` (port 0 picks a
    /// free port). `sharedPort`: SO_REUSEPORT, so that every worker process
    /// listens on the address itself and the kernel spreads connections.
    static func listen(on address: Values.ListenAddress, backlog: Int32 = 511, sharedPort: Bool = false) throws -> (fd: Int32, port: Int) {
        let isIPv6 = address.host.hasPrefix("[")
        let fd = try syscallValue("socket") { socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var one: Int32 = 1
            try syscallValue("setsockopt(SO_REUSEADDR)") { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            if sharedPort {
                try syscallValue("setsockopt(SO_REUSEPORT)") { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
            }
            if isIPv6 {
                // nginx's default `ipv6only=on`: [::]:80 beside 80 (Debian's default pair) is two sockets, not a conflict.
                try syscallValue("setsockopt(IPV6_V6ONLY)") { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
                var address6 = sockaddr_in6()
                address6.sin6_family = sa_family_t(AF_INET6)
                address6.sin6_port = in_port_t(UInt16(address.port).bigEndian)
                let host = String(address.host.dropFirst().dropLast())
                guard inet_pton(AF_INET6, host, &address6.sin6_addr) == 1 else { throw SystemError(call: "inet_pton(\(host))", errorNumber: EINVAL) }
                _ = try withUnsafePointer(to: &address6) { pointer in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                        try syscallValue("bind(\(address))") { bind(fd, raw, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                    }
                }
            } else {
                var address4 = sockaddr_in()
                address4.sin_family = sa_family_t(AF_INET)
                address4.sin_port = in_port_t(UInt16(address.port).bigEndian)
                address4.sin_addr = try ipv4Address(address.host)
                _ = try withUnsafePointer(to: &address4) { pointer in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                        try syscallValue("bind(\(address))") { bind(fd, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                }
            }
            try syscallValue("listen") { Glibc.listen(fd, backlog) }
            return (fd, try localPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    /// `*` is every address; a name is resolved once, at start-up.
    static func ipv4Address(_ host: String) throws -> in_addr {
        var result = in_addr()
        if host == "*" { result.s_addr = INADDR_ANY.bigEndian; return result }
        if inet_pton(AF_INET, host, &result) == 1 { return result }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list, let raw = first.pointee.ai_addr else {
            throw SystemError(call: "getaddrinfo(\(host))", errorNumber: EINVAL)
        }
        defer { freeaddrinfo(list) }
        return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
    }

    static func localPort(_ fd: Int32) throws -> Int { try localAddress(fd).port }

    /// The address and port a socket is bound to (a connection: the address the client reached).
    static func localAddress(_ fd: Int32) throws -> (host: String, port: Int) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try syscallValue("getsockname") { getsockname(fd, raw, &length) }
            }
        }
        return describe(storage)
    }

    /// Starts a non-blocking connection to an IPv4 address; completion is
    /// reported by the socket becoming writable (check `pendingError`).
    static func connect(to address: in_addr, port: Int) throws -> Int32 {
        let fd = try syscallValue("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        target.sin_addr = address
        let result = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 && errno != EINPROGRESS {
            let error = errno
            Glibc.close(fd)
            throw SystemError(call: "connect", errorNumber: error)
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// Connects to a unix stream socket without blocking (a FastCGI
    /// application's); such a connect completes at once or fails, EAGAIN
    /// (a full backlog) included, as nginx sees it.
    static func connect(toUnixPath path: String) throws -> Int32 {
        var target = sockaddr_un()
        target.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: target.sun_path) else { throw SystemError(call: "connect", errorNumber: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &target.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = try syscallValue("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let result = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 {
            let error = errno
            Glibc.close(fd)
            throw SystemError(call: "connect", errorNumber: error)
        }
        return fd
    }

    /// The error of a finished non-blocking connect (0: connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }

    /// Accepts one connection (non-blocking, close-on-exec), with the peer's address.
    static func accept(_ listener: Int32) throws -> IOResult<(fd: Int32, host: String, port: Int)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try syscall("accept4") { accept4(listener, raw, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)) }
            }
        }
        guard case .value(let fd) = result else { return .wouldBlock }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let peer = describe(storage)
        return .value((fd, peer.host, peer.port))
    }

    static func describe(_ storage: sockaddr_storage) -> (host: String, port: Int) {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                    return (String(cString: buffer), Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
        }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var raw = address.pointee.sin_addr
                inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
                return (String(cString: buffer), Int(UInt16(bigEndian: address.pointee.sin_port)))
            }
        }
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// `more`: a body follows at once (sendfile), so the kernel may hold
    /// these bytes back and send header and body in one segment (MSG_MORE).
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, more: Bool = false) throws -> IOResult<Int> {
        // MSG_NOSIGNAL: a closed peer is an EPIPE error here, not a SIGPIPE.
        let flags = Int32(MSG_NOSIGNAL) | (more ? Int32(MSG_MORE) : 0)
        return try syscall("send") { send(fd, bytes.baseAddress, bytes.count, flags) }
    }

    /// Two pieces in one sendmsg(2) (writev with send's flags).
    static func write(_ fd: Int32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, more: Bool = false) throws -> IOResult<Int> {
        var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count))
        let flags = Int32(MSG_NOSIGNAL) | (more ? Int32(MSG_MORE) : 0)
        return try withUnsafeMutableBytes(of: &vectors) { raw in
            var message = msghdr()
            message.msg_iov = raw.baseAddress?.assumingMemoryBound(to: iovec.self)
            message.msg_iovlen = 2
            return try syscall("sendmsg") { sendmsg(fd, &message, flags) }
        }
    }

    /// TCP_CORK on or off: while on, the kernel sends only full segments,
    /// so several writes leave (and wake the peer) as one.
    static func cork(_ fd: Int32, _ on: Bool) {
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Asks for an upper layer protocol (TCP_ULP) on a fresh, unconnected TCP
    /// socket, for what it makes the kernel do (load the module); the socket is closed.
    static func tryUpperLayerProtocol(_ name: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        var bytes = Array(name.utf8)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), 31 /* TCP_ULP */, &bytes, socklen_t(bytes.count))
        Glibc.close(fd)
    }

    /// A small text file of the kernel's (/proc), read whole; nil when it cannot be read.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return count >= 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    /// pread(2): a file's bytes from `offset`, the file's position untouched.
    static func readFile(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> IOResult<Int> {
        try syscall("pread") { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// write(2), for pipes and sockets alike (send(2) works on sockets only).
    /// SIGPIPE is ignored, so a reader that went away is an EPIPE error.
    static func writeDescriptor(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        try syscall("write") { Glibc.write(fd, bytes.baseAddress, bytes.count) }
    }

    static func sendFile(_ socket: Int32, from file: Int32, offset: inout Int, count: Int) throws -> IOResult<Int> {
        var position = off_t(offset)
        let result = try syscall("sendfile") { Glibc.sendfile(socket, file, &position, count) }
        offset = Int(position)
        return result
    }

    /// An idle connection is still open and has sent nothing (MSG_PEEK: the
    /// bytes, if any, stay): a closed one reads 0, a broken one fails.
    static func isOpenAndQuiet(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let result = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        return result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// A pipe whose ends a spawned child inherits (no O_CLOEXEC): (read, write).
    static func inheritablePipe() throws -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        try syscallValue("pipe") { Glibc.pipe(&ends) }
        return (ends[0], ends[1])
    }

    /// The first byte waiting on a socket, left there (MSG_PEEK); nil at the end of the stream.
    static func peekByte(_ fd: Int32) throws -> IOResult<UInt8?> {
        var byte: UInt8 = 0
        switch try syscall("recv") { recv(fd, &byte, 1, Int32(MSG_PEEK)) } {
        case .wouldBlock: return .wouldBlock
        case .value(let count): return .value(count == 1 ? byte : nil)
        }
    }

    static func shutdownWrite(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    static func close(_ fd: Int32) {
        // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
        _ = Glibc.close(fd)
    }
}
