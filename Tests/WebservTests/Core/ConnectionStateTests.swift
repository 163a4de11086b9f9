import XCTest
import Foundation
import Glibc
@testable import webserv

/// The connection's states driven in-process over a socketpair: pipelining,
/// bodies nobody reads, each state's deadline, back-pressure, and descriptor
/// numbers reused after a close.
final class ConnectionStateTests: XCTestCase {
    private static let page = Array("<p>hello</p>\n".utf8)
    private static let large = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)

    private func harness(extra: String = "") throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            client_header_timeout 5s;
            client_body_timeout 7s;
            send_timeout 3s;
            keepalive_timeout 11s;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location / { allow_methods GET HEAD; }
                location /store/ { upload_store DIR/store; allow_methods POST; }
                \(extra)
            }
        }
        """, files: ["www/index.html": Self.page, "www/large.bin": Self.large, "store/.keep": []])
    }

    /// The status lines in what the client read, in order.
    private func statuses(_ text: String) -> [String] {
        var lines: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "HTTP/1.1 ") {
            let line = rest[start.lowerBound...].prefix { $0 != "\r\n" && $0 != "\r" }
            lines.append(String(line))
            rest = rest[line.endIndex...]
        }
        return lines
    }

    func testPipelinedRequestsAreAnsweredInOrderFromOneWrite() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\nGET /missing HTTP/1.1\r\nHost: a\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n")
        let text = loop.text(client)
        XCTAssertEqual(statuses(text), ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"], text)
        XCTAssertEqual(text.components(separatedBy: "<p>hello</p>").count, 2, "the HEAD answer has no body")
    }

    func testARequestFedByteByByteIsAnsweredOnlyAtItsEnd() throws {
        let loop = try harness()
        let (client, connection) = loop.connect()
        let request = Array("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        for byte in request.dropLast() {
            loop.send(client, [byte])
            loop.settle(turns: 2)
            guard case .readingHead = connection.state else { return XCTFail("left readingHead early: \(connection.state)") }
        }
        XCTAssertTrue(loop.receive(client).isEmpty)
        loop.send(client, [request.last!])
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 200 OK"])
    }

    func testAnUnreadBodyIsSkippedBeforeTheNextRequest() throws {
        let loop = try harness()
        let (client, connection) = loop.connect()
        // 405: nobody reads this body; half of it arrives with the head, the rest later.
        loop.send(client, "POST /index.html HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345")
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 405 Not Allowed"])
        guard case .discardingBody = connection.state else { return XCTFail("state \(connection.state)") }
        loop.send(client, "67890GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n")
        let text = loop.text(client)
        XCTAssertEqual(statuses(text), ["HTTP/1.1 200 OK"], text)
        XCTAssertTrue(text.hasSuffix("<p>hello</p>\n"))
    }

    func testIdleKeepAliveEndsAtKeepaliveTimeout() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 200 OK"])
        loop.advance(milliseconds: 10_900)
        XCTAssertFalse(loop.isClosed(client), "keepalive_timeout is 11 s")
        loop.advance(milliseconds: 200)
        XCTAssertTrue(loop.isClosed(client))
    }

    func testAStalledHeadGets408AtClientHeaderTimeout() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /index.html HTTP/1.1\r\nHo")
        loop.settle()
        loop.advance(milliseconds: 4_900)
        XCTAssertTrue(loop.receive(client).isEmpty)
        loop.advance(milliseconds: 200)
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 408 Request Time-out"])
    }

    func testAStalledBodyGets408AtClientBodyTimeoutAndLeavesNothing() throws {
        let loop = try harness()
        let (client, connection) = loop.connect()
        loop.send(client, "POST /store/file.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")
        loop.settle()
        guard case .readingBody = connection.state else { return XCTFail("state \(connection.state)") }
        loop.advance(milliseconds: 6_000)   // past the header timeout: not this state's
        XCTAssertTrue(loop.receive(client).isEmpty)
        loop.send(client, "def")             // progress renews client_body_timeout
        loop.settle()
        loop.advance(milliseconds: 6_000)
        XCTAssertTrue(loop.receive(client).isEmpty)
        loop.advance(milliseconds: 1_100)
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 408 Request Time-out"])
        let stored = try FileManager.default.contentsOfDirectory(atPath: loop.directory + "/store")
        XCTAssertEqual(stored, [".keep"], "an aborted upload leaves nothing")
    }

    func testAStalledReaderIsCutAtSendTimeoutAndTheFileIsNotBuffered() throws {
        let loop = try harness()
        let (client, connection) = loop.connect()
        loop.send(client, "GET /large.bin HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = loop.receive(client, limit: 1000)
        XCTAssertTrue(String(decoding: first, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
        loop.settle()
        guard case .writing = connection.state else { return XCTFail("state \(connection.state)") }
        // Back-pressure: the socket is full, the loop waits for writable and
        // holds no copy of the file.
        XCTAssertTrue(connection.interest.contains(.write))
        XCTAssertLessThan(connection.request.output.count, 64 * 1024)
        loop.advance(milliseconds: 2_900)
        XCTAssertFalse(connection.isClosed)
        loop.advance(milliseconds: 200)
        XCTAssertTrue(connection.isClosed, "send_timeout is 3 s")
    }

    func testAReaderThatCatchesUpGetsTheWholeFile() throws {
        let loop = try harness()
        let (client, _) = loop.connect()
        loop.send(client, "GET /large.bin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let all = loop.receive(client)
        let split = try XCTUnwrap(all.firstRange(of: Array("\r\n\r\n".utf8)))
        XCTAssertEqual(all.count - split.upperBound, Self.large.count)
    }

    func testAnUpstreamAnswerPausesWhileTheClientDoesNotRead() throws {
        let body = [UInt8](repeating: UInt8(ascii: "u"), count: 8 << 20)
        let upstream = TestUpstream(response: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let loop = try harness(extra: "location /up/ { proxy_pass http://127.0.0.1:\(upstream.port); }")
        let (client, connection) = loop.connect()
        loop.send(client, "GET /up/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        var paused = false
        for _ in 0..<300 where !paused {
            loop.settle()
            paused = connection.request.upstream?.paused ?? false
            usleep(10_000)
        }
        XCTAssertTrue(paused, "the upstream is paused while the client reads nothing")
        // nginx's default proxy_buffer_size 4k and proxy_buffers 8 4k, passed by at most one read of the upstream.
        XCTAssertLessThanOrEqual(connection.request.output.count - connection.request.outputOffset, 36 * 1024 + 65536)
        let all = loop.receive(client)
        let split = try XCTUnwrap(all.firstRange(of: Array("\r\n\r\n".utf8)))
        XCTAssertEqual(all.count - split.upperBound, body.count)
    }

    /// proxy_buffers and proxy_buffer_size bound what waits for a slow client
    /// (there was one fixed bound of 1 MiB); the answer still arrives whole.
    func testProxyBuffersBoundWhatAnUpstreamAnswerHoldsForASlowClient() throws {
        let body = [UInt8](repeating: UInt8(ascii: "b"), count: 8 << 20)
        let upstream = TestUpstream(response: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let loop = try harness(extra: "location /big/ { proxy_pass http://127.0.0.1:\(upstream.port); proxy_buffer_size 64k; proxy_buffers 32 64k; }")
        let (client, connection) = loop.connect()
        loop.send(client, "GET /big/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        var held = 0
        for _ in 0..<300 where !(connection.request.upstream?.paused ?? false) {
            loop.settle()
            usleep(10_000)
        }
        held = connection.request.output.count - connection.request.outputOffset
        XCTAssertTrue(connection.request.upstream?.paused ?? false, "paused while the client reads nothing")
        XCTAssertGreaterThan(held, 33 * 65536 - 65536, "the configured 2 MiB and 64 KiB are held before the upstream pauses")
        XCTAssertLessThanOrEqual(held, 33 * 65536 + 65536)
        let all = loop.receive(client)
        let split = try XCTUnwrap(all.firstRange(of: Array("\r\n\r\n".utf8)))
        XCTAssertEqual(Array(all[split.upperBound...]), body, "the answer arrives whole")
    }

    /// proxy_read_timeout, not send_timeout (the client's), bounds the wait
    /// for a proxied answer, as nginx's.
    func testWaitingOnAnUpstreamOnlyItsDeadlineApplies() throws {
        let upstream = TestUpstream(response: nil)
        let loop = try harness(extra: "location /up/ { proxy_pass http://127.0.0.1:\(upstream.port); proxy_read_timeout 20s; }")
        let (client, connection) = loop.connect()
        loop.send(client, "GET /up/x HTTP/1.1\r\nHost: a\r\n\r\n")
        for _ in 0..<100 where !(connection.request.upstream?.connected ?? false) { loop.settle(); usleep(5_000) }
        guard case .awaitingUpstream = connection.state else { return XCTFail("state \(connection.state)") }
        XCTAssertNil(connection.deadline, "no client timeout while the upstream works")
        loop.advance(milliseconds: 19_000)   // past header, body, send and keep-alive timeouts
        XCTAssertTrue(loop.receive(client).isEmpty)
        loop.advance(milliseconds: 1_100)
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 504 Gateway Time-out"])
        XCTAssertTrue(loop.log("error.log").contains("timed out (110: Connection timed out) while reading response from upstream"))
    }

    /// proxy_connect_timeout bounds the connection's establishment: an
    /// upstream whose accept queue is full never completes it.
    func testAnUpstreamThatDoesNotAcceptIsCutAtTheConnectTimeout() throws {
        let (full, port) = ServerProcess.boundLoopbackSocket()
        defer { Glibc.close(full) }
        Glibc.listen(full, 0)
        // Fill the accept queue: later connections wait for a SYN-ACK that never comes.
        var fillers: [Int32] = []
        defer { fillers.forEach { Glibc.close($0) } }
        for _ in 0..<3 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            fillers.append(fd)
        }
        usleep(100_000)
        let loop = try harness(extra: "location /up/ { proxy_pass http://127.0.0.1:\(port); proxy_connect_timeout 2s; proxy_read_timeout 30s; }")
        let (client, connection) = loop.connect()
        loop.send(client, "GET /up/x HTTP/1.1\r\nHost: a\r\n\r\n")
        loop.settle()
        guard let exchange = connection.request.upstream, !exchange.connected else {
            throw XCTSkip("the kernel completed the connection despite the full accept queue")
        }
        loop.advance(milliseconds: 1_900)
        XCTAssertTrue(loop.receive(client).isEmpty)
        loop.advance(milliseconds: 200)
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 504 Gateway Time-out"])
        XCTAssertTrue(loop.log("error.log").contains("timed out (110: Connection timed out) while connecting to upstream"))
    }

    func testALingeringCloseEndsAfterTwoSeconds() throws {
        let loop = try harness()
        let (client, connection) = loop.connect()
        // Too large for the store location: 413, then the connection lingers.
        loop.send(client, "POST /store/x HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999\r\n\r\n")
        XCTAssertEqual(statuses(loop.text(client)), ["HTTP/1.1 413 Request Entity Too Large"])
        guard case .lingering = connection.state else { return XCTFail("state \(connection.state)") }
        loop.advance(milliseconds: 1_900)
        XCTAssertFalse(connection.isClosed)
        loop.advance(milliseconds: 200)
        XCTAssertTrue(connection.isClosed)
    }

    /// nginx's ngx_http_finalize_connection: an answer that ends the
    /// connection after a request without a body, nothing more received,
    /// closes it at once; lingering (shut our side, drain theirs) is for a
    /// client that may still be sending, as above.
    func testAnAnswerEndingABodylessRequestClosesAtOnce() throws {
        let loop = try harness()
        let (client, connection) = loop.connect()
        loop.send(client, "GET /index.html HTTP/1.0\r\n\r\n")
        let answer = loop.text(client)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200 OK"), answer)
        XCTAssertTrue(answer.hasSuffix(String(decoding: Self.page, as: UTF8.self)), "the whole answer before the close")
        XCTAssertTrue(connection.isClosed, "closed, not lingering: \(connection.state)")
        let (other, kept) = loop.connect()
        loop.send(other, "GET /index.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(statuses(loop.text(other)), ["HTTP/1.1 200 OK"])
        XCTAssertTrue(kept.isClosed, "Connection: close too: \(kept.state)")
        Glibc.close(client)
        Glibc.close(other)
    }

    func testAnEventForAClosedConnectionNeverReachesTheOneReusingItsDescriptor() throws {
        let loop = try harness()
        let (firstClient, first) = loop.connect()
        let staleToken = first.identity
        Glibc.close(firstClient)
        XCTAssertTrue({ loop.settle(); return first.isClosed }())
        let (secondClient, second) = loop.connect()
        XCTAssertEqual(second.fd, first.fd, "the descriptor number is reused")
        loop.send(secondClient, "GET /index.html HT")
        // An event queued for the first connection, delivered after the reuse:
        loop.loop.dispatch(Selector.Event(token: staleToken, readable: true, writable: true, closed: true))
        XCTAssertTrue(second.input.isEmpty, "the stale event did not read the new connection")
        XCTAssertFalse(second.isClosed)
        loop.send(secondClient, "TP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(statuses(loop.text(secondClient)), ["HTTP/1.1 200 OK"])
    }
}
