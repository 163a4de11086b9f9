import XCTest
import Foundation
@testable import webserv

/// Start-up checks, -t, and SIGHUP reloads.
final class OperationsTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func write(_ text: String) -> String {
        let path = NSTemporaryDirectory() + "webserv-t-\(UInt32.random(in: 0...UInt32.max)).conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    func testCheckOnlyPrintsConfcheckDiagnostics() throws {
        let bad = write("events { }\nhttp { server { listen 80; servr_name x; } }\n")
        let result = try run(["-t", bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("\(bad):2:28: error: unknown directive 'servr_name'; did you mean 'server_name'? [directive.unknown]"), result.errors)
        let good = write("events { }\nhttp { server { listen 80; } }\n")
        XCTAssertEqual(try run(["-t", good]).status, 0)
    }

    func testNeverStartsWithAnInvalidConfiguration() throws {
        let bad = write("events { }\nhttp { server { listen 99999; } }\n")
        let result = try run([bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("value.port"), result.errors)
        XCTAssertEqual(try run([]).status, 2)
    }

    func testReloadAppliesAValidConfigurationAndKeepsTheOldOnError() throws {
        let server = try ServerProcess(config: """
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; return 200 "first"; } }
        """, portCount: 2)
        defer { server.stop() }
        XCTAssertEqual(try server.get("/").bodyText, "first")
        let second = """
        events { }
        http { access_log off; error_log \(server.directory)/logs/error.log;
            server { listen 127.0.0.1:\(server.ports[0]); return 200 "second"; }
            server { listen 127.0.0.1:\(server.ports[1]); return 200 "new port"; } }
        """
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(second.utf8)))
        server.signal(SIGHUP)
        try waitFor { (try? server.get("/").bodyText) == "second" }
        XCTAssertEqual(try server.request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", port: server.ports[1]).bodyText, "new port")

        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data("events { }\nhttp { server { listen nope:1:2; } }\n".utf8)))
        server.signal(SIGHUP)
        try waitFor { ((try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)) ?? "").contains("keeping the current") }
        XCTAssertEqual(try server.get("/").bodyText, "second", "an invalid configuration keeps the old one")
        let log = try String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)
        XCTAssertTrue(log.contains("keeping the current configuration"), log)
        XCTAssertTrue(log.contains("value.address") || log.contains("error:"), log)

        // Hostile nesting in the new file: reported, and the server lives on.
        let deep = String(repeating: "a {", count: 100_000) + String(repeating: "}", count: 100_000)
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data("events { }\nhttp { \(deep) }\n".utf8)))
        server.signal(SIGHUP)
        try waitFor { ((try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)) ?? "").contains("syntax.too-deep") }
        XCTAssertEqual(try server.get("/").bodyText, "second")
    }

    func testARequestInFlightDuringSIGHUPKeepsItsConfiguration() throws {
        func config(_ page: String, log: String) -> String {
            """
            error_log \(log) notice;
            events { }
            http { access_log off; error_log \(log);
                server { listen 127.0.0.1:PORT0; root ROOT;
                    location /up/ { allow_methods POST; upload_store ROOT/store; client_max_body_size 10; error_page 413 /\(page); } } }
            """
        }
        let server = try ServerProcess(config: config("a.html", log: "DIR/logs/error.log").replacingOccurrences(of: "ROOT", with: "DIR"),
                                       files: ["a.html": "page of the first configuration", "b.html": "page of the second", "store/.keep": ""])
        defer { server.stop() }
        let client = try RawClient(port: server.ports[0])
        client.send("POST /up/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        let second = config("b.html", log: server.directory + "/logs/error.log")
            .replacingOccurrences(of: "ROOT", with: server.directory).replacingOccurrences(of: "PORT0", with: String(server.ports[0]))
        XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(second.utf8)))
        server.signal(SIGHUP)
        try waitFor { ((try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)) ?? "").contains("reloaded") }
        // The body now passes the limit: the answer is the one the request started with.
        client.send("14\r\n" + String(repeating: "x", count: 20) + "\r\n0\r\n\r\n")
        let inFlight = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(inFlight.status, 413)
        XCTAssertEqual(inFlight.bodyText, "page of the first configuration")
        let fresh = try server.request("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n" + String(repeating: "y", count: 20))
        XCTAssertEqual(fresh.bodyText, "page of the second", "a new request gets the new configuration")
    }

    func testReloadWithASpecialFileKeepsServing() throws {
        let server = try ServerProcess(config: """
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; return 200 "first"; } }
        """)
        defer { server.stop() }
        XCTAssertEqual(try server.get("/").bodyText, "first")
        XCTAssertEqual(mkfifo(server.directory + "/pipe.conf", 0o644), 0)
        let log = server.directory + "/logs/error.log"
        for (include, expected) in [("pipe.conf", "it is a FIFO"), ("/dev/zero", "it is a character device")] {
            let text = "events { }\nhttp { include \(include); server { listen 127.0.0.1:\(server.ports[0]); return 200 x; } }\n"
            XCTAssertTrue(FileManager.default.createFile(atPath: server.configPath, contents: Data(text.utf8)))
            server.signal(SIGHUP)
            try waitFor { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(expected) }
            // The loop was not blocked by the FIFO, nor the process ended by /dev/zero.
            XCTAssertEqual(try server.get("/").bodyText, "first", include)
        }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertTrue(text.contains("keeping the current configuration"), text)
        XCTAssertTrue(server.process.isRunning)
    }

    /// As nginx on a binary upgrade: a socket named in `NGINX` serves its
    /// address, not bound again. Here the test keeps its own copy open, so
    /// binding the address again would fail.
    func testAHandedDownSocketServesItsAddressWithoutBindingAgain() throws {
        let (fd, port) = ServerProcess.boundLoopbackSocket()
        defer { close(fd) }
        let directory = NSTemporaryDirectory() + "webserv-inherit-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = "pid \(directory)/pid;\nevents { }\nhttp { access_log off; server { listen 127.0.0.1:\(port); return 200 inherited; } }\n"
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/webserv.conf", contents: Data(text.utf8)))
        var environment = ProcessInfo.processInfo.environment
        environment["NGINX"] = "\(fd);"
        let process = try SpawnedProcess(executable: ServerProcess.binary, arguments: [directory + "/webserv.conf"], environment: environment,
                                         inherited: [fd], errorPath: directory + "/stderr")
        defer { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() }
        var answer: String?
        for _ in 0..<200 where answer == nil && process.isRunning {
            if let client = try? RawClient(port: port) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = client.readResponse()?.bodyText
            } else {
                usleep(20_000)
            }
        }
        XCTAssertEqual(answer, "inherited", (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? "")
    }

    /// Every port a test asked for stays taken while its server runs, used
    /// or not (a later reload or a refused upstream uses it): no other
    /// process can take one in between.
    func testAServersPortsCannotBeTakenWhileItRuns() throws {
        let server = try ServerProcess(config: "events { }\nhttp { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; } }\n",
                                       portCount: 3)
        defer { server.stop() }
        for port in server.ports {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            XCTAssertEqual(result, -1, "port \(port) could be taken")
        }
        XCTAssertThrowsError(try RawClient(port: server.ports[1]), "a port no address listens on refuses connections")
        XCTAssertEqual(try server.get("/").status, 404)
    }

    func testSigtermStops() throws {
        let server = try ServerProcess(config: "events { }\nhttp { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; } }\n")
        server.signal(SIGTERM)
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
    }

    func testSigquitFinishesInFlightRequestsThenExits() throws {
        let server = try ServerProcess(config: """
        events { }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; root DIR/www; client_body_timeout 5s;
            location /up/ { allow_methods PUT; upload_store DIR/www; } } }
        """, files: ["www/a.txt": "A"])
        let busy = try RawClient(port: server.ports[0])
        busy.send("PUT /up/late.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nla")
        let idle = try RawClient(port: server.ports[0])
        idle.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(idle.readResponse()?.status, 200)
        usleep(100_000)
        server.signal(SIGQUIT)
        usleep(200_000)
        XCTAssertTrue(idle.isClosedByPeer(), "idle keep-alive connections close at once")
        XCTAssertNil(try? RawClient(port: server.ports[0]), "no new connections")
        busy.send("te")
        XCTAssertEqual(busy.readResponse()?.status, 201, "the in-flight request is finished")
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
        XCTAssertEqual(try String(contentsOfFile: server.directory + "/www/late.txt", encoding: .utf8), "late")
    }

    func testWorkerConnectionsCapsConnectionsWithoutRefusingForever() throws {
        let server = try ServerProcess(config: """
        events { worker_connections 2; }
        http { access_log off; error_log DIR/logs/error.log; server { listen 127.0.0.1:PORT0; root DIR/www; keepalive_timeout 30s; } }
        """, files: ["www/a.txt": "A"])
        defer { server.stop() }
        // waitUntilListening used one connection; hold two more open.
        usleep(100_000)
        let first = try RawClient(port: server.ports[0])
        first.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(first.readResponse()?.status, 200)
        let second = try RawClient(port: server.ports[0])
        second.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(second.readResponse()?.status, 200)
        // A third waits in the backlog until one closes.
        let third = try RawClient(port: server.ports[0], timeoutSeconds: 1)
        third.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertNil(third.readResponse(), "not accepted while at the cap")
        first.close()
        let waiting = try RawClient(port: server.ports[0], timeoutSeconds: 5)
        _ = waiting
        XCTAssertEqual(third.readResponse()?.status, 200, "accepted once a slot is free")
    }

    /// What happens while answering a request goes to the error_log of its
    /// location (inherited from server and http, as in nginx); the server's
    /// own events go to the main one.
    func testErrorLogsPerContext() throws {
        let server = try ServerProcess(config: """
        error_log DIR/logs/main.log notice;
        events { }
        http {
            access_log off;
            error_log DIR/logs/http.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /own/ { error_log DIR/logs/own.log; }
                location $ .py { cgi_path /usr/bin/python3; }
            }
        }
        """, files: [
            "www/crash.py": "import sys\nsys.stderr.write('boom-top\\n')\nraise SystemExit(3)",
            "www/own/crash.py": "import sys\nsys.stderr.write('boom-own\\n')\nraise SystemExit(3)",
        ])
        defer { server.stop() }
        XCTAssertEqual(try server.get("/crash.py").status, 502)
        XCTAssertEqual(try server.get("/own/crash.py").status, 502)
        func log(_ name: String) -> String {
            (try? String(contentsOfFile: server.directory + "/logs/" + name, encoding: .utf8)) ?? ""
        }
        try waitFor { log("http.log").contains("boom-top") && log("own.log").contains("boom-own") }
        XCTAssertFalse(log("http.log").contains("boom-own"))
        XCTAssertFalse(log("own.log").contains("boom-top"))
        XCTAssertTrue(log("main.log").contains("[notice]") && log("main.log").contains("listening on"), log("main.log"))
        XCTAssertFalse(log("main.log").contains("boom"))
    }

    private func waitFor(_ condition: () -> Bool) throws {
        for _ in 0..<100 where !condition() { usleep(50_000) }
        XCTAssertTrue(condition())
    }
}
