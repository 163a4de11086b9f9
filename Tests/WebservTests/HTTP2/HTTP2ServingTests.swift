import Foundation
import Glibc
import XCTest

/// webserv speaking HTTP/2, black-box: the built binary on a generated
/// configuration, driven by Python's h2 package over raw sockets (h2c with
/// prior knowledge, TLS with ALPN) and by curl. Every kind of answer goes
/// through the HTTP/1.1 path's handlers and output pipeline, with the HTTP/2 encoder last.
final class HTTP2ServingTests: XCTestCase {
    /// 1 MiB of varied bytes: more than the client's 65,535-byte window, so it arrives only through WINDOW_UPDATEs.
    private static let large: String = {
        var text = ""
        text.reserveCapacity(1 << 20)
        var value: UInt32 = 12345
        while text.utf8.count < 1 << 20 {
            value = value &* 1_103_515_245 &+ 12345
            text += String(value >> 8, radix: 36) + "\n"
        }
        return String(text.utf8.prefix(1 << 20))!
    }()

    private func site(listen: String = "listen 127.0.0.1:PORT0 http2;", extra: String = "") -> String {
        """
        error_log DIR/logs/error.log info;
        events { }
        http {
            access_log DIR/logs/access.log;
            server {
                \(listen)
                root DIR/www;
                error_page 404 /missing.html;
                location /old { return 301 /index.html; }
                location /cgi/ { cgi_path /usr/bin/python3; allow_methods GET POST; client_max_body_size 10m; }
                \(extra)
            }
        }
        """
    }

    private var files: [String: String] {
        ["www/index.html": "hello over h2\n", "www/missing.html": "no such page\n", "www/large.txt": HTTP2ServingTests.large,
         "www/a.txt": "a\n", "www/b.txt": "bb\n",
         "www/cgi/echo.py": "import sys\nbody = sys.stdin.read()\nsys.stdout.write('Content-Type: text/plain\\r\\n\\r\\n')\nsys.stdout.write('got ' + str(len(body)) + ': ' + body)\n"]
    }

