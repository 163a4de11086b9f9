import Foundation
import Glibc
import XCTest

/// webserv over TLS, black-box: certificates made by the openssl command
/// line, clients in Python's ssl module (SNI, ALPN, resumption) and raw sockets.
final class TLSServingTests: XCTestCase {
    private var certificates: TestCertificates!

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        try certificates.leaf("a", names: ["a.test", "www.a.test"])
        try certificates.leaf("b", names: ["b.test"])
    }

    override func tearDown() { certificates.remove() }

    /// Two servers on one TLS address (a the default), each with its own certificate.
    private func twoServers(head: String = "", http: String = "", main: String = "") -> String {
        let c = certificates!
        return """
        \(main)
        error_log DIR/logs/error.log info;
        events { }
        http {
            access_log DIR/logs/access.log;
            \(http)
            server {
                listen 127.0.0.1:PORT0 ssl default_server;
                server_name a.test www.a.test;
                ssl_certificate \(c.path("a.pem"));
                ssl_certificate_key \(c.path("a.key"));
                \(head)
                root DIR/a;
                location = /who { return 200 "a"; }
            }
            server {
                listen 127.0.0.1:PORT0 ssl;
                server_name b.test;
                ssl_certificate \(c.path("b.pem"));
                ssl_certificate_key \(c.path("b.key"));
                location = /who { return 200 "b"; }
            }
        }
        """
    }

    func testTheClientsServerNameChoosesTheCertificateAndAnUnknownOrAbsentNameGetsTheDefaultServers() throws {
        let server = try ServerProcess(config: twoServers())
        defer { server.stop() }
        let ca = certificates.path("ca.pem")
        let b = try PythonTLSClient.get(port: server.ports[0], name: "b.test", ca: ca, paths: ["/who"], alpn: ["h2", "http/1.1"])
        XCTAssertEqual(b.subject, "b.test")
        XCTAssertEqual(b.answers.map(\.body), ["b"])
        XCTAssertEqual(b.alpn, "http/1.1", "ALPN answers http/1.1 among what the client offers")
        XCTAssertEqual(try PythonTLSClient.get(port: server.ports[0], name: "www.a.test", ca: ca, paths: ["/who"]).subject, "a.test")
        // An unknown name and no name at all: the default server's certificate (the client then finds it is not the name's).
        let error = try XCTUnwrap(try? runCommand("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(server.ports[0])",
                                                               "-servername", "c.test", "-CAfile", ca]).output)
        XCTAssertTrue(error.contains("CN = a.test"), error)
        let anonymous = try PythonTLSClient.get(port: server.ports[0], name: nil, ca: ca, paths: ["/who"])
        XCTAssertEqual(anonymous.subject, "a.test")
        XCTAssertEqual(anonymous.answers.map(\.body), ["a"], "no SNI and no matching Host: the default server answers")
        let versions = Set(try ["b.test", "a.test"].map { try PythonTLSClient.get(port: server.ports[0], name: $0, ca: ca).version })
        XCTAssertEqual(versions, ["TLSv1.3"])
    }

    /// Framing: answers on one keep-alive TLS connection, a file larger than
    /// the copy buffer (sent through read and write, not sendfile) between two small ones.
    func testAnswersFollowEachOtherIntactOnOneKeepAliveConnection() throws {
        let large = String(repeating: "0123456789abcdef", count: 20_000)   // 320,000 bytes
        let server = try ServerProcess(config: twoServers(), files: ["a/large.txt": large, "a/index.html": "index\n"])
        defer { server.stop() }
        let result = try PythonTLSClient.get(port: server.ports[0], name: "a.test", ca: certificates.path("ca.pem"),
                                             paths: ["/index.html", "/large.txt", "/who", "/index.html"])
        XCTAssertEqual(result.answers.map(\.status), [200, 200, 200, 200])
        XCTAssertEqual(result.answers.map(\.length), [6, large.utf8.count, 1, 6])
        XCTAssertEqual(result.answers[1].body, String(large.prefix(200)))
        XCTAssertEqual(result.answers.map(\.body)[2...], ["a", "index\n"])
        let log = try String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)
        XCTAssertFalse(log.contains("SSL"), log)
    }

    /// A file far larger than the socket's buffers, to a client that waits
    /// before reading: the server's writes stop midway and resume, and every
    /// byte arrives in order, for the whole file and for a range of it.
    func testALargeFileToASlowReaderArrivesWholeAndARangeOfItExactly() throws {
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 7 &+ index >> 12) }
        let server = try ServerProcess(config: twoServers(), files: ["a/large.bin": String(decoding: bytes.map { $0 & 0x7f }, as: UTF8.self)])
        defer { server.stop() }
        let file = server.directory + "/a/large.bin"
        let script = #"""
