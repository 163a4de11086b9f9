import XCTest
import Foundation
import Glibc

/// `upstream NAME { server ...; }` behind `proxy_pass http://NAME`, with
/// local upstreams that each answer with their own letter: which one answers,
/// what a failing one costs, and the connections each gets.
final class UpstreamGroupTests: XCTestCase {
    private var server: ServerProcess!
    private var upstreams: [ScriptedUpstream] = []

    override func tearDown() {
        server?.stop()
        for upstream in upstreams { upstream.stop() }
    }

    /// An upstream answering every path in `paths` with `letter`, kept alive.
    private func answering(_ letter: String, paths: [String] = ["/"]) -> ScriptedUpstream {
        let answer = ScriptedUpstream.Piece("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(letter)")
        let upstream = ScriptedUpstream(answers: Dictionary(uniqueKeysWithValues: paths.map { ($0, [answer]) }))
        upstreams.append(upstream)
        return upstream
    }

    /// An upstream that accepts, reads the request and closes without answering.
    private func closing(paths: [String] = ["/"]) -> ScriptedUpstream {
        let upstream = ScriptedUpstream(answers: Dictionary(uniqueKeysWithValues: paths.map { ($0, [ScriptedUpstream.Piece.close]) }))
        upstreams.append(upstream)
        return upstream
    }

    /// A port nothing listens on: connections are refused.
    private func refusedPort() -> Int {
        let (fd, port) = ServerProcess.boundLoopbackSocket()
        close(fd)
        return port
    }

