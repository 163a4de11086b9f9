import XCTest
import Glibc

/// SIGUSR1 (reopen the logs, for logrotate), SIGUSR2 (ignored), and workers
/// that do not outlive their master.
final class SignalTests: XCTestCase {
    private func lines(_ path: String) -> Int { WebservCommand.contents(path).split(separator: "\n").count }

    func testSIGUSR1ReopensTheLogsAndSIGUSR2IsIgnored() throws {
        let server = try ServerProcess(config: """
        error_log DIR/logs/error.log notice;
        events { }
        http { access_log DIR/logs/access.log; server { listen 127.0.0.1:PORT0; return 200 "up"; } }
        """)
        defer { server.stop() }
        let logs = server.directory + "/logs/"
        XCTAssertEqual(try server.get("/").bodyText, "up")
        XCTAssertTrue(WebservCommand.waitFor { lines(logs + "access.log") == 1 })
        // What logrotate does: rename, then signal.
        XCTAssertEqual(rename(logs + "access.log", logs + "access.log.1"), 0)
        XCTAssertEqual(rename(logs + "error.log", logs + "error.log.1"), 0)
        server.signal(SIGUSR1)
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(logs + "error.log").contains("reopening logs") },
                      "a new error log after SIGUSR1")
        XCTAssertEqual(try server.get("/").bodyText, "up")
        XCTAssertTrue(WebservCommand.waitFor { lines(logs + "access.log") == 1 }, "the request after SIGUSR1 goes to the new file")
        XCTAssertEqual(lines(logs + "access.log.1"), 1)

        server.signal(SIGUSR2)
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(logs + "error.log").contains("SIGUSR2") })
        XCTAssertTrue(server.process.isRunning)
        XCTAssertEqual(try server.get("/").bodyText, "up")
    }

    func testWorkersReopenTheirLogsAndExitWhenTheMasterDies() throws {
        let server = try ServerProcess(config: """
        worker_processes 2;
        error_log DIR/logs/error.log notice;
        events { }
        http { access_log DIR/logs/access.log; server { listen 127.0.0.1:PORT0; return 200 "up"; } }
        """)
        defer { server.stop() }
        let logs = server.directory + "/logs/"
        let master = server.process.processIdentifier
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.children(of: master).count == 2 })
        let workers = WebservCommand.children(of: master)
        // Should this test fail, no worker is left serving.
        defer { for worker in workers where WebservCommand.isAlive(worker) { kill(worker, SIGKILL) } }
        XCTAssertEqual(rename(logs + "access.log", logs + "access.log.1"), 0)
        XCTAssertEqual(rename(logs + "error.log", logs + "error.log.1"), 0)
        server.signal(SIGUSR1)
        // Every process says so in the new error log, under its own pid.
        XCTAssertTrue(WebservCommand.waitFor {
            let log = WebservCommand.contents(logs + "error.log")
            return ([master] + workers).allSatisfy { log.contains("\($0)#0: reopening logs: done") }
        }, WebservCommand.contents(logs + "error.log"))
        for _ in 0..<20 { XCTAssertEqual(try server.get("/").bodyText, "up") }
        XCTAssertTrue(WebservCommand.waitFor { lines(logs + "access.log") == 20 }, "every worker writes to the new access log")

        server.signal(SIGUSR2)
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(logs + "error.log").contains("SIGUSR2") })
        XCTAssertTrue(server.process.isRunning)

        // A master killed outright: its workers leave too, and free the port.
        server.signal(SIGKILL)
        server.process.waitUntilExit()
        XCTAssertTrue(WebservCommand.waitFor { workers.allSatisfy { !WebservCommand.isAlive($0) } }, "workers outlived their master")
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.portIsFree(server.ports[0]) })
    }
}
