import XCTest
import Glibc
@testable import webserv

/// `webserv -s reload|reopen|stop|quit`, `-v`, `-V`, `-h`, as nginx's.
final class CommandLineTests: XCTestCase {
    func testVersionBuildAndHelp() throws {
        let version = try WebservCommand.run(["-v"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.errors.hasPrefix("webserv version: webserv/"), version.errors)
        let build = try WebservCommand.run(["-V"])
        XCTAssertEqual(build.status, 0)
        XCTAssertTrue(build.errors.hasPrefix(version.errors), build.errors)
        XCTAssertTrue(build.errors.contains("built with Swift"), build.errors)
        let help = try WebservCommand.run(["-h"])
        XCTAssertEqual(help.status, 0)
        for option in ["-t", "-s SIGNAL", "-v", "-V", "-c"] { XCTAssertTrue(help.errors.contains(option), help.errors) }
    }

    func testSignalsTheInstanceNamedByThePidFile() throws {
        let config = """
        pid DIR/logs/webserv.pid;
        error_log DIR/logs/error.log notice;
        events { }
        http { access_log off; server { listen 127.0.0.1:PORT0; return 200 "first"; } }
        """
        let server = try ServerProcess(config: config)
        defer { server.stop() }
        let logs = server.directory + "/logs/"

        let second = config.replacingOccurrences(of: "DIR", with: server.directory)
            .replacingOccurrences(of: "PORT0", with: String(server.ports[0])).replacingOccurrences(of: "first", with: "second")
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(second.utf8)))
        let reload = try WebservCommand.run(["-s", "reload", server.configPath])
        XCTAssertEqual(reload.status, 0, reload.errors)
        XCTAssertTrue(WebservCommand.waitFor { (try? server.get("/").bodyText) == "second" })

        XCTAssertEqual(rename(logs + "error.log", logs + "error.log.1"), 0)
        XCTAssertEqual(try WebservCommand.run(["-s", "reopen", "-c", server.configPath]).status, 0)
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(logs + "error.log").contains("reopening logs") })

        XCTAssertEqual(try WebservCommand.run(["-s", "quit", server.configPath]).status, 0)
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: logs + "webserv.pid"))

        // Nothing runs now: the pid file is missing, which is an error naming it.
        let none = try WebservCommand.run(["-s", "stop", server.configPath])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.errors.contains(logs + "webserv.pid"), none.errors)
    }

    func testStopEndsAnInstanceAtOnce() throws {
        let server = try ServerProcess(config: """
        pid DIR/logs/webserv.pid;
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; return 204; } }
        """)
        defer { server.stop() }
        let stop = try WebservCommand.run(["-s", "stop", server.configPath])
        XCTAssertEqual(stop.status, 0, stop.errors)
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
    }
}