    private func start(group: String, location: String = "") throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log warn;
            upstream app {
        \(group)
            }
            server {
                listen 127.0.0.1:PORT0;
                location / { proxy_pass http://app; \(location) }
            }
        }
        """)
    }

    private var errorLog: String {
        (try? String(contentsOfFile: server.configPath.replacingOccurrences(of: "webserv.conf", with: "logs/error.log"), encoding: .utf8)) ?? ""
    }

    /// The letters of `count` answers to GET `path`.
    private func letters(_ count: Int, path: String = "/", headers: String = "") throws -> [String] {
        try (0..<count).map { _ in
            let response = try server.get(path, headers: headers)
            XCTAssertEqual(response.status, 200, response.head)
            return response.bodyText
        }
    }

    func testRoundRobinByWeight() throws {
        let a = answering("A"), b = answering("B"), c = answering("C")
        try start(group: "server 127.0.0.1:\(a.port) weight=3; server 127.0.0.1:\(b.port) weight=2; server 127.0.0.1:\(c.port);")
        let answers = try letters(12)
        XCTAssertEqual(answers.filter { $0 == "A" }.count, 6)
        XCTAssertEqual(answers.filter { $0 == "B" }.count, 4)
        XCTAssertEqual(answers.filter { $0 == "C" }.count, 2)
        // nginx's smooth order: never the same server three times in a row here.
        XCTAssertEqual(Array(answers.prefix(6)), ["A", "B", "A", "C", "B", "A"])
    }

    /// A server that fails goes to the next one; max_fails=1 takes it out for
    /// fail_timeout (it is not connected to again); a keep-alive client's
    /// second answer is intact.
    func testAFailingServerIsSkippedAndSitsOut() throws {
        let dead = closing(), b = answering("B")
        try start(group: "server 127.0.0.1:\(dead.port) max_fails=1 fail_timeout=60s; server 127.0.0.1:\(b.port);")
        let client = try RawClient(port: server.ports[0])
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in 0..<2 {
            let response = client.readResponse()
            XCTAssertEqual(response?.status, 200, response?.head ?? "no answer")
            XCTAssertEqual(response?.bodyText, "B")
        }
        XCTAssertEqual(try letters(4), ["B", "B", "B", "B"])
        XCTAssertEqual(dead.connectionCount, 1, "tried once, then out for fail_timeout")
        XCTAssertTrue(errorLog.contains("upstream server temporarily disabled"), errorLog)
    }

    /// max_fails=2: one failure does not take the server out.
    func testMaxFailsCountsFailures() throws {
        let dead = closing(), b = answering("B")
        try start(group: "server 127.0.0.1:\(dead.port) max_fails=2 fail_timeout=60s; server 127.0.0.1:\(b.port);")
        XCTAssertEqual(try letters(8), Array(repeating: "B", count: 8))
        XCTAssertEqual(dead.connectionCount, 2, "two failures within fail_timeout, then out")
    }

    func testARefusingServerIsSkipped() throws {
        let b = answering("B")
        try start(group: "server 127.0.0.1:\(refusedPort()); server 127.0.0.1:\(b.port);")
        XCTAssertEqual(try letters(4), ["B", "B", "B", "B"])
    }

    func testBackupOnlyWhenThePrimariesAreOutAndDownNever() throws {
        let a = answering("A"), backup = answering("B")
        try start(group: "server 127.0.0.1:\(a.port); server 127.0.0.1:\(backup.port) backup;")
        XCTAssertEqual(try letters(4), ["A", "A", "A", "A"])
        XCTAssertEqual(backup.connectionCount, 0)
        server.stop()
        let down = answering("D"), spare = answering("S")
        try start(group: "server 127.0.0.1:\(refusedPort()); server 127.0.0.1:\(down.port) down; server 127.0.0.1:\(spare.port) backup;")
        XCTAssertEqual(try letters(4), ["S", "S", "S", "S"])
        XCTAssertEqual(down.connectionCount, 0, "down is never chosen")
    }

    /// Every server failed: the request's tries are over (502), then no server is live (502, nginx's words in the log).
    func testAllDownIs502WithNoLiveUpstreams() throws {
        try start(group: "server 127.0.0.1:\(refusedPort()); server 127.0.0.1:\(refusedPort());")
        let client = try RawClient(port: server.ports[0])
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 502)
        XCTAssertEqual(client.readResponse()?.status, 502, "the connection stays usable")
        XCTAssertTrue(errorLog.contains("no live upstreams"), errorLog)
    }

    /// A request already sent with POST is not sent again (it may have had an effect) unless non_idempotent.
    func testPostIsNotSentTwiceUnlessNonIdempotent() throws {
        let dead = closing(), b = answering("B")
        let group = "server 127.0.0.1:\(dead.port); server 127.0.0.1:\(b.port);"
        let post = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        try start(group: group)
        XCTAssertEqual(try server.request(post).status, 502)
        XCTAssertEqual(try letters(1), ["B"], "GET goes on to the next server")
        server.stop()
        try start(group: group, location: "proxy_next_upstream error timeout non_idempotent;")
        let response = try server.request(post)
        XCTAssertEqual(response.status, 200, response.head)
        XCTAssertEqual(response.bodyText, "B")
    }

    /// proxy_next_upstream http_503: an answer names the next server too.
    func testNextUpstreamOnAnAnswersStatus() throws {
        let unavailable = ScriptedUpstream(answers: ["/": [ScriptedUpstream.Piece("HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy")]])
        upstreams.append(unavailable)
        let b = answering("B")
        let group = "server 127.0.0.1:\(unavailable.port); server 127.0.0.1:\(b.port);"
        try start(group: group)
        XCTAssertEqual(try server.get("/").status, 503, "not named: the answer is passed on")
        server.stop()
        try start(group: group, location: "proxy_next_upstream error timeout http_503;")
        XCTAssertEqual(try letters(3), ["B", "B", "B"])
    }

    /// proxy_read_timeout on one server: the next one answers (the slow one says nothing for far longer, then closes).
    func testATimeoutGoesToTheNextServer() throws {
        var silence = ScriptedUpstream.Piece.close
        silence.pauseMilliseconds = 8_000
        let slow = ScriptedUpstream(answers: ["/": [silence]])
        upstreams.append(slow)
        let b = answering("B")
        try start(group: "server 127.0.0.1:\(slow.port); server 127.0.0.1:\(b.port);", location: "proxy_read_timeout 1s;")
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in 0..<2 { XCTAssertEqual(client.readResponse()?.bodyText, "B") }
        XCTAssertTrue(errorLog.contains("timed out"), errorLog)
    }

    func testIPHashSticks() throws {
        let a = answering("A"), b = answering("B"), c = answering("C")
        try start(group: "ip_hash; server 127.0.0.1:\(a.port); server 127.0.0.1:\(b.port); server 127.0.0.1:\(c.port);")
        let answers = try letters(6)
        XCTAssertEqual(Set(answers).count, 1, "\(answers)")
    }

    func testHashOfTheRequestURISticks() throws {
        let paths = (0..<8).map { "/item/\($0)" }
        let a = answering("A", paths: paths), b = answering("B", paths: paths)
        try start(group: "hash $request_uri; server 127.0.0.1:\(a.port); server 127.0.0.1:\(b.port);")
        var seen = Set<String>()
        for path in paths {
            let answers = try letters(3, path: path)
            XCTAssertEqual(Set(answers).count, 1, "\(path): \(answers)")
            seen.formUnion(answers)
        }
        XCTAssertEqual(seen, ["A", "B"], "the keys spread over both")
    }

    /// keepalive N: each server's connection is reused.
    func testKeepAlivePerServer() throws {
        let a = answering("A"), b = answering("B")
        try start(group: "server 127.0.0.1:\(a.port); server 127.0.0.1:\(b.port); keepalive 4;")
        XCTAssertEqual(try letters(8).sorted(), ["A", "A", "A", "A", "B", "B", "B", "B"])
        XCTAssertEqual(a.connectionCount, 1)
        XCTAssertEqual(b.connectionCount, 1)
    }
}
