import Foundation

/// Tests/Fixtures/proxy/upstream.py on a free port (it binds port 0 and
/// says which it got, so no other process can take it in between): the
/// upstream the proxy tests talk to (it echoes requests; see the script for
/// its special paths).
final class EchoUpstream {
    let port: Int
    private let process = Process()

    /// `idleSeconds`: how long the upstream keeps an idle connection open.
    init(idleSeconds: Double = 5) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/proxy/upstream.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "0", String(idleSeconds)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        // "ready PORT": it listens.
        var line = ""
        while !line.hasSuffix("\n") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        guard let port = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.terminate()
            throw NSError(domain: "EchoUpstream", code: 1, userInfo: [NSLocalizedDescriptionKey: "upstream.py did not start: \(line)"])
        }
        self.port = port
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
