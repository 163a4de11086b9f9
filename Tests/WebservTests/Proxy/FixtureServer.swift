import Foundation

/// A Python server of Tests/Fixtures/proxy/ run by /usr/bin/python3 on a
/// free port: the script binds port 0 and prints "ready PORT", so no other
/// process can take the port in between. The upstreams the proxy tests talk
/// to are each one of these with their own arguments.
final class FixtureServer {
    let port: Int
    private let process = Process()

    /// `script`: a file name in Tests/Fixtures/proxy/; `arguments` follow the port (0).
    init(script: String, arguments: [String]) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/proxy/" + script).path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [path, "0"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = ""
        while !line.hasSuffix("\n") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        guard let port = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.terminate()
            throw NSError(domain: "FixtureServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(script) did not start: \(line)"])
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
