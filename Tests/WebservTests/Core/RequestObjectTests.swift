import XCTest
import Foundation
import Glibc
@testable import webserv

/// The request apart from its connection, in-process: what a request holds
/// (its context, its upstream, its output and log line) lives in the
/// connection's `HTTPRequest`, the upstream's descriptors belong to the
/// request, and between two requests in sequence the object is reset: the
/// idle connection holds nothing of the first request when the second begins.
final class RequestObjectTests: XCTestCase {
    private static let page = Array("<p>second</p>\n".utf8)

    private func harness(upstreamPort: Int) throws -> LoopHarness {
        try LoopHarness(config: """
        events { }
        http {
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT;
                root DIR/www;
                location /up/ { proxy_pass http://127.0.0.1:\(upstreamPort); }
            }
        }
        """, files: ["www/page.html": Self.page])
    }

    /// The head and body of one answer at the start of `bytes`, by its Content-Length.
    private func answer(_ bytes: [UInt8]) throws -> (head: String, body: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
        let split = try XCTUnwrap(bytes.firstRange(of: Array("\r\n\r\n".utf8)), "no complete head")
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self)
        let field = try XCTUnwrap(head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") })
        let length = try XCTUnwrap(Int(field.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
        XCTAssertGreaterThanOrEqual(bytes.count - split.upperBound, length, "the body is cut short")
        let end = min(bytes.count, split.upperBound + length)
        return (head, bytes[split.upperBound..<end], bytes[end...])
    }

    func testTwoRequestsInSequenceGoThroughTheConnectionsRequestObject() throws {
        let body = [UInt8](repeating: UInt8(ascii: "u"), count: 4 << 20)
        let upstream = TestUpstream(response: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let loop = try harness(upstreamPort: upstream.port)
        let (client, connection) = loop.connect()

        // The first request: proxied, its answer larger than the client reads at once.
        loop.send(client, "GET /up/big HTTP/1.1\r\nHost: a\r\n\r\n")
        var exchange: UpstreamExchange?
        for _ in 0..<300 where !(exchange?.paused ?? false) {
            loop.settle()
            exchange = connection.request.upstream
            usleep(10_000)
        }
        let request = connection.request
        XCTAssertTrue(request.connection === connection)
        let working = try XCTUnwrap(exchange, "the request holds its upstream")
        XCTAssertTrue(working.paused, "the upstream waits for the client")
        XCTAssertEqual(request.context?.route.location.settings.proxyPass?.port, upstream.port, "the request holds its context")
        XCTAssertNotNil(request.accessLog, "the request holds its log line until the answer ends")
        XCTAssertTrue(request.chunkedOutput == false && request.keepAliveAfterResponse)
        XCTAssertFalse(request.output.isEmpty, "the answer's bytes wait in the request")
        // The upstream's descriptor belongs to the request, not to the connection.
        let token = try XCTUnwrap(loop.loop.descriptors.token(of: working.adapter.receiveFD))
        guard case .upstream(let owner)? = loop.loop.descriptors.owner(of: token)?.owner else {
            return XCTFail("the upstream's descriptor has another owner")
        }
        XCTAssertTrue(owner === request)

        let first = try answer(loop.receive(client, limit: body.count + 4096))
        XCTAssertTrue(first.head.hasPrefix("HTTP/1.1 200 OK"), first.head)
        XCTAssertEqual(first.body.count, body.count)
        XCTAssertTrue(first.rest.isEmpty)

        // Between the two: the same object, holding nothing of the first request.
        loop.settle()
        guard case .idle(kept: true) = connection.state else { return XCTFail("state \(connection.state)") }
        XCTAssertTrue(connection.request === request, "one request object per connection, reused")
        XCTAssertNil(request.upstream)
        XCTAssertNil(request.context)
        XCTAssertNil(request.accessLog)
        XCTAssertNil(request.parser)
        XCTAssertNil(request.file)
        XCTAssertTrue(request.output.isEmpty && request.output.capacity == 0, "no buffer held while idle")

        // The second request on the same connection: a file, intact.
        loop.send(client, "GET /page.html HTTP/1.1\r\nHost: a\r\n\r\n")
        let second = try answer(loop.receive(client))
        XCTAssertTrue(second.head.hasPrefix("HTTP/1.1 200 OK"), second.head)
        XCTAssertEqual(Array(second.body), Self.page)
        XCTAssertTrue(second.rest.isEmpty)
        XCTAssertTrue(connection.request === request)
        XCTAssertNil(request.context, "reset again when the second answer was out")
        XCTAssertFalse(connection.isClosed)

        // Each request's log line was written when its answer ended, in order.
        loop.loop.logs.flush()
        let log = try String(contentsOfFile: loop.directory + "/logs/access.log", encoding: .utf8)
        let lines = log.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, log)
        XCTAssertTrue(lines.first?.contains("\"GET /up/big HTTP/1.1\" 200 \(body.count)") ?? false, log)
        XCTAssertTrue(lines.last?.contains("\"GET /page.html HTTP/1.1\" 200 \(Self.page.count)") ?? false, log)
    }
}
