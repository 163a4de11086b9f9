import XCTest
import Foundation
import Glibc
@testable import webserv

/// Never stale: on one keep-alive connection, a file is requested, changed,
/// and at once requested again; the answer is the file as it is now, for
/// every kind of change. These hold for a server that stats every request,
/// and guard any cache put in front of that.
/// Each kind of change is FreshnessLoopTests' (in-process); here the binary
/// as a whole, and a file's permission taken from an unprivileged server.
final class FreshnessTests: XCTestCase {
    private var server: ServerProcess!
    private var client: RawClient!

    static let config = """
    events { }
    http {
        types { text/html html; text/plain txt; }
        access_log off;
        error_log DIR/logs/error.log;
        keepalive_timeout 60s;
        server {
            listen 127.0.0.1:PORT0;
            root DIR/www;
        }
    }
    """

    override func setUpWithError() throws {
        server = try ServerProcess(config: FreshnessTests.config, files: [
            "www/a.txt": "first version",
            "www/b.txt": "b, first",
            "www/docs/other.txt": "a directory without an index file",
            "www/dir/inner.txt": "inner",
            "www/site/page.html": "site v1",
            "releases/1/page.html": "release 1",
            "releases/2/page.html": "release 2",
        ])
        client = try RawClient(port: server.ports[0])
    }

    override func tearDown() {
        client?.close()
        server.stop()
    }

    private func path(_ name: String) -> String { server.directory + "/" + name }

    /// GET on the one connection (keep-alive).
    private func get(_ target: String, headers: String = "") throws -> HTTPTestResponse {
        client.send("GET \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n")
        let response = try XCTUnwrap(client.readResponse(), "no answer to GET \(target)")
        XCTAssertNotEqual(response.header("Connection"), "close", "the connection must stay open")
        return response
    }

    private func write(_ name: String, _ text: String, line: UInt = #line) { FileEdits.write(path(name), text, line: line) }

    private func overwriteInPlace(_ name: String, _ text: String, line: UInt = #line) {
        FileEdits.overwriteInPlace(path(name), text, line: line)
    }

    func testPipelinedRequestsAfterAChange() throws {
        XCTAssertEqual(try get("/a.txt").bodyText, "first version")
        XCTAssertEqual(try get("/b.txt").bodyText, "b, first")
        overwriteInPlace("www/a.txt", "FIRST VERSION")
        write("www/b.txt", "b, second version")
        // Both requests in one write: the second is read with the first, with no wait in between.
        client.send("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "FIRST VERSION")
        XCTAssertEqual(client.readResponse()?.bodyText, "b, second version")
        // The change between two requests of one pipeline, the second sent after it.
        client.send("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "FIRST VERSION")
        write("www/a.txt", "third")
        client.send("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.bodyText, "third")
        XCTAssertEqual(client.readResponse()?.bodyText, "third")
    }

    /// chmod 000 is 403, as nginx. Root reads any file whatever its mode, so
    /// as root (CI) the server is started as `nobody` through setpriv(1);
    /// without setpriv the test is skipped.
    func testPermissionRemoved() throws {
        let target: ServerUnderTest
        if getuid() == 0 {
            target = try UnprivilegedServer(config: FreshnessTests.config, files: [
                "www/a.txt": "first version", "www/dir/inner.txt": "inner",
            ])
        } else {
            target = server
        }
        let client = try RawClient(port: target.port)
        func get(_ path: String) -> HTTPTestResponse? {
            client.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
            return client.readResponse()
        }
        XCTAssertEqual(get("/a.txt")?.bodyText, "first version")
        XCTAssertEqual(chmod(target.directory + "/www/a.txt", 0), 0)
        XCTAssertEqual(get("/a.txt")?.status, 403)
        XCTAssertEqual(chmod(target.directory + "/www/a.txt", 0o644), 0)
        XCTAssertEqual(get("/a.txt")?.bodyText, "first version")
        // A directory on the way that may no longer be entered.
        XCTAssertEqual(get("/dir/inner.txt")?.bodyText, "inner")
        XCTAssertEqual(chmod(target.directory + "/www/dir", 0), 0)
        XCTAssertEqual(get("/dir/inner.txt")?.status, 403)
        XCTAssertEqual(chmod(target.directory + "/www/dir", 0o755), 0)
        XCTAssertEqual(get("/dir/inner.txt")?.bodyText, "inner")
        client.close()
        target.stopServing()
    }
}

/// What the permission test needs of a running server.
private protocol ServerUnderTest: AnyObject {
    var directory: String { get }
    var port: Int { get }
    func stopServing()
}

extension ServerProcess: ServerUnderTest {
    fileprivate var port: Int { ports[0] }
    fileprivate func stopServing() {}   // tearDown stops it
}

/// The built webserv run as `nobody` (setpriv), for checks that root would
/// pass whatever the permissions: its directory is readable by all, its log
/// folder writable by all.
private final class UnprivilegedServer: ServerUnderTest {
    let directory: String
    let port: Int
    private let process: SpawnedProcess

    init(config: String, files: [String: String]) throws {
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let setpriv else { throw XCTSkip("running as root and setpriv(1) is missing: root ignores permissions") }
        directory = NSTemporaryDirectory() + "webserv-unprivileged-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        _ = chmod(directory + "/logs", 0o777)
        for (name, content) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        }
        // Its port is this process's socket, handed down (see ServerProcess).
        let socket = ServerProcess.boundLoopbackSocket()
        defer { close(socket.fd) }
        port = socket.port
        let text = config.replacingOccurrences(of: "DIR", with: directory).replacingOccurrences(of: "PORT0", with: String(port))
        let configPath = directory + "/webserv.conf"
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        var environment = ProcessInfo.processInfo.environment
        environment["NGINX"] = "\(socket.fd);"
        process = try SpawnedProcess(executable: setpriv, arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", "--", ServerProcess.binary, configPath],
                                     environment: environment, inherited: [socket.fd], errorPath: "/dev/null")
        for _ in 0..<200 {
            if let client = try? RawClient(port: port) { client.close(); return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        stopServing()
        // The binary or its folders not open to nobody, say: an environment this test cannot use.
        throw XCTSkip("webserv did not start as nobody (is \(ServerProcess.binary) reachable by all users?)")
    }

    func stopServing() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stopServing() }
}