import hashlib, socket, ssl, sys, time
port, ca, path, first, last = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
c = ssl.create_default_context(cafile=ca)
s = c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname="a.test")
rng = "" if first < 0 else "Range: bytes=%d-%d\r\n" % (first, last)
s.sendall(("GET /large.bin HTTP/1.1\r\nHost: a.test\r\n%sConnection: close\r\n\r\n" % rng).encode())
time.sleep(1)
data = b""
while True:
    more = s.recv(65536)
    if not more: break
    data += more
head, body = data.split(b"\r\n\r\n", 1)
whole = open(path, "rb").read()
expected = whole if first < 0 else whole[first:last + 1]
print(head.split(b"\r\n")[0].decode(), len(body), hashlib.sha256(body).hexdigest() == hashlib.sha256(expected).hexdigest())
"""#
        let ca = certificates.path("ca.pem")
        let whole = try runCommand("/usr/bin/python3", ["-c", script, String(server.ports[0]), ca, file, "-1", "-1"])
        XCTAssertEqual(whole.output.trimmingCharacters(in: .whitespacesAndNewlines), "HTTP/1.1 200 OK \(3 << 20) True")
        let range = try runCommand("/usr/bin/python3", ["-c", script, String(server.ports[0]), ca, file, "70000", "2500000"])
        XCTAssertEqual(range.output.trimmingCharacters(in: .whitespacesAndNewlines), "HTTP/1.1 206 Partial Content \(2_500_000 - 70_000 + 1) True")
    }

    /// Pipelined over TLS: many requests in one burst, large answers among
    /// them, so that requests arrive while answers are being written.
    func testPipelinedRequestsAreAllAnsweredInOrder() throws {
        let large = String(repeating: "0123456789abcdef", count: 20_000)
        let server = try ServerProcess(config: twoServers(), files: ["a/large.txt": large, "a/index.html": "index\n"])
        defer { server.stop() }
        let paths = (0..<300).map { $0 % 3 == 0 ? "/large.txt" : $0 % 3 == 1 ? "/index.html" : "/who" }
        let result = try PythonTLSClient.get(port: server.ports[0], name: "a.test", ca: certificates.path("ca.pem"),
                                             paths: paths, pipelined: true)
        XCTAssertEqual(result.answers.map(\.status), Array(repeating: 200, count: 300))
        XCTAssertEqual(result.answers.map(\.length), paths.map { $0 == "/large.txt" ? large.utf8.count : $0 == "/who" ? 1 : 6 })
    }

    func testAPlainHTTPRequestToTheTLSPortIsNginxs400AndAClose() throws {
        let server = try ServerProcess(config: twoServers())
        defer { server.stop() }
        let client = try RawClient(port: server.ports[0])
        client.send("GET /who HTTP/1.1\r\nHost: a.test\r\n\r\nGET /who HTTP/1.1\r\nHost: a.test\r\n\r\n")
        let text = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), text)
        XCTAssertTrue(text.contains("The plain HTTP request was sent to HTTPS port"), text)
        XCTAssertTrue(text.contains("Connection: close\r\n"), text)
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 ").count, 2, "one answer, then the close")
        // The TLS port still serves TLS.
        XCTAssertEqual(try PythonTLSClient.get(port: server.ports[0], name: "a.test", ca: certificates.path("ca.pem"),
                                               paths: ["/who"]).answers.map(\.body), ["a"])
    }

    func testAStalledHandshakeIsCutAtClientHeaderTimeoutAndABrokenOneClosesOnlyItsConnection() throws {
        let server = try ServerProcess(config: twoServers(head: "client_header_timeout 1s;"))
        defer { server.stop() }
        let ca = certificates.path("ca.pem")
        // The start of a ClientHello (a record header announcing 512 bytes, and 1 of them), then nothing.
        let stalled = try RawClient(port: server.ports[0], timeoutSeconds: 20)
        stalled.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        let started = Date()
        XCTAssertTrue(stalled.isClosedByPeer(), "cut, not left open until the client gives up")
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        // A broken handshake: an alert back and a close, for that connection only.
        let broken = try RawClient(port: server.ports[0])
        broken.send([0x16, 0x03, 0x01, 0x00, 0x05] + Array("hello".utf8))
        let reply = broken.readAll()
        XCTAssertEqual(reply.first, 0x15, "a TLS alert record")
        XCTAssertEqual(try PythonTLSClient.get(port: server.ports[0], name: "b.test", ca: ca, paths: ["/who", "/who"]).answers.map(\.body),
                       ["b", "b"])
        let log = try String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)
        XCTAssertTrue(log.contains("[info]") && log.contains("SSL_do_handshake() failed") && log.contains("while SSL handshaking, client: 127.0.0.1"), log)
    }
}

/// What a script and an upstream learn of a request that came over TLS.
final class TLSUpstreamTests: XCTestCase {
    func testOverTLSScriptsUpstreamsVariablesAndRedirectsSayHTTPS() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"])
        let script = "printf 'Content-Type: text/plain\\r\\n\\r\\nhttps=%s proto=%s' \"$HTTPS\" \"$HTTP_X_FORWARDED_PROTO\"\n"
        let config = """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log info;
            server {
                listen 127.0.0.1:PORT0 ssl;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
                root DIR/www;
                location $ .sh { cgi_path /bin/sh; }
                location = /up { proxy_pass http://127.0.0.1:PORT1/env.sh; }
                location = /scheme { return 200 "$scheme:$https"; }
                location = /go { return 302 /scheme; }
            }
            server { listen 127.0.0.1:PORT1; root DIR/www; location $ .sh { cgi_path /bin/sh; } location = /scheme { return 200 "$scheme:$https"; } }
        }
        """
        let server = try ServerProcess(config: config, files: ["www/env.sh": script], portCount: 2)
        defer { server.stop() }
        let answers = try PythonTLSClient.get(port: server.ports[0], name: "site.test", ca: certificates.path("ca.pem"),
                                              paths: ["/env.sh", "/up", "/env.sh", "/scheme", "/go"]).answers
        XCTAssertEqual(answers.last?.location, "https://site.test:\(server.ports[0])/scheme", "a redirect to a path is made absolute with https")
        XCTAssertEqual(answers.map(\.body).prefix(4), ["https=on proto=", "https= proto=https", "https=on proto=", "https:on"])
        XCTAssertEqual(try server.request("GET /scheme HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: server.ports[1]).bodyText, "http:")
        // Over plain HTTP, as before: no HTTPS.
        XCTAssertEqual(try server.request("GET /env.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                          port: server.ports[1]).bodyText, "https= proto=")
    }
}

/// Certificates renewed on disk (certbot's renew hook, then a reload), and
/// sessions resumed across connections and worker processes.
final class TLSReloadAndResumptionTests: XCTestCase {
    private var certificates: TestCertificates!

    override func setUpWithError() throws {
        certificates = try TestCertificates()
        try certificates.leaf("site", names: ["site.test"], serial: 1)
    }

    override func tearDown() { certificates.remove() }

    private func config(workers: Int = 1, extra: String = "") -> String {
        """
        worker_processes \(workers);
        error_log DIR/logs/error.log info;
        events { }
        http {
            access_log off;
            \(extra)
            server {
                listen 127.0.0.1:PORT0 ssl;
                server_name site.test;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
                return 200 "site";
            }
        }
        """
    }

    private func serial(_ server: ServerProcess) throws -> Int {
        try PythonTLSClient.get(port: server.ports[0], name: "site.test", ca: certificates.path("ca.pem")).serial
    }

    private func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<100 { if try condition() { return true }; usleep(100_000) }
        return try condition()
    }

    func testACertificateReplacedOnDiskIsServedAfterSIGHUPAndOneThatFailsToLoadKeepsTheOld() throws {
        let server = try ServerProcess(config: config())
        defer { server.stop() }
        XCTAssertEqual(try serial(server), 1)
        // An open connection, in the middle of its keep-alive.
        let open = try PythonTLSKeepAlive(port: server.ports[0], name: "site.test", ca: certificates.path("ca.pem"))
        defer { open.close() }
        XCTAssertEqual(try open.get("/"), "200 site")

        try certificates.leaf("site", names: ["site.test"], serial: 2)   // the renewal: both files replaced
        server.signal(SIGHUP)
        XCTAssertTrue(try eventually { try serial(server) == 2 }, "new connections get the renewed certificate")
        XCTAssertEqual(try open.get("/"), "200 site", "the open connection goes on")
        XCTAssertEqual(open.serial, 1)

        // A certificate file that is not PEM: the reload fails, naming the file and OpenSSL's reason
        // (the configuration's check finds it, certificate.not-pem, before the contexts are built).
        try "not a certificate\n".write(toFile: certificates.path("site.pem"), atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        let log = server.directory + "/logs/error.log"
        XCTAssertTrue(eventually { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("keeping the current configuration") })
        let text = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertTrue(text.contains("'\(certificates.path("site.pem"))' is not a PEM certificate file") && text.contains("OpenSSL: no start line"), text)
        XCTAssertEqual(try serial(server), 2, "the old configuration, with its certificate, stays")
    }

    func testATicketResumesOnEitherOfTwoWorkersAndASessionIDWithTheCache() throws {
        let server = try ServerProcess(config: config(workers: 2))
        defer { server.stop() }
        let ca = certificates.path("ca.pem")
        // SO_REUSEPORT spreads the 8 connections over both workers; each resumes the first one's ticket.
        XCTAssertEqual(try PythonTLSClient.resumed(port: server.ports[0], name: "site.test", ca: ca, count: 8, tickets: true), 8)
        let cached = try ServerProcess(config: config(extra: "ssl_session_cache shared:SSL:1m; ssl_session_tickets off;"))
        defer { cached.stop() }
        XCTAssertEqual(try PythonTLSClient.resumed(port: cached.ports[0], name: "site.test", ca: ca, count: 3, tickets: false), 3)
        let uncached = try ServerProcess(config: config(extra: "ssl_session_tickets off;"))
        defer { uncached.stop() }
        XCTAssertEqual(try PythonTLSClient.resumed(port: uncached.ports[0], name: "site.test", ca: ca, count: 3, tickets: false), 0,
                       "nginx's default ssl_session_cache none keeps no session")
    }
}

/// `user`: workers are not root, and certbot's private keys are root's alone.
final class TLSPrivilegesTests: XCTestCase {
    func testAReloadServesARenewedCertificateWhoseKeyOnlyRootMayRead() throws {
        try XCTSkipUnless(geteuid() == 0, "user takes effect only when started as root")
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"], serial: 1)
        XCTAssertEqual(chmod(certificates.path("site.key"), 0o600), 0)
        let server = try ServerProcess(config: """
        user nobody nogroup;
        error_log DIR/logs/error.log info;
        events { }
        http {
            access_log off;
            server {
                listen 127.0.0.1:PORT0 ssl;
                ssl_certificate \(certificates.path("site.pem"));
                ssl_certificate_key \(certificates.path("site.key"));
                return 200 "site";
            }
        }
        """)
        defer { server.stop() }
        let ca = certificates.path("ca.pem")
        func serial() throws -> Int { try PythonTLSClient.get(port: server.ports[0], name: "site.test", ca: ca).serial }
        XCTAssertEqual(try serial(), 1)
        let open = try PythonTLSKeepAlive(port: server.ports[0], name: "site.test", ca: ca)
        defer { open.close() }
        XCTAssertEqual(try open.get("/"), "200 site")

        try certificates.leaf("site", names: ["site.test"], serial: 2)
        XCTAssertEqual(chmod(certificates.path("site.key"), 0o600), 0)
        server.signal(SIGHUP)
        // Polled until it holds (each poll a new client process).
        var renewed = false
        for _ in 0..<100 where !renewed {
            renewed = (try? serial()) == 2
            if !renewed { usleep(100_000) }
        }
        XCTAssertTrue(renewed, "the renewed certificate, its key read as root")
        // The replaced worker quits gracefully: an idle keep-alive connection is closed, as nginx's old workers do.
        XCTAssertEqual(try open.get("/"), "closed")
        let master = server.process.processIdentifier
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.children(of: master).count == 1 }, "one worker again once the old one is done")
        let log = WebservCommand.contents(server.directory + "/logs/error.log")
        XCTAssertFalse(log.contains("reload of"), log)
    }
}

/// `webserv -t` and a start try the certificates and keys, as `nginx -t` does.
final class TLSStartupTests: XCTestCase {
    func testACertificateThatDoesNotLoadFailsTheTestAndTheStartNamingTheFile() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"])
        try certificates.leaf("other", names: ["other.test"])
        let directory = try WebservCommand.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func configuration(key: String) throws -> String {
            let path = directory + "/webserv.conf"
            try """
            events { }
            http { server { listen 127.0.0.1:\(ServerProcess.freePort()) ssl;
                ssl_certificate \(certificates.path("site.pem")); ssl_certificate_key \(key); } }
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let valid = try WebservCommand.run(["-t", try configuration(key: certificates.path("site.key"))])
        XCTAssertEqual(valid.status, 0, valid.errors)
        for (key, reason) in [(certificates.path("other.key"), "does not belong to the certificate"), (directory + "/missing.key", "No such file or directory")] {
            let path = try configuration(key: key)
            let test = try WebservCommand.run(["-t", path])
            XCTAssertEqual(test.status, 1, test.errors)
            XCTAssertTrue(test.errors.contains(reason) && test.errors.contains(key) && test.errors.contains("is invalid"), test.errors)
            let start = try WebservCommand.run([path])
            XCTAssertEqual(start.status, 1, start.errors)
            XCTAssertTrue(start.errors.contains(reason), start.errors)
        }
    }
}
