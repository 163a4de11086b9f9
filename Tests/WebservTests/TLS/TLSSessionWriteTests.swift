import ConfLang
import Glibc
import XCTest
@testable import webserv

/// `TLSSession.write` with more than one record's worth: one call takes as
/// many records as the socket does (corked while it writes them, so they
/// leave as full segments), and leaves the socket uncorked.
final class TLSSessionWriteTests: XCTestCase {
    private var certificates: TestCertificates!
    private var descriptors: [Int32] = []

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        try certificates.leaf("site", names: ["site.test"])
    }

    override func tearDown() {
        descriptors.forEach { _ = Glibc.close($0) }
        certificates.remove()
    }

    func testOneWriteTakesSeveralRecordsAndLeavesTheSocketUncorked() throws {
        let (server, client, serverFD) = try establishedPair()
        let bytes = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let result = try bytes.withUnsafeBytes { try server.write($0) }
        guard case .value(let written) = result else { return XCTFail("the socket took nothing") }
        XCTAssertEqual(written, bytes.count, "four records in one call (it took one, 16,384 bytes, before)")
        var corked: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        XCTAssertEqual(getsockopt(serverFD, Int32(IPPROTO_TCP), TCP_CORK, &corked, &length), 0)
        XCTAssertEqual(corked, 0, "uncorked after the write: the last segment is not held back")
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for _ in 0..<10_000 where received.count < bytes.count {
            let step = try buffer.withUnsafeMutableBytes { try client.read(into: $0) }
            if case .value(let count) = step { received += buffer[..<count] } else { usleep(1_000) }
        }
        XCTAssertEqual(received.count, bytes.count)
        XCTAssertTrue(received == bytes, "the client decrypts exactly what was written")
    }

    /// A server session and a client session on two ends of a loopback TCP
    /// connection, their handshake done; and the server's descriptor.
    private func establishedPair() throws -> (TLSSession, TLSSession, Int32) {
        let text = """
        http {
            server {
                listen 127.0.0.1:8443 ssl;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
            }
        }
        """
        let lint = Linter.lint(path: certificates.path("test.conf"), bytes: Array(text.utf8))
        XCTAssertFalse(lint.diagnostics.hasErrors)
        let router = Router(config: ModelBuilder.build(lint.config, baseDirectory: certificates.directory))
        let address = try XCTUnwrap(try TLSAddress.build(router, ticketKeys: nil).get().values.first)
        let (serverFD, clientFD) = try tcpPair()
        var large: Int32 = 1 << 20   // the whole write fits, whatever the system's defaults
        _ = setsockopt(serverFD, SOL_SOCKET, SO_SNDBUF, &large, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(clientFD, SOL_SOCKET, SO_RCVBUF, &large, socklen_t(MemoryLayout<Int32>.size))
        let server = try TLSSession(fd: serverFD, address: address)
        let clientContext = try UpstreamTLSContext(settings: ProxySSLSettings())
        let client = try TLSSession(fd: clientFD, clientContext: clientContext.context, name: "site.test",
                                    sendName: true, verify: false, session: nil)
        keep.append(clientContext)
        var scratch = [UInt8](repeating: 0, count: 1024)
        for _ in 0..<10_000 {
            let clientStep = try client.handshake()
            _ = try scratch.withUnsafeMutableBytes { try server.read(into: $0) }
            if clientStep == .done && server.phase == .established { return (server, client, serverFD) }
            usleep(1_000)
        }
        throw XCTSkip("the handshake did not end")
    }

    private var keep: [AnyObject] = []

    /// Two non-blocking ends of a loopback TCP connection.
    private func tcpPair() throws -> (Int32, Int32) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        descriptors.append(listener)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(listener, raw, size) == 0, listen(listener, 1) == 0, getsockname(listener, raw, &size) == 0 else {
                    throw XCTSkip("no loopback listener")
                }
            }
        }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        descriptors.append(client)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, size) }
        }
        XCTAssertEqual(connected, 0)
        let server = accept(listener, nil, nil)
        XCTAssertGreaterThanOrEqual(server, 0)
        descriptors.append(server)
        for fd in [server, client] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (server, client)
    }
}
