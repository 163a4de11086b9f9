import Foundation

/// Tests/Fixtures/proxy/tls_upstream.py on a free port: an HTTPS upstream
/// (Python's `ssl`) whose answers say which server name it was sent, which
/// of its connections answered, and whether the handshake resumed a session;
/// `garbage`: one that answers a ClientHello with plain text.
final class TLSUpstream {
    let port: Int
    private let process = Process()

    /// `mode`: tls, garbage, silent (never answers), or client (requires a client certificate `clientCA` issued).
    init(certificate: String, key: String, mode: String = "tls", clientCA: String? = nil) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/proxy/tls_upstream.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "0", certificate, key, mode] + (clientCA.map { [$0] } ?? [])
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
            throw NSError(domain: "TLSUpstream", code: 1, userInfo: [NSLocalizedDescriptionKey: "tls_upstream.py did not start: \(line)"])
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
