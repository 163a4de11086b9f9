import Foundation
import Glibc
import XCTest

/// The built `webserv` binary, started on a generated configuration with
/// free ports, for black-box tests over real sockets. The ports are this
/// process's sockets, handed down to webserv (`NGINX="fd;..."`, as nginx's
/// binary upgrade) instead of freed for it to bind: no other process can
/// take one in between, however busy the machine. When a test fails, the
/// stderr (and logs/error.log) of every server still running is printed.
final class ServerProcess {
    let directory: String
    let configPath: String
    let ports: [Int]
    let process: SpawnedProcess
    /// webserv's stderr (beside the directory, so that no listing of it changes).
    let errorPath: String

    static var binary: String {
        // The test bundle sits in the same build folder as the executable.
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [folder.appendingPathComponent("webserv").path]
        if folder.lastPathComponent.hasSuffix(".xctest") {
            candidates.append(folder.deletingLastPathComponent().appendingPathComponent("webserv").path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/webserv").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A free TCP port on 127.0.0.1 (bound, read back, released). Another
    /// process may take it before it is used: a server started by a test gets
    /// its sockets instead (`ports`, `InheritedSockets`).
    static func freePort() -> Int {
        let (fd, port) = boundLoopbackSocket()
        close(fd)
        return port
    }

    /// A TCP socket bound to a free port on 127.0.0.1 (or every address), and the port.
    static func boundLoopbackSocket(anyAddress: Bool = false) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        // As webserv's own listeners: the connections it accepts inherit the option, so their
        // TIME_WAIT does not keep the port from being bound again once the server is gone.
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = anyAddress ? INADDR_ANY.bigEndian : inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// `config` may use `PORT0`, `PORT1`... and `DIR` (the temp directory); `files` are created in DIR.
    /// A port is bound on 127.0.0.1 when the configuration writes `127.0.0.1:PORTn` (or does
    /// not use it), otherwise on every address (`listen PORTn`); it is webserv's socket for
    /// that `listen` address, and refuses connections while nothing listens on it. A
    /// configuration that also listens on `PORTn` alone or `*:PORTn` gets the wildcard: as
    /// nginx, webserv binds only that one, and it accepts for `127.0.0.1:PORTn` too.
    init(config: String, files: [String: String] = [:], portCount: Int = 1) throws {
        directory = NSTemporaryDirectory() + "webserv-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        for (name, content) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        }
        let sockets = (0..<portCount).map { index in
            ServerProcess.boundLoopbackSocket(anyAddress: config.contains("PORT\(index)") && !config.contains("127.0.0.1:PORT\(index)")
                                                  || ServerProcess.listensOnTheWildcard(config, port: "PORT\(index)"))
        }
        defer { for socket in sockets { close(socket.fd) } }   // webserv has them now
        ports = sockets.map(\.port)
        var text = config.replacingOccurrences(of: "DIR", with: directory)
        for (index, port) in ports.enumerated() { text = text.replacingOccurrences(of: "PORT\(index)", with: String(port)) }
        configPath = directory + "/webserv.conf"
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        errorPath = directory + ".stderr"
        var environment = ProcessInfo.processInfo.environment
        environment["NGINX"] = sockets.map { "\($0.fd);" }.joined()
        process = try SpawnedProcess(executable: ServerProcess.binary, arguments: [configPath], environment: environment,
                                     inherited: sockets.map(\.fd), errorPath: errorPath)
        ServerProcess.running.append(Weak(self))
        ServerProcess.registerFailureObserver
        try waitUntilListening()
    }

    /// `listen PORTn` or `listen *:PORTn` (followed by `;` or a parameter).
    static func listensOnTheWildcard(_ config: String, port: String) -> Bool {
        ["listen \(port)", "listen *:\(port)"].contains { form in
            [";", " "].contains { config.contains(form + $0) }
        }
    }

    /// What webserv wrote to stderr so far.
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Up to 10 s: a debug build starting on a machine busy with other work.
    private func waitUntilListening() throws {
        for _ in 0..<500 {
            if let client = try? RawClient(port: ports[0]) { client.close(); return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "webserv did not start; its stderr:\n\(errors)"])
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Descriptors the server holds open right now.
    var openDescriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }

    /// The descriptor count once it meets `condition`, or after about three
    /// seconds: sockets of connections just answered close a moment later on
    /// the server's side, later still on a loaded machine.
    func openDescriptorCount(settling condition: (Int) -> Bool) -> Int {
        var count = openDescriptorCount
        for _ in 0..<30 where !condition(count) {
            usleep(100_000)
            count = openDescriptorCount
        }
        return count
    }

    func stop() {
        if process.isRunning {
            signal(SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: errorPath)
        ServerProcess.running.removeAll { $0.server == nil || $0.server === self }
    }

    deinit { stop() }

    // MARK: a failing test shows the servers' stderr

    private struct Weak {
        weak var server: ServerProcess?
        init(_ server: ServerProcess) { self.server = server }
    }

    /// Servers not stopped yet (tests run one at a time, on one thread).
    private static var running: [Weak] = []

    private final class FailureObserver: NSObject, XCTestObservation {
        /// Once per failing test, not per failed assertion.
        private var lastTest = ""

        func testCase(_ testCase: XCTestCase, didFailWithDescription description: String, inFile filePath: String?, atLine lineNumber: Int) {
            guard testCase.name != lastTest else { return }
            lastTest = testCase.name
            for server in ServerProcess.running.compactMap(\.server) {
                print("webserv's stderr (\(server.configPath)):\n\(server.errors)")
                // Most tests send the error log to DIR/logs/error.log.
                if let log = try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8) {
                    print("its logs/error.log:\n\(log)")
                }
            }
        }
    }

    private static let registerFailureObserver: Void = XCTestObservationCenter.shared.addTestObserver(FailureObserver())
}
