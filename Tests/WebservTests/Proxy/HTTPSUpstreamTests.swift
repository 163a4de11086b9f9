import XCTest
import Foundation

/// `proxy_pass https://`: TLS to the upstream as nginx speaks it (no SNI
/// unless proxy_ssl_server_name, proxy_ssl_name, proxy_ssl_verify against
/// proxy_ssl_trusted_certificate and the name, sessions resumed), with
/// certificates made by the openssl command line and a Python `ssl` upstream.
final class HTTPSUpstreamTests: XCTestCase {
    private var certificates: TestCertificates!
    private var server: ServerProcess?
    private var upstreams: [TLSUpstream] = []

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        try certificates.leaf("backend", names: ["backend.test"])
    }

    override func tearDown() {
        server?.stop()
        for upstream in upstreams { upstream.stop() }
        certificates?.remove()
    }

    /// An upstream presenting backend.test's chain (or `file`'s).
    private func upstream(_ file: String = "backend", mode: String = "tls") throws -> Int {
        let upstream = try TLSUpstream(certificate: certificates.path(file + ".pem"), key: certificates.path(file + ".key"), mode: mode,
                                       clientCA: certificates.path("ca.pem"))
        upstreams.append(upstream)
        return upstream.port
    }

    private func start(_ locations: String, http: String = "") throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            \(http)
            server {
                listen 127.0.0.1:PORT0;
                \(locations)
            }
        }
        """)
    }

    /// The error log once it holds `text` (generous: it is written as the request fails).
    private func errorLog(containing text: String) -> String {
        var log = ""
        for _ in 0..<100 {
            log = (try? String(contentsOfFile: (server?.directory ?? "") + "/logs/error.log", encoding: .utf8)) ?? ""
            if log.contains(text) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return log
    }

    func testGetAndPostGoOverTLS() throws {
        let port = try upstream()
        try start("location /api/ { proxy_pass https://127.0.0.1:\(port)/; }")
        let got = try XCTUnwrap(server).get("/api/item")
        XCTAssertEqual(got.status, 200, got.head)
        XCTAssertTrue(got.bodyText.hasPrefix("GET /item HTTP/1.1\nHost: 127.0.0.1:\(port)\n"), got.bodyText)
        let posted = try XCTUnwrap(server).request("POST /api/form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        XCTAssertEqual(posted.status, 200, posted.head)
        XCTAssertTrue(posted.bodyText.hasPrefix("POST /form HTTP/1.1"), posted.bodyText)
        XCTAssertTrue(posted.bodyText.hasSuffix("BODY:hello"), posted.bodyText)
    }

    /// nginx sends no SNI unless asked, then proxy_ssl_name's value (never an IP
    /// address); each name keeps its own pooled connections.
    func testTheServerNameIsSentOnlyWithProxySSLServerName() throws {
        let port = try upstream()
        try start("""
        location /off/ { proxy_pass https://127.0.0.1:\(port)/; proxy_ssl_name backend.test; }
        location /on/ { proxy_pass https://127.0.0.1:\(port)/; proxy_ssl_name backend.test; proxy_ssl_server_name on; }
        location /ip/ { proxy_pass https://127.0.0.1:\(port)/; proxy_ssl_server_name on; }
        """)
        let off = try XCTUnwrap(server).get("/off/x")
        XCTAssertEqual(off.status, 200, off.head)
        XCTAssertEqual(off.header("X-SNI"), "-")
        let on = try XCTUnwrap(server).get("/on/x")
        XCTAssertEqual(on.status, 200, on.head)
        XCTAssertEqual(on.header("X-SNI"), "backend.test", "not the pooled connection /off/ made without a name")
        XCTAssertEqual(try XCTUnwrap(server).get("/ip/x").header("X-SNI"), "-", "RFC 6066: no IP address as a server name")
    }

    func testVerificationAcceptsTheRightCAAndNameAndRefusesOthersWith502() throws {
        let port = try upstream()
        let other = try TestCertificates()
        defer { other.remove() }
        let verify = "proxy_ssl_verify on; proxy_ssl_name backend.test;"
        try start("""
        location /good/ { proxy_pass https://127.0.0.1:\(port)/; \(verify) proxy_ssl_trusted_certificate \(certificates.path("ca.pem")); }
        location /other-ca/ { proxy_pass https://127.0.0.1:\(port)/; \(verify) proxy_ssl_trusted_certificate \(other.path("ca.pem")); }
        location /other-name/ { proxy_pass https://127.0.0.1:\(port)/; proxy_ssl_verify on; proxy_ssl_name other.test;
                                proxy_ssl_trusted_certificate \(certificates.path("ca.pem")); }
        """)
        let good = try XCTUnwrap(server).get("/good/x")
        XCTAssertEqual(good.status, 200, good.head)
        XCTAssertEqual(try XCTUnwrap(server).get("/other-ca/x").status, 502)
        // OpenSSL's reason: the chain ends at a CA that is not trusted.
        let untrusted = errorLog(containing: "upstream SSL certificate verify error: (")
        XCTAssertTrue(untrusted.contains("certificate verify error: (") && untrusted.contains("while SSL handshaking to upstream 127.0.0.1:\(port)"), untrusted)
        XCTAssertEqual(try XCTUnwrap(server).get("/other-name/x").status, 502)
        let mismatch = errorLog(containing: "(62:hostname mismatch)")
        XCTAssertTrue(mismatch.contains("upstream SSL certificate verify error: (62:hostname mismatch) while SSL handshaking"), mismatch)
    }

    func testWithoutVerificationASelfSignedUpstreamIsAccepted() throws {
        let port = try upstream("ca")   // the CA's own certificate: self-signed
        try start("location / { proxy_pass https://127.0.0.1:\(port); }")
        let answer = try XCTUnwrap(server).get("/self")
        XCTAssertEqual(answer.status, 200, answer.head)
        XCTAssertTrue(answer.bodyText.hasPrefix("GET /self HTTP/1.1"), answer.bodyText)
    }

    /// Keep-alive to a group's https servers: one TLS connection, and the second answer intact.
    func testTwoRequestsOnOneClientConnectionShareOneUpstreamTLSConnection() throws {
        let port = try upstream()
        try start("location / { proxy_pass https://backend; }", http: "upstream backend { server 127.0.0.1:\(port); keepalive 4; }")
        let client = try RawClient(port: try XCTUnwrap(server).ports[0])
        defer { client.close() }
        client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try XCTUnwrap(client.readResponse())
        client.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n")
        let second = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(first.status, 200, first.head)
        XCTAssertEqual(second.status, 200, second.head)
        XCTAssertTrue(first.bodyText.hasPrefix("GET /first HTTP/1.1\nHost: backend\n"), first.bodyText)
        XCTAssertEqual(second.bodyText, "GET /second HTTP/1.1\nHost: backend\nBODY:")
        XCTAssertEqual(first.header("X-Connection"), "1")
        XCTAssertEqual(second.header("X-Connection"), "1", "the pooled TLS connection")
    }

    /// proxy_ssl_session_reuse (on by default): a new connection resumes the last session.
    func testANewUpstreamConnectionResumesTheLastSession() throws {
        let port = try upstream()
        try start("""
        location /reuse/ { proxy_pass https://127.0.0.1:\(port)/; }
        location /fresh/ { proxy_pass https://127.0.0.1:\(port)/; proxy_ssl_session_reuse off; }
        """)
        // /close: the upstream closes each connection, so each request makes a new one.
        let first = try XCTUnwrap(server).get("/reuse/close/1"), second = try XCTUnwrap(server).get("/reuse/close/2")
        XCTAssertEqual([first.status, second.status], [200, 200], second.head)
        XCTAssertEqual(first.header("X-Resumed"), "0")
        XCTAssertNotEqual(first.header("X-Connection"), second.header("X-Connection"))
        XCTAssertEqual(second.header("X-Resumed"), "1", "the session of the first connection")
        let third = try XCTUnwrap(server).get("/fresh/close/3"), fourth = try XCTUnwrap(server).get("/fresh/close/4")
        XCTAssertEqual([third.header("X-Resumed"), fourth.header("X-Resumed")], ["0", "0"])
    }

    /// Plain text instead of a ServerHello: 502, logged, and the next request
    /// on the same client connection is answered intact.
    func testAnUpstreamThatIsNotTLSIsA502AndTheServerGoesOn() throws {
        let bad = try upstream(mode: "garbage"), good = try upstream()
        try start("""
        location /bad/ { proxy_pass https://127.0.0.1:\(bad)/; }
        location /good/ { proxy_pass https://127.0.0.1:\(good)/; }
        """)
        let client = try RawClient(port: try XCTUnwrap(server).ports[0])
        defer { client.close() }
        client.send("GET /bad/x HTTP/1.1\r\nHost: x\r\n\r\n")
        let failed = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(failed.status, 502, failed.head)
        client.send("GET /good/y HTTP/1.1\r\nHost: x\r\n\r\n")
        let next = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(next.status, 200, next.head)
        XCTAssertTrue(next.bodyText.hasPrefix("GET /y HTTP/1.1"), next.bodyText)
        let log = errorLog(containing: "SSL_do_handshake() failed")
        XCTAssertTrue(log.contains("SSL_do_handshake() failed") && log.contains("while SSL handshaking to upstream 127.0.0.1:\(bad)"), log)
    }

    /// A stalled handshake is bounded by proxy_connect_timeout: 504, logged as nginx.
    func testAStalledHandshakeTimesOutWith504() throws {
        let port = try upstream(mode: "silent")
        try start("location / { proxy_pass https://127.0.0.1:\(port); proxy_connect_timeout 1s; }")
        let answer = try XCTUnwrap(server).get("/x")
        XCTAssertEqual(answer.status, 504, answer.head)
        let log = errorLog(containing: "while SSL handshaking to upstream")
        XCTAssertTrue(log.contains("timed out (110: Connection timed out) while SSL handshaking to upstream"), log)
    }

    /// proxy_ssl_certificate and its key: presented to an upstream that asks for one.
    func testAClientCertificateIsPresentedToAnUpstreamThatRequiresOne() throws {
        try certificates.leaf("client", names: ["client.test"], serial: 2)
        let port = try upstream(mode: "client")
        try start("""
        location /with/ { proxy_pass https://127.0.0.1:\(port)/;
                          proxy_ssl_certificate \(certificates.path("client.pem")); proxy_ssl_certificate_key \(certificates.path("client.key")); }
        location /without/ { proxy_pass https://127.0.0.1:\(port)/; }
        """)
        let with = try XCTUnwrap(server).get("/with/x")
        XCTAssertEqual(with.status, 200, with.head)
        XCTAssertEqual(with.header("X-Client"), "client.test")
        XCTAssertEqual(try XCTUnwrap(server).get("/without/x").status, 502, "the upstream refuses the handshake")
    }

    /// The client context is built as a check too (nginx -t builds its contexts): OpenSSL's refusal is the error.
    func testDashTBuildsTheUpstreamContext() throws {
        let path = certificates.path("bad-ciphers.conf")
        try """
        events { }
        http { server { listen 127.0.0.1:1; location / { proxy_pass https://127.0.0.1:8443; proxy_ssl_ciphers NOSUCHCIPHER; } } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runCommand(ServerProcess.binary, ["-t", path])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("invalid proxy_ssl_ciphers \"NOSUCHCIPHER\""), result.output)
    }
}
