import XCTest
@testable import webserv

/// A CGI script's header block and a proxied server's head are held to one
/// field-byte rule (RFC 9110 §5.5): a name is a token; a value is visible
/// characters, obs-text, SP and HTAB. DEL and the other controls are 502 from
/// either upstream (a script's DEL was passed on before), and the same
/// obs-text (UTF-8 here: a value is kept as a String, so a lone Latin-1 byte
/// would reach the client as U+FFFD) passes through both unchanged. Each answer that passes is
/// followed by a pipelined second request whose answer must be intact.
final class UpstreamFieldBytesTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: ScriptedUpstream!

    /// The field each upstream sends, by name: `X-Field: a<byte>b`.
    private static let bytes: [String: UInt8] = ["del": 0x7F, "soh": 0x01, "nul": 0x00, "esc": 0x1B, "vt": 0x0B]

    override func setUpWithError() throws {
        var answers: [String: [ScriptedUpstream.Piece]] = [
            "/obs-text": [.init("HTTP/1.1 200 OK\r\nX-Field: café\r\nContent-Length: 4\r\n\r\ngood")],
            "/ctl-in-name": [.init("HTTP/1.1 200 OK\r\nX-F\u{7F}ield: a\r\nContent-Length: 4\r\n\r\ngood")],
        ]
        // QUERY_STRING is the byte, in hex, that the script puts inside its value (or, after 'n', its name).
        var files = [
            "www/index.html": "index page",
            "www/cgi/field.py": """
            import os, sys
            query = os.environ["QUERY_STRING"]
            byte = bytes([int(query[-2:], 16)])
            if query.startswith("n"):
                sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nX-F" + byte + b"ield: a\\r\\nContent-Length: 4\\r\\n\\r\\ngood")
            else:
                sys.stdout.buffer.write(b"Content-Type: text/plain\\r\\nX-Field: a" + byte + b"b\\r\\nContent-Length: 4\\r\\n\\r\\ngood")
            """,
            "www/cgi/obs.py": """
            import sys
            sys.stdout.buffer.write("Content-Type: text/plain\\r\\nX-Field: café\\r\\nContent-Length: 4\\r\\n\\r\\ngood".encode())
            """,
        ]
        for (name, byte) in UpstreamFieldBytesTests.bytes {
            answers["/" + name] = [.init("HTTP/1.1 200 OK\r\nX-Field: a\(Character(Unicode.Scalar(byte)))b\r\nContent-Length: 4\r\n\r\ngood")]
        }
        upstream = ScriptedUpstream(answers: answers)
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /cgi/ { cgi_path /usr/bin/python3; cgi_timeout 10s; }
                location /up/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
            }
        }
        """, files: files)
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
    }

    /// The answer to a GET of `path` on a connection of its own.
    private func status(_ path: String) throws -> Int {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try XCTUnwrap(client.readResponse(), path)
        XCTAssertFalse(answer.bodyText.contains("good"), "\(path): the upstream's body is never sent with a 502")
        return answer.status
    }

    /// Sends a GET of `path` and of /index.html at once on one connection;
    /// returns the first answer's head bytes after checking the second answer.
    private func headBeforeAnIntactAnswer(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let all = client.readAll()
        let text = String(decoding: all, as: UTF8.self)
        let answers = text.components(separatedBy: "HTTP/1.1 ")
        XCTAssertEqual(answers.count, 3, "two answers: \(text)", file: file, line: line)
        XCTAssertTrue(answers.dropFirst().first?.hasPrefix("200 OK\r\n") ?? false, text, file: file, line: line)
        XCTAssertTrue(text.hasSuffix("\r\n\r\nindex page"), "the second answer is intact: \(text)", file: file, line: line)
        let headEnd = all.firstRange(of: Array("\r\n\r\n".utf8))?.lowerBound ?? all.count
        return Array(all[..<headEnd])
    }

    func testControlBytesInAValueAre502FromBothUpstreams() throws {
        for (name, byte) in UpstreamFieldBytesTests.bytes.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(try status("/cgi/field.py?" + String(format: "%02x", byte)), 502, "CGI, \(name)")
            XCTAssertEqual(try status("/up/" + name), 502, "proxy, \(name)")
        }
    }

    func testAControlByteInANameIs502FromBothUpstreams() throws {
        XCTAssertEqual(try status("/cgi/field.py?n7f"), 502, "CGI")
        XCTAssertEqual(try status("/cgi/field.py?n01"), 502, "CGI")
        XCTAssertEqual(try status("/up/ctl-in-name"), 502, "proxy")
    }

    func testObsTextPassesThroughBothUpstreams() throws {
        let field = Array("\r\nX-Field: café\r\n".utf8)
        for path in ["/cgi/obs.py", "/up/obs-text"] {
            let head = try headBeforeAnIntactAnswer(path)
            XCTAssertNotNil(head.firstRange(of: field), "\(path): \(String(decoding: head, as: UTF8.self))")
        }
        // A visible byte and a tab inside the value are the rule's too.
        let head = try headBeforeAnIntactAnswer("/cgi/field.py?09")
        XCTAssertNotNil(head.firstRange(of: Array("\r\nX-Field: a\tb\r\n".utf8)), String(decoding: head, as: UTF8.self))
    }
}
