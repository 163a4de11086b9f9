import Foundation

/// Tests/Fixtures/proxy/upstream.py on a free port: the upstream the proxy
/// tests talk to (it echoes requests; see the script for its special paths).
final class EchoUpstream {
    let port = ServerProcess.freePort()
    private let process = Process()

    /// `idleSeconds`: how long the upstream keeps an idle connection open.
    init(idleSeconds: Double = 5) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/proxy/upstream.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, String(port), String(idleSeconds)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        _ = pipe.fileHandleForReading.availableData   // "ready": it listens
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
