import XCTest
import Foundation
@testable import webserv

/// WebSocket (any `Upgrade`) through proxy_pass as nginx does it: the
/// client's Upgrade reaches the upstream only where the location sets it
/// (every guide's proxy_http_version and proxy_set_header lines, the `map`
/// form too); a 101 to such a request turns the connection into a two-way
/// relay (UpstreamTunnel) until either side closes or proxy_read_timeout
/// passes with nothing relayed. The upstream is a hand-written RFC 6455 echo.
final class WebSocketProxyTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: WebSocketUpstream!

    override func setUpWithError() throws {
        upstream = try WebSocketUpstream()
        server = try ServerProcess(config: """
        events { }
        http {
            error_log DIR/logs/error.log info;
            access_log DIR/logs/access.log;
            map $http_upgrade $connection_upgrade {
                default upgrade;
                ''      close;
            }
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /ws/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                }
                location /mapped/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $connection_upgrade;
                    proxy_set_header Host $host;
                }
                location /idle/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                    proxy_read_timeout 1s;
                }
                location /plain/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
                location /old/ { proxy_pass http://127.0.0.1:\(upstream.port)/; proxy_http_version 1.0; }
                location /sse/ { proxy_pass http://127.0.0.1:\(upstream.port)/; proxy_buffering off; }
            }
        }
        """, files: ["www/index.html": "index page"])
    }

    override func tearDown() {
        server?.stop()
        upstream?.stop()
    }

    private static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    private static func handshake(_ path: String, host: String = "localhost") -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    /// A client whose handshake for `path` was answered 101 (`extra`: sent in the same write).
    private func tunnel(_ path: String, extra: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line) throws -> (RawClient, HTTPTestResponse) {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 15)
        client.send(Array(WebSocketProxyTests.handshake(path).utf8) + extra)
        let answer = try XCTUnwrap(client.readResponse(), "the 101", file: file, line: line)
        XCTAssertEqual(answer.status, 101, answer.head, file: file, line: line)
        return (client, answer)
    }

    private func assertEcho(_ client: RawClient, _ payload: [UInt8], opcode: UInt8 = 0x1, file: StaticString = #filePath, line: UInt = #line) {
        client.send(WebSocketFrame.masked(payload, opcode: opcode))
        let echo = WebSocketFrame.read(from: client)
        XCTAssertEqual(echo?.opcode, opcode, file: file, line: line)
        XCTAssertEqual(echo?.payload, payload, "the echo, intact", file: file, line: line)
    }

    func testTheHandshakeAndFramesGoThroughTheTunnel() throws {
        let (client, answer) = try tunnel("/ws/echo")
        XCTAssertEqual(answer.header("Upgrade"), "websocket", "the upstream's Upgrade")
        XCTAssertEqual(answer.header("Connection"), "upgrade", "nginx's Connection of a 101")
        XCTAssertEqual(answer.header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "RFC 6455's example key, accepted upstream")
        XCTAssertEqual(answer.header("X-Seen-Connection"), "upgrade", "proxy_set_header Connection reached the upstream")
        XCTAssertNil(answer.header("Content-Length"))
        XCTAssertNil(answer.header("Transfer-Encoding"))
        assertEcho(client, Array("one".utf8))
        assertEcho(client, (0..<300).map { UInt8($0 & 0xFF) }, opcode: 0x2)
        assertEcho(client, Array(repeating: UInt8(ascii: "x"), count: 200_000), opcode: 0x2)   // larger than both relay buffers
        assertEcho(client, Array("last".utf8))
        client.send(WebSocketFrame.masked([0x03, 0xE8], opcode: 0x8))
        XCTAssertEqual(WebSocketFrame.read(from: client)?.opcode, 0x8, "the upstream's close frame")
        XCTAssertTrue(client.isClosedByPeer(), "the upstream closed: so does the client's connection")
        // One access-log line, status 101, written when the tunnel ends.
        XCTAssertTrue(waitForLog { $0.contains("\"GET /ws/echo HTTP/1.1\" 101 ") }, accessLog)
    }

    func testAFrameSentWithTheRequestHeadGoesUpAfterIt() throws {
        let (client, _) = try tunnel("/ws/echo", extra: WebSocketFrame.masked("early"))
        let echo = WebSocketFrame.read(from: client)
        XCTAssertEqual(echo.map { String(decoding: $0.payload, as: UTF8.self) }, "early")
        assertEcho(client, Array("then".utf8))
    }

    func testTheMapFormOfEveryGuideWorks() throws {
        let (client, answer) = try tunnel("/mapped/echo")
        XCTAssertEqual(answer.header("X-Seen-Connection"), "upgrade", "$connection_upgrade for a request with Upgrade")
        assertEcho(client, Array("mapped".utf8))
        // Without Upgrade the same location sends Connection: close, and answers as usual.
        let plain = try server.get("/mapped/x")
        XCTAssertEqual(plain.status, 200)
        XCTAssertTrue(plain.bodyText.lowercased().contains("connection: close"), plain.bodyText)
    }

    func testWhatTheUpstreamSentAfterIts101ComesFirst() throws {
        let (client, _) = try tunnel("/ws/hello")
        let hello = WebSocketFrame.read(from: client)
        XCTAssertEqual(hello.map { String(decoding: $0.payload, as: UTF8.self) }, "hello")
        assertEcho(client, Array("after hello".utf8))
    }

    func testTheUpstreamClosingClosesTheClient() throws {
        let (client, _) = try tunnel("/ws/hello-close")
        XCTAssertEqual(WebSocketFrame.read(from: client).map { String(decoding: $0.payload, as: UTF8.self) }, "bye")
        XCTAssertTrue(client.isClosedByPeer())
        XCTAssertTrue(waitForLog { $0.contains("\"GET /ws/hello-close HTTP/1.1\" 101 ") }, accessLog)
    }

    func testTheClientClosingClosesTheUpstream() throws {
        let (client, _) = try tunnel("/ws/echo")
        assertEcho(client, Array("bye".utf8))
        client.close()
        XCTAssertTrue(upstream.waitFor("closed /echo"), "the upstream saw the end: \(upstream.events)")
    }

    func testNothingRelayedForProxyReadTimeoutClosesBoth() throws {
        let (client, _) = try tunnel("/idle/echo")
        assertEcho(client, Array("ping".utf8))
        XCTAssertTrue(client.isClosedByPeer(), "closed after proxy_read_timeout (1s) idle, within the client's 15 s")
        XCTAssertTrue(upstream.waitFor("closed /echo"), "\(upstream.events)")
        XCTAssertTrue(waitForLog(error: true) { $0.contains("timed out (110: Connection timed out) while proxying upgraded connection") },
                      errorLog)
    }

    /// Without the location's lines the upstream never sees Upgrade: a normal
    /// answer, on a connection that stays HTTP (the next request's answer intact).
    func testWithoutTheLinesTheUpstreamSeesNoUpgrade() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 15)
        client.send(WebSocketProxyTests.handshake("/plain/echo") + "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(answer.status, 200, answer.head)
        XCTAssertFalse(answer.bodyText.lowercased().contains("upgrade:"), answer.bodyText)
        let next = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(next.bodyText, "index page")
    }

    /// A 101 to a request without Upgrade, as nginx passes it: the head (its
    /// Connection upgrade), what follows until the upstream closes, and never
    /// what the client sends after its request.
    func testA101NobodyAskedForIsPassedAndNothingGoesUp() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 15)
        client.send("GET /plain/switch-anyway HTTP/1.1\r\nHost: x\r\n\r\nNOT-FOR-THE-UPSTREAM")
        let answer = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(answer.status, 101, answer.head)
        XCTAssertEqual(answer.header("Connection"), "upgrade")
        XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "raw after 101", "then the close")
        XCTAssertTrue(upstream.waitFor("got /switch-anyway 0"), "\(upstream.events)")
    }

    func testTwoTunnelsAndARequestMeanwhile() throws {
        let (first, _) = try tunnel("/ws/echo")
        let (second, _) = try tunnel("/ws/echo")
        assertEcho(first, Array("first".utf8))
        XCTAssertEqual(try server.get("/index.html").bodyText, "index page", "nothing waits on the tunnels")
        assertEcho(second, Array("second".utf8))
        assertEcho(first, Array("first again".utf8))
        second.close()
        assertEcho(first, Array("first alone".utf8))
    }

    func testProxyHTTPVersion10SendsAnHTTP10Request() throws {
        let answer = try server.get("/old/x")
        XCTAssertEqual(answer.status, 200)
        XCTAssertTrue(answer.bodyText.hasPrefix("GET /x HTTP/1.0\r\n"), answer.bodyText)
        XCTAssertTrue(try server.get("/plain/x").bodyText.hasPrefix("GET /x HTTP/1.1\r\n"), "webserv's default is 1.1")
    }

    /// Server-sent events: each event reaches the client as the upstream
    /// writes it; the upstream writes the second only when the test says so.
    func testServerSentEventsArriveAsTheyAreWritten() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 30)
        client.send("GET /sse/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        let first = String(decoding: client.read(until: "data: one\n\n"), as: UTF8.self)
        XCTAssertTrue(first.contains("data: one\n\n"), first)
        XCTAssertFalse(first.contains("data: two"), first)
        upstream.release()
        let rest = String(decoding: client.read(until: "data: two\n\n"), as: UTF8.self)
        XCTAssertTrue(rest.contains("data: two\n\n"), rest)
    }

    /// SIGQUIT as nginx: a tunnel is a request in progress, served until it ends; then the server exits.
    func testGracefulStopWaitsForTheTunnel() throws {
        let (client, _) = try tunnel("/ws/echo")
        assertEcho(client, Array("before".utf8))
        server.signal(SIGQUIT)
        usleep(200_000)
        assertEcho(client, Array("while stopping".utf8))
        XCTAssertTrue(server.process.isRunning)
        client.close()
        let deadline = Date().addingTimeInterval(15)
        while server.process.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(server.process.isRunning, "the server left once the tunnel ended")
    }

    /// A reload (SIGHUP) leaves an open tunnel as it is, as nginx's old worker keeps it.
    func testAReloadLeavesTheTunnelOpen() throws {
        let (client, _) = try tunnel("/ws/echo")
        assertEcho(client, Array("before".utf8))
        let text = try String(contentsOfFile: server.configPath, encoding: .utf8)
        let changed = text.replacingOccurrences(of: "location /plain/", with: "location = /reloaded { return 200 \"yes\"; }\n location /plain/")
        try Data(changed.utf8).write(to: URL(fileURLWithPath: server.configPath))
        server.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(15)
        while (try? server.get("/reloaded").bodyText) != "yes" && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(try server.get("/reloaded").bodyText, "yes", "the new configuration is in force")
        assertEcho(client, Array("after the reload".utf8))
    }

    /// Over a TLS listener, with the websockets package as the client (a real
    /// one: it checks the handshake's accept key and unmasked frames).
    func testOverTLS() throws {
        guard (try? runCommand("/usr/bin/python3", ["-c", "import websockets"]).status) == 0 else {
            throw XCTSkip("python3-websockets is not installed (.ci/run installs it)")
        }
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"])
        let tls = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0 ssl;
                server_name site.test;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
                location /ws/ {
                    proxy_pass http://127.0.0.1:\(upstream.port)/;
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                }
            }
        }
        """)
        defer { tls.stop() }
        let script = """
        import asyncio, ssl, sys, websockets
        async def main(port, ca):
            context = ssl.create_default_context(cafile=ca)
            async with websockets.connect("wss://site.test:%s/ws/hello" % port, host="127.0.0.1", port=int(port),
                                          ssl=context, server_hostname="site.test", open_timeout=20) as ws:
                print(await asyncio.wait_for(ws.recv(), 20))
                for message in ["one", "x" * 100000, "three"]:
                    await ws.send(message)
                    echo = await asyncio.wait_for(ws.recv(), 20)
                    print(len(echo) if len(echo) > 10 else echo)
                await ws.send(b"binary")
                print(await asyncio.wait_for(ws.recv(), 20))
        asyncio.run(main(sys.argv[1], sys.argv[2]))
        """
        let result = try runCommand("/usr/bin/python3", ["-c", script, String(tls.ports[0]), certificates.path("ca.pem")])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output, "hello\none\n100000\nthree\nb'binary'\n")
        XCTAssertTrue(upstream.waitFor("closed /hello"), "\(upstream.events)")
    }

    /// An https upstream: the tunnel's upstream side is TLS too (its
    /// reads and writes through the exchange's transport), and the upstream
    /// sees the tunnel end.
    func testToAnHTTPSUpstream() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("up", names: ["up.test"])
        let secure = try WebSocketUpstream(tls: (certificates.path("up.pem"), certificates.path("up.key")))
        defer { secure.stop() }
        let proxy = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log info;
            server {
                listen 127.0.0.1:PORT0;
                location /ws/ {
                    proxy_pass https://127.0.0.1:\(secure.port)/;
                    proxy_ssl_verify on;
                    proxy_ssl_name up.test;
                    proxy_ssl_trusted_certificate \(certificates.path("ca.pem"));
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                }
            }
        }
        """)
        defer { proxy.stop() }
        let client = try RawClient(port: proxy.ports[0], timeoutSeconds: 15)
        client.send(Array(WebSocketProxyTests.handshake("/ws/hello").utf8))
        let answer = try XCTUnwrap(client.readResponse(), "the 101")
        XCTAssertEqual(answer.status, 101, answer.head)
        XCTAssertEqual(WebSocketFrame.read(from: client)?.payload, Array("hello".utf8), "what the upstream sent with its 101")
        assertEcho(client, Array("over TLS".utf8))
        assertEcho(client, [UInt8](repeating: 0x61, count: 100_000), opcode: 0x2)
        client.close()
        XCTAssertTrue(secure.waitFor("closed /hello"), "\(secure.events)")
    }

    // MARK: logs

    private var accessLog: String { (try? String(contentsOfFile: server.directory + "/logs/access.log", encoding: .utf8)) ?? "" }
    private var errorLog: String { (try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)) ?? "" }

    /// Waits (up to 15 s: logs are flushed about once a second) for a line of the access log, or of the error log.
    private func waitForLog(error: Bool = false, _ matches: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if matches(error ? errorLog : accessLog) { return true }
            usleep(50_000)
        }
        return matches(error ? errorLog : accessLog)
    }
}
