import XCTest
import Foundation
import Glibc
import ConfLang
@testable import webserv

/// `listen [::]:P` and `listen [::1]:P`: one socket, the wildcard's; each
/// connection gets the servers of the local address it reached (in-process,
/// over real IPv6 sockets).
final class SharedPortLoopTests: XCTestCase {
    /// A socket bound to [::] on a free port, IPv6 only (so no IPv4 port is taken).
    private func boundIPv6Wildcard() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { close(fd); throw XCTSkip("no IPv6 on this machine") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin6_port)))
    }

    /// A non-blocking client connected (or connecting) to `host`:`port`.
    private func connect(_ host: String, _ port: Int) -> Int32 {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        _ = inet_pton(AF_INET6, host, &address.sin6_addr)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        return fd
    }

    /// A global IPv6 address of this machine other than ::1, if it has one.
    private func otherLocalIPv6Address() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var item = list
        while let entry = item {
            defer { item = entry.pointee.ifa_next }
            guard let raw = entry.pointee.ifa_addr, Int32(raw.pointee.sa_family) == AF_INET6 else { continue }
            var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            let text = String(cString: buffer)
            if text != "::1" && !text.lowercased().hasPrefix("fe80") { return text }
        }
        return nil
    }

    /// Two requests on one keep-alive connection: both answers' bodies.
    private func answers(_ loop: LoopHarness, host: String, port: Int) -> String {
        let client = connect(host, port)
        defer { close(client) }
        loop.settle()
        loop.send(client, "GET / HTTP/1.1\r\nHost: api\r\n\r\nGET / HTTP/1.1\r\nHost: other\r\n\r\n")
        var text = ""
        for _ in 0..<50 where text.components(separatedBy: "HTTP/1.1 200").count < 3 { text += loop.text(client) }
        return text.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.components(separatedBy: "HTTP/1.1").first ?? "" }.joined(separator: ",")
    }

    /// `config` as a reload would read it.
    private func model(_ config: String, _ loop: LoopHarness) throws -> WebservConfig {
        let path = loop.directory + "/reloaded.conf"
        try Data(config.replacingOccurrences(of: "DIR", with: loop.directory).utf8).write(to: URL(fileURLWithPath: path))
        guard case .success(let (model, _)) = ModelBuilder.build(path: path) else { throw XCTSkip("invalid configuration") }
        return model
    }

    func testEachIPv6AddressChoosesAmongItsOwnServers() throws {
        let (fd, port) = try boundIPv6Wildcard()
        let config = """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server { listen [::]:\(port); server_name api; return 200 "wildcard"; }
            server { listen [::1]:\(port); server_name other; return 200 "loopback-other"; }
            server { listen [::1]:\(port) default_server; return 200 "loopback-default"; }
        }
        """
        let loop = try LoopHarness(config: config, inherited: [fd])
        XCTAssertEqual(loop.loop.acceptor.listeners.values.map(\.address.description), ["[::]:\(port)"], "one socket, the wildcard's")
        XCTAssertEqual(loop.loop.acceptor.listeners.values.flatMap(\.specific).map(\.host), ["::1"], "told apart by getsockname's text")
        XCTAssertEqual(answers(loop, host: "::1", port: port), "loopback-default,loopback-other")

        // A reload without [::1]: its connections go to the wildcard's servers, and
        // the socket asks no local address of a new connection any more.
        let withoutLoopback = config.components(separatedBy: "\n").filter { !$0.contains("[::1]") }.joined(separator: "\n")
        XCTAssertNil(loop.loop.apply(try model(withoutLoopback, loop)))
        XCTAssertEqual(loop.loop.acceptor.listeners.values.flatMap(\.specific).count, 0)
        XCTAssertEqual(answers(loop, host: "::1", port: port), "wildcard,wildcard")
        XCTAssertNil(loop.loop.apply(try model(config, loop)))
        XCTAssertEqual(answers(loop, host: "::1", port: port), "loopback-default,loopback-other")
        guard let other = otherLocalIPv6Address() else { throw XCTSkip("no other local IPv6 address to reach the wildcard's servers through") }
        XCTAssertEqual(answers(loop, host: other, port: port), "wildcard,wildcard")
    }
}
