import XCTest
import Glibc

/// `listen PORT` and `listen 127.0.0.1:PORT` in different servers: as nginx
/// (without `bind`), webserv binds only the wildcard and picks, for each
/// connection, the servers of the local address it reached: 127.0.0.1's
/// when it reached 127.0.0.1, the wildcard's otherwise (127.0.0.2 here,
/// another loopback address). Each address chooses among its own servers.
final class SharedPortTests: XCTestCase {
    private func config(workers: Int = 1, wildcard: Bool = true, loopback: Bool = true) -> String {
        """
        worker_processes \(workers);
        pid DIR/webserv.pid;
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log notice;
        \(wildcard ? """
            server { listen PORT0; server_name api; return 200 "wildcard-api"; }
            server { listen *:PORT0; server_name other; return 200 "wildcard-other"; }
        """ : "")
        \(loopback ? """
            server { listen 127.0.0.1:PORT0; server_name other; return 200 "loopback-other"; }
            server { listen 127.0.0.1:PORT0 default_server; return 200 "loopback-default"; }
        """ : "")
        }
        """
    }

    /// Two requests on one keep-alive connection to `host`: the answers' bodies (both must be intact).
    private func answers(_ server: ServerProcess, host: String, names: (String, String)) throws -> [String] {
        let client = try RawClient(port: server.ports[0], host: host)
        defer { client.close() }
        client.send("GET / HTTP/1.1\r\nHost: \(names.0)\r\n\r\nGET / HTTP/1.1\r\nHost: \(names.1)\r\n\r\n")
        return [client.readResponse(), client.readResponse()].map { response in
            guard let response, response.status == 200 else { return "no answer" }
            return response.bodyText
        }
    }

    private func expectBothAddresses(_ server: ServerProcess, file: StaticString = #filePath, line: UInt = #line) throws {
        // 127.0.0.1 chooses among its own servers only: 'api' is not one of their names.
        XCTAssertEqual(try answers(server, host: "127.0.0.1", names: ("api", "other")), ["loopback-default", "loopback-other"], file: file, line: line)
        XCTAssertEqual(try answers(server, host: "127.0.0.2", names: ("other", "api")), ["wildcard-other", "wildcard-api"], file: file, line: line)
        XCTAssertEqual(try answers(server, host: "127.0.0.2", names: ("unknown", "api")), ["wildcard-api", "wildcard-api"], file: file, line: line)
    }

    /// Rewrites the configuration and sends SIGHUP; returns once `condition` holds (up to 10 s).
    private func reload(_ server: ServerProcess, to text: String, until condition: () -> Bool) throws {
        let concrete = text.replacingOccurrences(of: "DIR", with: server.directory).replacingOccurrences(of: "PORT0", with: String(server.ports[0]))
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(concrete.utf8)))
        server.signal(SIGHUP)
        for _ in 0..<200 where !condition() { usleep(50_000) }
        XCTAssertTrue(condition(), "the reload took effect")
    }

    private func body(_ server: ServerProcess, host: String, name: String = "other") -> String? {
        guard let client = try? RawClient(port: server.ports[0], host: host) else { return nil }
        defer { client.close() }
        client.send("GET / HTTP/1.1\r\nHost: \(name)\r\nConnection: close\r\n\r\n")
        return client.readResponse()?.bodyText
    }

    func testAWildcardAndASpecificAddressShareTheirPort() throws {
        let server = try ServerProcess(config: config())
        defer { server.stop() }
        try expectBothAddresses(server)
    }

    func testAReloadAddsAndRemovesEitherAddress() throws {
        let server = try ServerProcess(config: config(loopback: false))
        defer { server.stop() }
        XCTAssertEqual(body(server, host: "127.0.0.1"), "wildcard-other")

        try reload(server, to: config()) { body(server, host: "127.0.0.1") == "loopback-other" }
        try expectBothAddresses(server)

        // Only 127.0.0.1 is left: it needs a socket of its own now.
        try reload(server, to: config(wildcard: false)) { body(server, host: "127.0.0.2") == nil }
        XCTAssertEqual(body(server, host: "127.0.0.1", name: "api"), "loopback-default")

        try reload(server, to: config()) { body(server, host: "127.0.0.2") == "wildcard-other" }
        try expectBothAddresses(server)

        try reload(server, to: config(loopback: false)) { body(server, host: "127.0.0.1") == "wildcard-other" }
        XCTAssertEqual(body(server, host: "127.0.0.2", name: "api"), "wildcard-api")
        let log = try String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)
        XCTAssertFalse(log.contains("failed"), log)
        XCTAssertTrue(server.process.isRunning)
    }

    func testWithTwoWorkers() throws {
        let server = try ServerProcess(config: config(workers: 2))
        defer { server.stop() }
        // Several connections each time: the kernel spreads them over both workers.
        for _ in 0..<4 { try expectBothAddresses(server) }
        try reload(server, to: config(workers: 2, loopback: false)) {
            (0..<8).allSatisfy { _ in body(server, host: "127.0.0.1") == "wildcard-other" }
        }
        try reload(server, to: config(workers: 2)) {
            (0..<8).allSatisfy { _ in body(server, host: "127.0.0.1") == "loopback-other" }
        }
        for _ in 0..<4 { try expectBothAddresses(server) }
    }
}
