import XCTest
import Glibc

/// What a start needs, checked by -t; a failed start that leaves the running
/// instance alone; IPv4 and IPv6 on one port.
final class StartupTests: XCTestCase {
    func testTheSmallestConfigurationChecksAndStartsInAFolderWithoutLogs() throws {
        let directory = try WebservCommand.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/www/index.html", contents: Data("home".utf8)))
        let port = ServerProcess.freePort()
        let config = directory + "/webserv.conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: config, contents: Data(
            "events {} http { server { listen 127.0.0.1:\(port); root www; } }\n".utf8)))
        let check = try WebservCommand.run(["-t", config])
        XCTAssertEqual(check.status, 0, check.errors)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = [config]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var answer: HTTPTestResponse?
        WebservCommand.waitFor {
            guard process.isRunning, let client = try? RawClient(port: port) else { return !process.isRunning }
            client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = client.readResponse()
            return true
        }
        XCTAssertTrue(process.isRunning, String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))
        XCTAssertEqual(answer?.bodyText, "home")
        XCTAssertEqual(WebservCommand.contents(directory + "/logs/webserv.pid"), "\(process.processIdentifier)\n")
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(directory + "/logs/access.log").contains("GET / HTTP/1.1") })
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testCheckOpensTheLogsAndThePidFileAsAStartWould() throws {
        let directory = try WebservCommand.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases = [
            ("error_log \(directory)/none/error.log;\npid \(directory)/webserv.pid;", "cannot open log file '\(directory)/none/error.log'"),
            ("error_log \(directory)/error.log;\npid \(directory)/none/webserv.pid;", "cannot write pid file '\(directory)/none/webserv.pid'"),
            ("error_log \(directory)/error.log;\npid \(directory)/webserv.pid;\nhttp { access_log \(directory)/none/a.log; }",
             "cannot open log file '\(directory)/none/a.log'"),
        ]
        for (main, expected) in cases {
            let config = directory + "/webserv.conf"
            let text = main.contains("http {") ? "events { }\n" + main.replacingOccurrences(of: "}", with: "server { listen 127.0.0.1:1; } }")
                : "events { }\n\(main)\nhttp { server { listen 127.0.0.1:1; } }"
            XCTAssertTrue(FileManager.default.createFile(atPath: config, contents: Data(text.utf8)))
            let check = try WebservCommand.run(["-t", config])
            XCTAssertEqual(check.status, 1, text)
            XCTAssertTrue(check.errors.contains(expected), check.errors)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/webserv.pid"), "-t writes no pid file")
    }

    func testAStartThatFailsLeavesTheRunningInstancesPidFile() throws {
        let server = try ServerProcess(config: """
        pid DIR/logs/webserv.pid;
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; return 204; } }
        """)
        defer { server.stop() }
        let pidFile = server.directory + "/logs/webserv.pid"
        let running = "\(server.process.processIdentifier)\n"
        XCTAssertEqual(WebservCommand.contents(pidFile), running)
        let single = try WebservCommand.run([server.configPath])
        XCTAssertEqual(single.status, 1)
        XCTAssertTrue(single.errors.contains("Address already in use"), single.errors)
        XCTAssertEqual(WebservCommand.contents(pidFile), running, "the running server's pid file is intact")

        let withWorkers = server.directory + "/workers.conf"
        let text = "worker_processes 2;\n" + WebservCommand.contents(server.configPath)
        XCTAssertTrue(FileManager.default.createFile(atPath: withWorkers, contents: Data(text.utf8)))
        let master = try WebservCommand.run([withWorkers])
        XCTAssertEqual(master.status, 1)
        XCTAssertEqual(WebservCommand.contents(pidFile), running, "the running server's pid file is intact")
        XCTAssertEqual(try server.request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 204)
    }

    func testIPv4AndIPv6OnOnePort() throws {
        let server = try ServerProcess(config: """
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen PORT0; listen [::]:PORT0; return 200 "both"; } }
        """)
        defer { server.stop() }
        XCTAssertEqual(try server.get("/").bodyText, "both")
        XCTAssertEqual(try requestOverIPv6(port: server.ports[0]), "both")
    }

    /// One GET to [::1]:port; the body.
    private func requestOverIPv6(port: Int) throws -> String {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        XCTAssertEqual(inet_pton(AF_INET6, "::1", &address.sin6_addr), 1)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard connected == 0 else { throw NSError(domain: "IPv6", code: Int(errno)) }
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        return text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    }
}
