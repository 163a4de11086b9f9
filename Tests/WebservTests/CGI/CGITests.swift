import XCTest
@testable import webserv

/// CGI/1.1 against the built binary, with small python3 and sh scripts.
final class CGITests: XCTestCase {
    private var server: ServerProcess!

    private static let scripts: [String: String] = [
        "www/cgi/env.py": """
        import os, sys, hashlib
        body = sys.stdin.buffer.read()
        keys = ["REQUEST_METHOD", "QUERY_STRING", "PATH_INFO", "SCRIPT_NAME", "CONTENT_LENGTH", "CONTENT_TYPE",
                "HTTP_X_SECRET_HEADER", "SERVER_PROTOCOL", "GATEWAY_INTERFACE", "REDIRECT_STATUS", "SERVER_PORT"]
        out = "".join(f"{k}={os.environ.get(k, '')}\\n" for k in keys)
        out += "sha256=" + hashlib.sha256(body).hexdigest() + "\\n" + "cwd=" + os.path.basename(os.getcwd()) + "\\n"
        sys.stdout.write("Content-Type: text/plain\\r\\n\\r\\n" + out)
        """,
        "www/cgi/upper.py": """
        import sys
        sys.stdout.write("Content-Type: application/octet-stream\\r\\n\\r\\n")
        sys.stdout.flush()
        while True:
            chunk = sys.stdin.buffer.read(65536)
            if not chunk: break
            sys.stdout.buffer.write(chunk.upper())
        """,
        "www/cgi/status.py": "print('Status: 201 Made'); print('Content-Type: text/plain'); print('X-Extra: yes'); print(); print('made')",
        "www/cgi/redirect.py": "print('Location: https://example.com/elsewhere'); print()",
        "www/cgi/local.py": "print('Location: /static.txt'); print()",
        "www/cgi/slow/loop.py": "import time\nwhile True: time.sleep(1)",
        "www/cgi/crash.py": "import sys\nsys.stderr.write('boom\\n')\nraise SystemExit(3)",
        "www/cgi/noheader.py": "print('just text without a header block')",
        "www/cgi/crlf.py": "import sys\nsys.stdout.write('Content-Type: text/plain\\r\\nX-Bad: a\\rInjected: 1\\r\\n\\r\\nx')",
        "www/cgi/bigwrite.py": """
        import sys
        sys.stdout.write("Content-Type: application/octet-stream\\r\\n\\r\\n")
        sys.stdout.flush()
        block = b"x" * 65536
        for _ in range(160):
            sys.stdout.buffer.write(block)
        """,
        "www/static.txt": "static file",
        "www/cgi/tiny.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\nok'",
    ]

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            client_max_body_size 0;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /cgi/ { allow_methods GET POST HEAD; }
                # Only here a script's time is short: the others stream 100 MiB, however loaded the machine.
                location /cgi/slow/ { cgi_timeout 1s; }
                location $ .py { cgi_path /usr/bin/python3; allow_methods GET POST HEAD; }
                location $ .sh { cgi_path /bin/sh; }
            }
        }
        """, files: CGITests.scripts)
    }

    override func tearDown() { server.stop() }

    private func lines(_ response: HTTPTestResponse) -> [String: String] {
        var result: [String: String] = [:]
        for line in response.bodyText.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    /// Reads a chunked or length-delimited response fully on a Connection: close request.
    private func fetch(_ raw: String) throws -> (head: String, body: [UInt8]) {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send(raw)
        let all = client.readAll()
        guard let split = all.firstRange(of: Array("\r\n\r\n".utf8)) else { return (String(decoding: all, as: UTF8.self), []) }
        let head = String(decoding: all[..<split.lowerBound], as: UTF8.self)
        var body = Array(all[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return (head, body)
    }

    private func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var decoder = ChunkedDecoder()
        let (events, _) = decoder.decode(bytes[...])
        return events.flatMap { event -> [UInt8] in if case .data(let range) = event { return Array(bytes[range]) } else { return [] } }
    }

    func testEnvironmentQueryPathInfoAndBody() throws {
        let (head, body) = try fetch("POST /cgi/env.py/extra/path?a=1&b=2 HTTP/1.1\r\nHost: x\r\nX-Secret-Header: s3cret\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        let env = lines(HTTPTestResponse(head: "", body: body))
        XCTAssertEqual(env["REQUEST_METHOD"], "POST")
        XCTAssertEqual(env["QUERY_STRING"], "a=1&b=2")
        XCTAssertEqual(env["PATH_INFO"], "/extra/path")
        XCTAssertEqual(env["SCRIPT_NAME"], "/cgi/env.py")
        XCTAssertEqual(env["CONTENT_LENGTH"], "5")
        XCTAssertEqual(env["CONTENT_TYPE"], "text/plain")
        XCTAssertEqual(env["HTTP_X_SECRET_HEADER"], "s3cret")
        XCTAssertEqual(env["GATEWAY_INTERFACE"], "CGI/1.1")
        XCTAssertEqual(env["REDIRECT_STATUS"], "200")
        XCTAssertEqual(env["SERVER_PORT"], String(server.ports[0]))
        XCTAssertEqual(env["sha256"], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(env["cwd"], "cgi", "the script runs in its own directory")
    }

    func testChunkedBodyReachesTheScriptWithItsLength() throws {
        let (head, body) = try fetch("POST /cgi/env.py HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        let env = lines(HTTPTestResponse(head: "", body: body))
        XCTAssertEqual(env["CONTENT_LENGTH"], "5")
        XCTAssertEqual(env["sha256"], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    }

    func testOutputWithoutLengthIsChunkedFor11AndClosedFor10() throws {
        let (head, body) = try fetch("GET /cgi/status.py HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 201 "), head)
        XCTAssertTrue(head.contains("Transfer-Encoding: chunked"), head)
        XCTAssertTrue(head.contains("X-Extra: yes"), head)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "made\n")
        let (oldHead, oldBody) = try fetch("GET /cgi/status.py HTTP/1.0\r\n\r\n")
        XCTAssertFalse(oldHead.contains("chunked"))
        XCTAssertEqual(String(decoding: oldBody, as: UTF8.self), "made\n")
    }

    func testRedirects() throws {
        let client = try server.get("/cgi/redirect.py")
        XCTAssertEqual(client.status, 302)
        XCTAssertEqual(client.header("Location"), "https://example.com/elsewhere")
        let local = try server.get("/cgi/local.py")
        XCTAssertEqual(local.status, 200)
        XCTAssertEqual(local.bodyText, "static file")
    }

    func testScriptFaults() throws {
        XCTAssertEqual(try server.get("/cgi/crash.py").status, 502)
        XCTAssertEqual(try server.get("/cgi/noheader.py").status, 502)
        XCTAssertEqual(try server.get("/cgi/crlf.py").status, 502)
        XCTAssertEqual(try server.get("/cgi/missing.py").status, 404)
        let log = try String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)
        XCTAssertTrue(log.contains("boom"), "stderr goes to the error log")
    }

    func testEndlessScriptIs504AndKilled() throws {
        let response = try server.get("/cgi/slow/loop.py")
        XCTAssertEqual(response.status, 504)
        usleep(300_000)
        XCTAssertEqual(childCount(), 0, "the script's process is gone")
    }

    func testScriptThatWritesWithoutReadingDoesNotDeadlock() throws {
        let body = String(repeating: "b", count: 3_000_000)
        let (head, output) = try fetch("POST /cgi/bigwrite.py HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertEqual(output.count, 160 * 65536)
    }

    func testStreamingBothWays() throws {
        let body = String(repeating: "abc", count: 2_000_000)
        let (head, output) = try fetch("POST /cgi/upper.py HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertEqual(output.count, body.utf8.count)
        XCTAssertEqual(String(decoding: output.prefix(6), as: UTF8.self), "ABCABC")
    }

    func testHundredMegabyteChunkedBodyStreamsWithBoundedMemory() throws {
        let before = peakResidentKiB()
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 60)
        client.send("POST /cgi/upper.py HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        let piece = Array(String(repeating: "abcdefgh", count: 131_072).utf8)   // 1 MiB
        let chunk = Array("100000\r\n".utf8) + piece + [13, 10]
        for _ in 0..<100 { client.send(chunk) }
        client.send("0\r\n\r\n")
        var received = 0
        var sawUpper = false
        for byte in client.readAll() where byte == UInt8(ascii: "A") { received += 1; sawUpper = true }
        XCTAssertTrue(sawUpper)
        XCTAssertEqual(received, 100 * 131_072, "every 'a' came back as 'A'")
        let growth = peakResidentKiB() - before
        XCTAssertLessThan(growth, 32 * 1024, "server memory stays bounded (grew \(growth) KiB)")
    }

    func testThousandRequestsLeaveNoZombiesNoDescriptors() throws {
        _ = try server.get("/cgi/tiny.sh")
        usleep(200_000)
        let before = server.openDescriptorCount
        var answered = 0
        for _ in 0..<1000 {
            let (_, body) = try fetch("GET /cgi/tiny.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if body == Array("ok".utf8) { answered += 1 }
        }
        XCTAssertEqual(answered, 1000)
        XCTAssertLessThanOrEqual(server.openDescriptorCount(settling: { $0 <= before }), before, "no descriptor left open")
        XCTAssertEqual(childCount(), 0)
    }

    private func peakResidentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func testNoZombiesNoLeakedDescriptors() throws {
        _ = try server.get("/cgi/status.py")
        usleep(200_000)
        let before = server.openDescriptorCount
        for index in 0..<150 {
            let path = ["/cgi/status.py", "/cgi/crash.py", "/cgi/env.py?x"][index % 3]
            _ = try server.get(path)
        }
        // A client that leaves in the middle of a response.
        let leaver = try RawClient(port: server.ports[0])
        leaver.send("GET /cgi/bigwrite.py HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        leaver.close()
        XCTAssertLessThanOrEqual(server.openDescriptorCount(settling: { $0 <= before }), before, "no descriptor left open")
        XCTAssertEqual(childCount(), 0, "every child reaped")
    }

    /// Children (including zombies) of the server process.
    /// Children of the server not yet reaped, polled for up to three seconds
    /// until there are none (reaping follows SIGCHLD a moment later).
    private func childCount() -> Int {
        var count = currentChildCount()
        for _ in 0..<30 where count > 0 {
            usleep(100_000)
            count = currentChildCount()
        }
        return count
    }

    private func currentChildCount() -> Int {
        let pid = server.process.processIdentifier
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { return false }
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 2 && Int32(fields[1]) == pid
        }.count
    }
}
