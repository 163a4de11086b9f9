import XCTest
import Foundation
@testable import webserv

/// A client that leaves while its script runs ends the script (SIGTERM, then
/// SIGKILL after a grace period, reaped), long before `cgi_timeout`. Each
/// script writes its pid to a file before it sleeps, so the test can watch
/// the process itself in /proc.
final class CGIClientGoneTests: XCTestCase {
    private var server: ServerProcess!

    private static let scripts: [String: String] = [
        // The pid file appears whole (renamed into place); `exec` keeps the pid.
        "www/cgi/wait.sh": "echo $$ > ../../pids/$QUERY_STRING.tmp; mv ../../pids/$QUERY_STRING.tmp ../../pids/$QUERY_STRING; exec sleep 30",
        "www/cgi/answering.sh": """
        printf 'Content-Type: text/plain\\r\\n\\r\\nstarted'
        echo $$ > ../../pids/$QUERY_STRING.tmp; mv ../../pids/$QUERY_STRING.tmp ../../pids/$QUERY_STRING; exec sleep 30
        """,
        "www/cgi/stubborn.sh": "trap '' TERM; echo $$ > ../../pids/$QUERY_STRING.tmp; mv ../../pids/$QUERY_STRING.tmp ../../pids/$QUERY_STRING; exec sleep 30",
        "pids/.keep": "",
    ]

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log info;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location $ .sh { cgi_path /bin/sh; cgi_timeout 60s; allow_methods GET POST; client_max_body_size 0; }
            }
        }
        """, files: CGIClientGoneTests.scripts)
    }

    override func tearDown() { server.stop() }

    /// The pid the script `name` wrote, once it has (up to ten seconds).
    private func scriptPid(_ name: String) -> pid_t? {
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: server.directory + "/pids/" + name, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return pid }
            usleep(50_000)
        }
        return nil
    }

    /// Whether `pid` is gone (exited and reaped: no /proc entry) within ten seconds.
    private func isGone(_ pid: pid_t) -> Bool {
        for _ in 0..<200 {
            if !FileManager.default.fileExists(atPath: "/proc/\(pid)") { return true }
            usleep(50_000)
        }
        return false
    }

    func testScriptsEndWhenTheirClientsLeaveBeforeTheAnswer() throws {
        _ = try server.request("GET /missing.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        usleep(200_000)
        let before = server.openDescriptorCount
        var pids: [pid_t] = []
        for index in 0..<8 {
            let client = try RawClient(port: server.ports[0])
            client.send("GET /cgi/wait.sh?w\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            pids.append(try XCTUnwrap(scriptPid("w\(index)"), "the script started"))
            client.close()
        }
        for pid in pids { XCTAssertTrue(isGone(pid), "script \(pid) still runs after its client left") }
        XCTAssertLessThanOrEqual(server.openDescriptorCount(settling: { $0 <= before }), before, "no CLOSE_WAIT socket or pipe left")
    }

    /// As `curl --max-time 0.05`: clients that close right after sending,
    /// before their script has even started.
    func testClientsThatLeaveAtOnce() throws {
        for index in 0..<12 {
            let client = try RawClient(port: server.ports[0])
            client.send("GET /cgi/wait.sh?q\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            client.close()
        }
        for index in 0..<12 {
            guard let pid = scriptPid("q\(index)") else { continue }   // the server may have seen the close first
            XCTAssertTrue(isGone(pid), "script \(pid) still runs after its client left")
        }
    }

    func testScriptEndsWhenItsClientLeavesDuringTheAnswer() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /cgi/answering.sh?a HTTP/1.1\r\nHost: x\r\n\r\n")
        let received = String(decoding: client.read(until: "started"), as: UTF8.self)
        XCTAssertTrue(received.hasPrefix("HTTP/1.1 200") && received.contains("started"), received)
        let pid = try XCTUnwrap(scriptPid("a"))
        client.close()
        XCTAssertTrue(isGone(pid), "the script still runs after its client left")
    }

    /// The script does not read its stdin, so the server stops reading the
    /// body once 1 MiB waits for it: the client's leaving is still noticed.
    /// (Only a little more than that is sent: with much more, the client's
    /// close could not reach the server before the data, which it no longer reads.)
    func testScriptEndsWhenItsClientLeavesWhileTheBodyIsHeldBack() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("POST /cgi/wait.sh?b HTTP/1.1\r\nHost: x\r\nContent-Length: 16000000\r\n\r\n")
        let pid = try XCTUnwrap(scriptPid("b"))
        client.send([UInt8](repeating: UInt8(ascii: "x"), count: (1 << 20) + 80 * 1024))
        usleep(500_000)   // the server holds the body back by now (were it slower, the close ends the script anyway)
        client.close()
        XCTAssertTrue(isGone(pid), "the script still runs after its client left")
    }

    func testScriptThatIgnoresSIGTERMIsKilledAfterTheGracePeriod() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("GET /cgi/stubborn.sh?s HTTP/1.1\r\nHost: x\r\n\r\n")
        let pid = try XCTUnwrap(scriptPid("s"))
        client.close()
        XCTAssertTrue(isGone(pid), "the script still runs after its client left")
    }

    /// A client that is still there gets its answer: only a close ends the script.
    func testScriptRunsOnWhileItsClientWaits() throws {
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 1)
        client.send("GET /cgi/wait.sh?k HTTP/1.1\r\nHost: x\r\n\r\n")
        let pid = try XCTUnwrap(scriptPid("k"))
        XCTAssertNil(client.readResponse(), "no answer yet")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/proc/\(pid)"), "the script runs while its client waits")
        client.close()
        XCTAssertTrue(isGone(pid))
    }
}
