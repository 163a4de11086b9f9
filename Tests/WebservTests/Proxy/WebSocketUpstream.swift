import Foundation
import Glibc

/// Tests/Fixtures/proxy/websocket_upstream.py on a free port: a hand-written
/// RFC 6455 echo (see the script for its paths), with a file of what it saw
/// end (`events`).
final class WebSocketUpstream {
    private let fixture: FixtureServer
    var port: Int { fixture.port }
    /// One line per event ("closed /echo", "got /switch-anyway 0").
    let eventsPath: String

    /// `tls`: a certificate and its key files, to speak TLS.
    init(tls: (certificate: String, key: String)? = nil) throws {
        eventsPath = NSTemporaryDirectory() + "webserv-ws-events-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        FileManager.default.createFile(atPath: eventsPath, contents: nil)
        fixture = try FixtureServer(script: "websocket_upstream.py", arguments: [eventsPath] + (tls.map { [$0.certificate, $0.key] } ?? []))
    }

    var events: [String] {
        ((try? String(contentsOfFile: eventsPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits (generously: up to `seconds`) for `event` to be noted.
    func waitFor(_ event: String, seconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if events.contains(event) { return true }
            usleep(20_000)
        }
        return events.contains(event)
    }

    /// Lets /events write its second event.
    func release() {
        FileManager.default.createFile(atPath: eventsPath + ".release", contents: nil)
    }

    func stop() {
        fixture.stop()
        try? FileManager.default.removeItem(atPath: eventsPath)
        try? FileManager.default.removeItem(atPath: eventsPath + ".release")
    }

    deinit { stop() }
}

/// RFC 6455 frames as a client sends them (masked) and reads them.
enum WebSocketFrame {
    static func masked(_ payload: [UInt8], opcode: UInt8 = 0x1) -> [UInt8] {
        var frame: [UInt8] = [0x80 | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return frame
    }

    static func masked(_ text: String) -> [UInt8] { masked(Array(text.utf8)) }

    /// Reads one unmasked frame from `client`: its opcode and payload (nil: the connection ended first).
    static func read(from client: RawClient) -> (opcode: UInt8, payload: [UInt8])? {
        let start = client.read(count: 2)
        guard start.count == 2 else { return nil }
        var length = Int(start[1] & 0x7F)
        if length == 126 {
            let bytes = client.read(count: 2)
            guard bytes.count == 2 else { return nil }
            length = Int(bytes[0]) << 8 | Int(bytes[1])
        } else if length == 127 {
            let bytes = client.read(count: 8)
            guard bytes.count == 8 else { return nil }
            length = bytes.reduce(0) { $0 << 8 | Int($1) }
        }
        let payload = client.read(count: length)
        guard payload.count == length else { return nil }
        return (start[0] & 0x0F, payload)
    }
}
