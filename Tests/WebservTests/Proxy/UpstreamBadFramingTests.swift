import XCTest
@testable import webserv

/// An upstream answer whose end cannot be known never desyncs the client's
/// connection. A head with a bad Content-Length, one beside a
/// Transfer-Encoding, or a coding other than chunked is 502, as nginx
/// answers it (through `error_page 502`); a body that breaks off after the
/// head went out ends the client's connection. Each test pipelines a second
/// request and checks that its answer is intact, or that the connection
/// closed with no bytes of it.
final class UpstreamBadFramingTests: XCTestCase {
    private var server: ServerProcess!
    private var upstream: ScriptedUpstream!
    /// Bound and never listening: a connection to it is refused.
    private var refusing: (fd: Int32, port: Int) = (-1, 0)

    private static let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"

    override func setUpWithError() throws {
        let head = UpstreamBadFramingTests.head
        refusing = ServerProcess.boundLoopbackSocket()
        upstream = ScriptedUpstream(answers: [
            "/letters": [.init(head + "Content-Length: abc\r\n\r\nfinal")],
            "/signed": [.init(head + "Content-Length: +5\r\n\r\nfinal")],
            "/list": [.init(head + "Content-Length: 1, 2\r\n\r\nfinal")],
            "/two-lengths": [.init(head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nfinal!")],
            "/same-length-twice": [.init(head + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nfinal")],
            "/huge": [.init(head + "Content-Length: 99999999999999999999999\r\n\r\nfinal")],
            "/length-and-chunked": [.init(head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfinal\r\n0\r\n\r\n")],
            "/chunked-and-length": [.init(head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nfinal\r\n0\r\n\r\n")],
            "/chunked-gzip": [.init(head + "Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nfinal\r\n0\r\n\r\n")],
            "/gzip-chunked": [.init(head + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nfinal\r\n0\r\n\r\n")],
            "/two-encodings": [.init(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfinal\r\n0\r\n\r\n")],
            "/identity": [.init(head + "Transfer-Encoding: identity\r\n\r\nfinal")],
            "/good": [.init(head + "Content-Length: 4\r\n\r\ngood")],
            "/bad-chunk-size": [.init(head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
                                .init("zz\r\nworld\r\n0\r\n\r\n", pauseMilliseconds: 100)],
            "/missing-crlf": [.init(head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello"),
                              .init("XX5\r\nworld\r\n0\r\n\r\n", pauseMilliseconds: 100)],
            "/short": [.init(head + "Content-Length: 10\r\n\r\nhello"), .close],
            "/short-chunked": [.init(head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"), .close],
        ])
        server = try ServerProcess(config: """
        events { }
        http {
            access_log DIR/logs/access.log;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /up/ { proxy_pass http://127.0.0.1:\(upstream.port)/; }
                location /paged/ { proxy_pass http://127.0.0.1:\(upstream.port)/; error_page 502 /50x.html; }
                location /down/ { proxy_pass http://127.0.0.1:\(refusing.port)/; }
            }
        }
        """, files: ["www/index.html": "index page", "www/50x.html": "our 50x page"])
    }

    override func tearDown() {
        server.stop()
        upstream.stop()
        close(refusing.fd)
    }

    private var errorLog: String {
        (try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)) ?? ""
    }

    /// Sends a GET of `path` and of /index.html at once on one connection;
    /// returns the first answer after checking that the second is intact,
    /// or that the first said close and nothing followed it.
    private func answerBeforeTheNext(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> HTTPTestResponse {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = try XCTUnwrap(client.readResponse(), "\(path): the first answer", file: file, line: line)
        if answer.header("Connection") == "close" {
            XCTAssertEqual(String(decoding: client.readAll(), as: UTF8.self), "", "\(path): nothing after a closing answer", file: file, line: line)
            XCTAssertTrue(client.isClosedByPeer(), "\(path): closed", file: file, line: line)
        } else {
            let next = try XCTUnwrap(client.readResponse(), "\(path): the second answer", file: file, line: line)
            XCTAssertEqual(next.status, 200, "\(path): \(next.head)", file: file, line: line)
            XCTAssertEqual(next.bodyText, "index page", path, file: file, line: line)
        }
        return answer
    }

    /// Sends a GET of `path` and of /index.html at once on one connection;
    /// returns everything the server sent before it closed the connection.
    private func bytesBeforeTheClose(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let text = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertTrue(client.isClosedByPeer(), "\(path): the connection is closed, not kept for the next answer", file: file, line: line)
        XCTAssertFalse(text.contains("index page"), "\(path): no second answer after a body cut short: \(text)", file: file, line: line)
        return text
    }

    func testAnInvalidContentLengthIs502() throws {
        for path in ["/letters", "/signed", "/list", "/huge"] {
            XCTAssertEqual(try answerBeforeTheNext("/up" + path).status, 502, path)
        }
        XCTAssertTrue(errorLog.contains("[error]"), errorLog)
        XCTAssertTrue(errorLog.contains("upstream 127.0.0.1:\(upstream.port) sent invalid \"Content-Length\" header: \"Content-Length: abc\""), errorLog)
        XCTAssertTrue(errorLog.contains("sent invalid \"Content-Length\" header: \"Content-Length: 1, 2\""), errorLog)
    }

    /// nginx refuses a second Content-Length even when it repeats the first.
    func testTwoContentLengthsAre502() throws {
        for path in ["/two-lengths", "/same-length-twice"] {
            XCTAssertEqual(try answerBeforeTheNext("/up" + path).status, 502, path)
        }
        XCTAssertTrue(errorLog.contains("sent duplicate header line: \"Content-Length: 6\", previous value: \"Content-Length: 5\""), errorLog)
    }

    func testContentLengthBesideTransferEncodingIs502() throws {
        for path in ["/length-and-chunked", "/chunked-and-length"] {
            XCTAssertEqual(try answerBeforeTheNext("/up" + path).status, 502, path)
        }
        XCTAssertTrue(errorLog.contains("sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time"), errorLog)
    }

    func testACodingOtherThanChunkedIs502() throws {
        for path in ["/chunked-gzip", "/gzip-chunked", "/two-encodings", "/identity"] {
            XCTAssertEqual(try answerBeforeTheNext("/up" + path).status, 502, path)
        }
        XCTAssertTrue(errorLog.contains("sent unknown \"Transfer-Encoding\": \"chunked, gzip\""), errorLog)
        XCTAssertTrue(errorLog.contains("sent duplicate header line: \"Transfer-Encoding: chunked\""), errorLog)
    }

    /// As nginx (its special responses close only after 400, 413, 414, 500
    /// and 501), a 502 keeps the client's connection when the request had no
    /// body left to read: for a refused answer and for an upstream that cannot
    /// be reached.
    func testA502KeepsTheClientsConnection() throws {
        for path in ["/up/letters", "/down/x"] {
            let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
            client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let first = try XCTUnwrap(client.readResponse(), path)
            XCTAssertEqual(first.status, 502, path)
            XCTAssertNotEqual(first.header("Connection"), "close", path)
            let next = try XCTUnwrap(client.readResponse(), "\(path): the second answer on the same connection")
            XCTAssertEqual(next.bodyText, "index page", path)
        }
    }

    func testErrorPage502AnswersForThem() throws {
        for path in ["/letters", "/two-lengths", "/length-and-chunked", "/chunked-gzip"] {
            let answer = try answerBeforeTheNext("/paged" + path)
            XCTAssertEqual(answer.status, 502, path)
            XCTAssertEqual(answer.bodyText, "our 50x page", path)
        }
    }

    /// The connection that carried a refused answer is closed, never pooled:
    /// the next request to the upstream comes on a new one.
    func testARefusedAnswersConnectionIsNotReused() throws {
        XCTAssertEqual(try server.get("/up/good").bodyText, "good")
        XCTAssertEqual(try server.get("/up/good").bodyText, "good")
        XCTAssertEqual(upstream.connectionCount, 1, "a clean answer's connection is pooled")
        XCTAssertEqual(try server.get("/up/letters").status, 502)
        XCTAssertEqual(try server.get("/up/good").bodyText, "good")
        XCTAssertEqual(upstream.connectionCount, 2)
        XCTAssertEqual(try server.get("/up/length-and-chunked").status, 502)
        XCTAssertEqual(try server.get("/up/good").bodyText, "good")
        XCTAssertEqual(upstream.connectionCount, 3)
    }

    /// After the head went out, a malformed chunk cannot become a status:
    /// the client's connection ends without the last chunk (so the client
    /// knows the body is incomplete), and the upstream's is not pooled.
    func testAMalformedChunkedBodyEndsTheConnection() throws {
        for path in ["/bad-chunk-size", "/missing-crlf"] {
            let text = try bytesBeforeTheClose("/up" + path)
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(path): \(text)")
            XCTAssertFalse(text.contains("world"), path)
            XCTAssertFalse(text.hasSuffix("0\r\n\r\n"), "\(path): no last chunk: \(text)")
        }
        XCTAssertTrue(errorLog.contains("[error]"), errorLog)
        XCTAssertTrue(errorLog.contains("upstream 127.0.0.1:\(upstream.port) sent invalid chunked response"), errorLog)
        let before = upstream.connectionCount
        XCTAssertEqual(try server.get("/up/good").bodyText, "good")
        XCTAssertEqual(upstream.connectionCount, before + 1, "the broken answer's connection was not pooled")
        // The pipelined request went with the closed connection: it was never
        // answered into a closed socket (the log is written in order, each second).
        var accessLog = ""
        for _ in 0..<100 where !accessLog.contains("/up/good") {
            usleep(100_000)
            accessLog = (try? String(contentsOfFile: server.directory + "/logs/access.log", encoding: .utf8)) ?? ""
        }
        XCTAssertTrue(accessLog.contains("/up/good"), accessLog)
        XCTAssertFalse(accessLog.contains("/index.html"), accessLog)
    }

    /// An upstream that closes before the end of its body, after the head
    /// went out: the client's connection ends too.
    func testAnAnswerCutShortEndsTheConnection() throws {
        let short = try bytesBeforeTheClose("/up/short")
        XCTAssertTrue(short.hasPrefix("HTTP/1.1 200 OK\r\n"), short)
        XCTAssertTrue(short.contains("Content-Length: 10\r\n"), short)
        XCTAssertTrue(short.hasSuffix("\r\n\r\nhello"), short)
        let chunked = try bytesBeforeTheClose("/up/short-chunked")
        XCTAssertTrue(chunked.hasPrefix("HTTP/1.1 200 OK\r\n"), chunked)
        XCTAssertFalse(chunked.hasSuffix("0\r\n\r\n"), "no last chunk: \(chunked)")
        XCTAssertTrue(errorLog.contains("upstream 127.0.0.1:\(upstream.port) prematurely closed connection"), errorLog)
    }
}

final class UpstreamFramingFieldsTests: XCTestCase {
    private func problem(_ fields: [(String, String)]) -> String? {
        UpstreamResponseParser.framingProblem(fields.map { UpstreamHeader(name: $0.0, value: $0.1) })
    }

    func testValidFraming() {
        XCTAssertNil(problem([]))
        XCTAssertNil(problem([("Content-Length", "0")]))
        XCTAssertNil(problem([("content-length", "12345")]))
        XCTAssertNil(problem([("Transfer-Encoding", "chunked")]))
        XCTAssertNil(problem([("transfer-encoding", "Chunked")]))
    }

    func testInvalidFramingInNginxWords() {
        XCTAssertEqual(problem([("Content-Length", "")]), "sent invalid \"Content-Length\" header: \"Content-Length: \"")
        for value in ["-1", "+1", "1 2", "0x10", "1, 1", "99999999999999999999"] {
            XCTAssertEqual(problem([("Content-Length", value)]), "sent invalid \"Content-Length\" header: \"Content-Length: \(value)\"", value)
        }
        XCTAssertEqual(problem([("Content-Length", "1"), ("content-length", "1")]),
                       "sent duplicate header line: \"content-length: 1\", previous value: \"Content-Length: 1\"")
        XCTAssertEqual(problem([("Transfer-Encoding", "chunked"), ("Content-Length", "1")]),
                       "sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time")
        XCTAssertEqual(problem([("Content-Length", "1"), ("Transfer-Encoding", "chunked")]),
                       "sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time")
        for value in ["chunked, gzip", "gzip, chunked", "gzip", "identity", "chunked;q=1", ""] {
            XCTAssertEqual(problem([("Transfer-Encoding", value)]), "sent unknown \"Transfer-Encoding\": \"\(value)\"", value)
        }
        XCTAssertEqual(problem([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")]),
                       "sent duplicate header line: \"Transfer-Encoding: chunked\", previous value: \"Transfer-Encoding: chunked\"")
    }
}
