import XCTest
import Glibc
@testable import webserv

/// worker_processes > 1: a master that starts, supervises and signals workers.
final class WorkerProcessesTests: XCTestCase {
    private func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private func waitFor(_ condition: () -> Bool) {
        for _ in 0..<100 where !condition() { usleep(50_000) }
        XCTAssertTrue(condition())
    }

    func testMasterStartsSupervisesAndSignalsItsWorkers() throws {
        let config = """
        worker_processes 2;
        pid DIR/webserv.pid;
        events { }
        http { access_log off; error_log DIR/error.log notice; server { listen 127.0.0.1:PORT0; return 200 "first"; } }
        """
        let server = try ServerProcess(config: config)
        defer { server.stop() }
        let master = server.process.processIdentifier
        let pidText = try String(contentsOfFile: server.directory + "/webserv.pid", encoding: .utf8)
        XCTAssertEqual(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), master, "the pid file names the master")
        waitFor { children(of: master).count == 2 }
        for _ in 0..<10 { XCTAssertEqual(try server.get("/").bodyText, "first") }

        // SIGHUP reaches every worker: every new connection gets the new answer.
        let second = config.replacingOccurrences(of: "DIR", with: server.directory)
            .replacingOccurrences(of: "PORT0", with: String(server.ports[0])).replacingOccurrences(of: "first", with: "second")
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(second.utf8)))
        server.signal(SIGHUP)
        waitFor { (0..<20).allSatisfy { _ in (try? server.get("/").bodyText) == "second" } }

        // A worker that dies is replaced (after its first second).
        usleep(1_100_000)
        let victim = try XCTUnwrap(children(of: master).first)
        kill(victim, SIGKILL)
        waitFor { let now = children(of: master); return now.count == 2 && !now.contains(victim) }
        XCTAssertEqual(try server.get("/").bodyText, "second")

        // SIGQUIT: the workers finish, the master exits and removes its pid file.
        let workers = children(of: master)
        server.signal(SIGQUIT)
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.directory + "/webserv.pid"))
        for worker in workers { XCTAssertEqual(kill(worker, 0), -1, "worker \(worker) is gone") }
    }

    /// The master speaks for the process group, as nginx's does: start and
    /// reload are one line each, however many workers and servers.
    func testListeningAndReloadAreLoggedOnceWhateverTheWorkersAndServers() throws {
        let config = """
        worker_processes 3;
        error_log DIR/error.log info;
        events { }
        http { access_log off;
            server { listen 127.0.0.1:PORT0; server_name a; return 200 "first"; }
            server { listen 127.0.0.1:PORT0; server_name b; return 200 "first"; }
            server { listen 127.0.0.1:PORT0; server_name c; return 200 "first"; } }
        """
        let server = try ServerProcess(config: config)
        defer { server.stop() }
        let master = server.process.processIdentifier
        waitFor { children(of: master).count == 3 }
        waitFor { (0..<20).allSatisfy { _ in (try? server.get("/").bodyText) == "first" } }
        let second = config.replacingOccurrences(of: "DIR", with: server.directory)
            .replacingOccurrences(of: "PORT0", with: String(server.ports[0])).replacingOccurrences(of: "first", with: "second")
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(second.utf8)))
        server.signal(SIGHUP)
        // Every worker has applied it (and said so, if it would) once each answers anew.
        waitFor { (0..<20).allSatisfy { _ in (try? server.get("/").bodyText) == "second" } }
        let log = try String(contentsOfFile: server.directory + "/error.log", encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "listening on http://127.0.0.1:\(server.ports[0])/").count - 1, 1, log)
        XCTAssertEqual(log.components(separatedBy: "configuration \(server.configPath) reloaded").count - 1, 1, log)
    }

    func testAPortInUseIsOneErrorAtStart() throws {
        let holder = try Socket.listen(on: .init(host: "127.0.0.1", port: 0))
        defer { Socket.close(holder.fd) }
        let path = NSTemporaryDirectory() + "workers-\(UInt32.random(in: 0...UInt32.max)).conf"
        let text = "worker_processes 3;\nerror_log stderr;\npid \(path).pid;\nevents { }\nhttp { access_log off; server { listen 127.0.0.1:\(holder.port); } }\n"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { unlink(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = [path]
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let errors = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(errors.contains("cannot listen on"), errors)
    }

    func testPidFileOfASingleProcessServer() throws {
        let server = try ServerProcess(config: """
        pid DIR/logs/webserv.pid;
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; return 204; } }
        """)
        defer { server.stop() }
        let path = server.directory + "/logs/webserv.pid"
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "\(server.process.processIdentifier)\n")
        XCTAssertEqual(children(of: server.process.processIdentifier), [], "worker_processes 1 serves in this process")
        server.signal(SIGTERM)
        server.process.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