    func testAStaticFileOverH2CAndHTTP11OnTheSamePortAndTheAccessLogSaysHTTP2() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/index.html")]))
        let answer = try XCTUnwrap(result.answers.first)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.text, "hello over h2\n")
        XCTAssertEqual(answer.header("content-length"), "14")
        XCTAssertEqual(answer.header("server"), "webserv")
        XCTAssertTrue(answer.ended)
        XCTAssertFalse(answer.headers.contains { ["connection", "keep-alive", "transfer-encoding"].contains($0[0]) }, "\(answer.headers)")
        // The same port still answers HTTP/1.1, two requests on one connection.
        let client = try RawClient(port: server.ports[0])
        defer { client.close() }
        client.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "a\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "bb\n")
        // A request whose first byte is the preface's ("P") but is not it stays HTTP/1.1.
        let post = try RawClient(port: server.ports[0])
        defer { post.close() }
        post.send("POST /cgi/echo.py HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        XCTAssertEqual(post.readResponse()?.bodyText, "got 3: abc")
        let log = try waitForLog(server, containing: "GET /b.txt HTTP/1.1")
        XCTAssertTrue(log.contains("\"GET /index.html HTTP/2.0\" 200 14"), log)
    }

    func testConcurrentStreamsALargeFileAndSmallOnesInterleavedAllArriveIntact() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let paths = ["/large.txt", "/a.txt", "/index.html", "/large.txt", "/b.txt"]
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: paths.map { .init(path: $0) }))
        XCTAssertEqual(result.answers.map(\.status), [200, 200, 200, 200, 200])
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
        let digest = try HTTP2TestClient.sha256(Data(HTTP2ServingTests.large.utf8))
        XCTAssertEqual(result.answers[0].length, 1 << 20)
        XCTAssertEqual(result.answers[0].sha256, digest)
        XCTAssertEqual(result.answers[3].sha256, digest)
        XCTAssertEqual(result.answers[1].text, "a\n")
        XCTAssertEqual(result.answers[2].text, "hello over h2\n")
        XCTAssertEqual(result.answers[4].text, "bb\n")
    }

    func testHeadANotFoundWithItsErrorPageAndARedirect() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [
            .init(method: "HEAD", path: "/index.html"), .init(path: "/nothing"), .init(path: "/old"),
        ]))
        let head = result.answers[0], missing = result.answers[1], moved = result.answers[2]
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-length"), "14")
        XCTAssertEqual(head.length, 0)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, "no such page\n")
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.header("location"), "http://127.0.0.1:\(server.ports[0])/index.html")
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
    }

    func testAPostBodyReachesACGIScriptWithAndWithoutALength() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let body = String(repeating: "0123456789", count: 10_000)   // 100,000 bytes: more than a stream's window
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [
            .init(method: "POST", path: "/cgi/echo.py", body: "name=value", headers: [["content-length", "10"]]),
            .init(method: "POST", path: "/cgi/echo.py", body: body),
        ]))
        XCTAssertEqual(result.answers.map(\.status), [200, 200])
        XCTAssertEqual(result.answers[0].text, "got 10: name=value")
        XCTAssertEqual(result.answers[1].length, "got 100000: ".utf8.count + body.utf8.count)
        XCTAssertTrue(result.answers[1].text.hasPrefix("got 100000: 0123456789"), result.answers[1].text)
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
    }

    func testAStreamsScriptThatTimesOutIsAnswered504WhileTheOthersGoOn() throws {
        var files = self.files
        files["www/slow/sleep.py"] = "import time\ntime.sleep(30)\n"
        let server = try ServerProcess(config: site(extra: "location /slow/ { cgi_path /usr/bin/python3; cgi_timeout 1s; }"), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/slow/sleep.py"), .init(path: "/a.txt")]))
        XCTAssertEqual(result.answers.map(\.status), [504, 200])
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
    }

    func testALargeBodyToAScriptThatReadsItLateArrivesWhole() throws {
        var files = self.files
        // The script waits before reading: the body piles up past the engine's 1 MiB and the stream's window waits for it.
        files["www/cgi/late.py"] = "import sys, time, hashlib\ntime.sleep(1)\ndata = sys.stdin.buffer.read()\n"
            + "sys.stdout.write('Content-Type: text/plain\\r\\n\\r\\n' + str(len(data)) + ' ' + hashlib.sha256(data).hexdigest())\n"
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let body = HTTP2ServingTests.large + HTTP2ServingTests.large + HTTP2ServingTests.large
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [
            .init(method: "POST", path: "/cgi/late.py", body: body, headers: [["content-length", String(3 << 20)]]),
            .init(method: "POST", path: "/cgi/late.py", body: body),
        ]))
        // With a length it streams to the script (held back past 1 MiB); without, it is spooled first.
        let expected = "\(3 << 20) " + (try HTTP2TestClient.sha256(Data(body.utf8)))
        XCTAssertEqual(result.answers.map(\.status), [200, 200])
        XCTAssertEqual(result.answers.map(\.text), [expected, expected])
    }

    func testAProxiedAnswerFromAnHTTP11Upstream() throws {
        let upstream = try ServerProcess(config: """
            events { }
            http { server { listen 127.0.0.1:PORT0; location = /up { return 200 "from upstream\\n"; } } }
            """)
        defer { upstream.stop() }
        let server = try ServerProcess(config: site(extra: "location /p/ { proxy_pass http://127.0.0.1:\(upstream.ports[0])/; }"), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/p/up"), .init(path: "/a.txt")]))
        XCTAssertEqual(result.answers.map(\.status), [200, 200])
        XCTAssertEqual(result.answers[0].text, "from upstream\n")
        XCTAssertEqual(result.answers[1].text, "a\n")
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
    }

    func testAStreamResetByTheClientLeavesTheOthersWhole() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [
            .init(path: "/large.txt", resetAfterHead: true), .init(path: "/large.txt"), .init(path: "/a.txt"),
        ]))
        XCTAssertTrue(result.answers[0].reset)
        XCTAssertEqual(result.answers[1].status, 200)
        XCTAssertEqual(result.answers[1].sha256, try HTTP2TestClient.sha256(Data(HTTP2ServingTests.large.utf8)))
        XCTAssertEqual(result.answers[2].text, "a\n")
        XCTAssertTrue(result.answers[1].ended && result.answers[2].ended)
        // The connection goes on: a request after the reset is answered.
        XCTAssertEqual(try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/b.txt")])).answers.first?.text, "bb\n")
    }

    func testSIGQUITSendsGoAwayAndTheStreamInFlightCompletes() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/large.txt")],
                                                   signalPID: server.process.processIdentifier, signal: SIGQUIT))
        XCTAssertEqual(result.goAway, 1, "GOAWAY names the last stream taken")
        let answer = try XCTUnwrap(result.answers.first)
        XCTAssertEqual(answer.status, 200)
        XCTAssertTrue(answer.ended, "\(answer.length) bytes, GOAWAY \(String(describing: result.goAway))")
        XCTAssertEqual(answer.sha256, try HTTP2TestClient.sha256(Data(HTTP2ServingTests.large.utf8)))
        XCTAssertTrue(result.closed, "the connection closes once its streams are done")
    }

    func testAfterGoAwayAScriptsAnswerStillCompletesAndThenTheConnectionCloses() throws {
        var files = self.files
        files["www/cgi/slow.py"] = "import time\ntime.sleep(1)\nprint('Content-Type: text/plain\\r\\n\\r\\nlate', end='')\n"
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        // The static answer's head comes first and brings SIGQUIT; the script's answer ends the last stream after GOAWAY.
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/cgi/slow.py"), .init(path: "/a.txt")],
                                                   signalPID: server.process.processIdentifier, signal: SIGQUIT))
        XCTAssertEqual(result.goAway, 3)
        XCTAssertEqual(result.answers.map(\.status), [200, 200])
        XCTAssertEqual(result.answers.map(\.text), ["late", "a\n"])
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
        XCTAssertTrue(result.closed)
    }

    func testTLSOffersH2ByALPNAndServesOverIt() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("a", names: ["a.test"])
        let server = try ServerProcess(config: site(listen: """
            listen 127.0.0.1:PORT0 ssl;
            http2 on;
            server_name a.test;
            ssl_certificate \(certificates.path("a.pem"));
            ssl_certificate_key \(certificates.path("a.key"));
            """), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], tlsCA: certificates.path("ca.pem"), serverName: "a.test",
                                                   requests: [.init(path: "/index.html"), .init(path: "/large.txt"), .init(path: "/old")]))
        XCTAssertEqual(result.alpn, "h2")
        XCTAssertEqual(result.answers.map(\.status), [200, 200, 301])
        XCTAssertEqual(result.answers[0].text, "hello over h2\n")
        XCTAssertEqual(result.answers[1].sha256, try HTTP2TestClient.sha256(Data(HTTP2ServingTests.large.utf8)))
        XCTAssertEqual(result.answers[2].header("location"), "https://a.test:\(server.ports[0])/index.html")
        // curl --http2 negotiates h2 by ALPN.
        let curl = try runCommand("/usr/bin/curl", ["-sS", "--http2", "--cacert", certificates.path("ca.pem"),
                                                    "--resolve", "a.test:\(server.ports[0]):127.0.0.1", "-w", "\n%{http_version}",
                                                    "https://a.test:\(server.ports[0])/index.html"])
        XCTAssertEqual(curl.output, "hello over h2\n\n2")
    }

    func testOnATLSAddressListenHTTP2OffersH2ForEveryServerAndHTTP2OnOnlyForItsOwn() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("a", names: ["a.test"])
        try certificates.leaf("b", names: ["b.test"])
        let c = certificates
        func server(_ name: String, _ listen: String, _ extra: String = "") -> String {
            """
            server {
                listen \(listen);
                server_name \(name).test;
                \(extra)
                ssl_certificate \(c.path(name + ".pem"));
                ssl_certificate_key \(c.path(name + ".key"));
                location = /who { return 200 "\(name)"; }
            }
            """
        }
        let config = """
            events { }
            http {
                \(server("a", "127.0.0.1:PORT0 ssl http2 default_server"))
                \(server("b", "127.0.0.1:PORT0 ssl"))
                \(server("a", "127.0.0.1:PORT1 ssl default_server"))
                \(server("b", "127.0.0.1:PORT1 ssl", "http2 on;"))
            }
            """
        let process = try ServerProcess(config: config, portCount: 2)
        defer { process.stop() }
        func alpn(_ port: Int, _ name: String) throws -> String? {
            let result = try HTTP2TestClient.run(.init(port: port, tlsCA: c.path("ca.pem"), serverName: name + ".test", requests: []))
            return result.alpn
        }
        XCTAssertEqual(try alpn(process.ports[0], "b"), "h2", "the address's listen ... http2 counts for b too")
        XCTAssertEqual(try alpn(process.ports[1], "b"), "h2")
        XCTAssertEqual(try alpn(process.ports[1], "a"), "http/1.1", "a has no http2 of its own there")
        // There the default server has no http2: the connection speaks HTTP/2 because ALPN chose it.
        let answer = try HTTP2TestClient.run(.init(port: process.ports[1], tlsCA: c.path("ca.pem"), serverName: "b.test",
                                                   requests: [.init(path: "/who")]))
        XCTAssertEqual(answer.answers.first?.text, "b")
    }

    func testCurlWithPriorKnowledgeFetchesTheIndexAndAServerWithoutHTTP2StaysHTTP11() throws {
        let server = try ServerProcess(config: site(), files: files)
        defer { server.stop() }
        let curl = try runCommand("/usr/bin/curl", ["-sS", "--http2-prior-knowledge", "-w", "\n%{http_version}",
                                                    "http://127.0.0.1:\(server.ports[0])/"])
        XCTAssertEqual(curl.output, "hello over h2\n\n2")
        // Without http2 the preface is an HTTP/1.1 request line it cannot be (nginx answers it 400 too).
        let plain = try ServerProcess(config: site(listen: "listen 127.0.0.1:PORT0;"), files: files)
        defer { plain.stop() }
        let client = try RawClient(port: plain.ports[0])
        defer { client.close() }
        client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        XCTAssertNotEqual(client.readResponse()?.status, 200)
    }

    // MARK: The limits of nginx's http2 module and keepalive_requests

    func testMaxConcurrentStreamsIsAnnouncedAndStreamsPastItAreRefused() throws {
        var files = self.files
        files["www/cgi/slow.py"] = "import time\ntime.sleep(1)\nprint('Content-Type: text/plain\\r\\n\\r\\nslow', end='')\n"
        let server = try ServerProcess(config: site(extra: "http2_max_concurrent_streams 2;"), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [
            .init(path: "/cgi/slow.py"), .init(path: "/cgi/slow.py"), .init(path: "/a.txt"), .init(path: "/b.txt"),
        ]))
        XCTAssertEqual(result.settings["3"], 2, "SETTINGS_MAX_CONCURRENT_STREAMS")
        XCTAssertEqual(result.answers.map(\.text), ["slow", "slow", "", ""])
        XCTAssertEqual(result.answers.map(\.resetCode), [nil, nil, 7, 7], "REFUSED_STREAM past two open streams")
        // The connection goes on: a client that waits for its streams is served.
        XCTAssertEqual(try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/a.txt")])).answers.first?.text, "a\n")
    }

    func testChunkSizeBoundsTheDataFramesAndIsNginxs8kByDefault() throws {
        let server = try ServerProcess(config: site(extra: "location /small/ { alias DIR/www/; http2_chunk_size 1k; }"), files: files)
        defer { server.stop() }
        // One connection each: on one, the client's WINDOW_UPDATEs for the small frames would size the other's too.
        let small = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/small/large.txt")]))
        let plain = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/large.txt")]))
        let digest = try HTTP2TestClient.sha256(Data(HTTP2ServingTests.large.utf8))
        XCTAssertEqual(small.answers.map(\.sha256), [digest])
        XCTAssertEqual(plain.answers.map(\.sha256), [digest])
        XCTAssertEqual(small.answers[0].dataSizes.max(), 1024)
        XCTAssertEqual(plain.answers[0].dataSizes.max(), 8192)
    }

    func testKeepaliveRequestsEndsTheConnectionWithGoAwayAfterTheLastRequestItTakes() throws {
        let server = try ServerProcess(config: site(extra: "keepalive_requests 3;"), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: (0..<5).map { _ in .init(path: "/a.txt") }))
        XCTAssertEqual(result.goAway, 5, "GOAWAY names the third request's stream")
        XCTAssertEqual(result.answers.map(\.text), ["a\n", "a\n", "a\n", "", ""])
        XCTAssertEqual(result.answers.map(\.resetCode), [nil, nil, nil, 7, 7])
        XCTAssertTrue(result.closed)
    }

    // MARK: Trailers (add_trailer)

    func testTrailersOverBothProtocolsAreEvaluatedWhenTheAnswerEnds() throws {
        var files = self.files
        files["www/timed/slow.py"] = "import time\ntime.sleep(1)\nprint('Content-Type: text/plain\\r\\n\\r\\nslow', end='')\n"
        let server = try ServerProcess(config: site(extra: """
            add_trailer X-Trailer done;
            location /timed/ { cgi_path /usr/bin/python3; add_trailer X-Time $request_time; }
            """), files: files)
        defer { server.stop() }
        let result = try HTTP2TestClient.run(.init(port: server.ports[0], requests: [.init(path: "/index.html"), .init(path: "/timed/slow.py")]))
        XCTAssertEqual(result.answers.map(\.text), ["hello over h2\n", "slow"])
        XCTAssertEqual(result.answers[0].trailers, [["x-trailer", "done"]])
        XCTAssertEqual(result.answers[0].header("content-length"), "14")
        // $request_time as the script's answer ends, a second after it began.
        let time = try XCTUnwrap(result.answers[1].trailer("x-time").flatMap(Double.init))
        XCTAssertGreaterThanOrEqual(time, 1.0)
        XCTAssertTrue(result.answers.allSatisfy(\.ended))
        // HTTP/1.1: the script's answer in chunks, the trailer in the last one; then the next answer on the connection.
        let client = try RawClient(port: server.ports[0])
        defer { client.close() }
        client.send("GET /timed/slow.py HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertTrue(text.contains("Transfer-Encoding: chunked\r\n"), text)
        let trailer = try XCTUnwrap(text.firstMatch(of: #/\r\n0\r\nX-Time: ([0-9.]+)\r\n\r\nHTTP/1.1 200/#), text)
        XCTAssertGreaterThanOrEqual(Double(trailer.1) ?? 0, 1.0)
        XCTAssertTrue(text.hasSuffix("e\r\nhello over h2\n\r\n0\r\nX-Trailer: done\r\n\r\n"), text)
    }

    private func waitForLog(_ server: ServerProcess, containing text: String) throws -> String {
        let path = server.directory + "/logs/access.log"
        for _ in 0..<100 {
            if let log = try? String(contentsOfFile: path, encoding: .utf8), log.contains(text) { return log }
            usleep(100_000)
        }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
