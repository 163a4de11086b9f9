import Foundation
import Glibc

/// A keep-alive TCP upstream for black-box proxy tests that answers each
/// request with bytes written as the test scripts them: pieces with pauses
/// between them (an interim answer, then the final one later). A request
/// for a path it was not given is answered 404.
final class ScriptedUpstream {
    /// Bytes to write, after waiting `pauseMilliseconds`.
    struct Piece {
        var bytes: [UInt8]
        var pauseMilliseconds = 0
        /// The upstream closes the connection here (an answer cut short).
        var closes = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        init(_ text: String, pauseMilliseconds: Int = 0) {
            bytes = Array(text.utf8)
            self.pauseMilliseconds = pauseMilliseconds
        }

        static var close: Piece {
            var piece = Piece("")
            piece.closes = true
            return piece
        }
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var accepted = 0
    /// Connections accepted so far: a pooled one carries more than one request.
    var connectionCount: Int { lock.withLock { accepted } }

    /// `answers`: the pieces for each request path; `placeholder`, where the
    /// pieces hold it, becomes the upstream's port (an answer naming its own URL).
    init(answers: [String: [Piece]], replacing placeholder: String? = nil) {
        let (listener, port) = ServerProcess.boundLoopbackSocket()
        self.listener = listener
        self.port = port
        var answers = answers
        if let placeholder {
            answers = answers.mapValues { pieces in
                pieces.map { piece in
                    var replaced = piece
                    replaced.bytes = Array(String(decoding: piece.bytes, as: UTF8.self)
                        .replacingOccurrences(of: placeholder, with: String(port)).utf8)
                    return replaced
                }
            }
        }
        Glibc.listen(listener, 16)
        Thread.detachNewThread { [weak self] in
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }   // the listener was shut down
                self?.lock.withLock { self?.accepted += 1 }
                Thread.detachNewThread { ScriptedUpstream.serve(fd, answers) }
            }
        }
    }

    private static func serve(_ fd: Int32, _ answers: [String: [Piece]]) {
        defer { close(fd) }
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            while input.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { return }
                input += buffer[0..<count]
            }
            guard let end = input.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let requestLine = String(decoding: input[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n").first ?? ""
            input.removeFirst(end.upperBound)
            let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            for piece in answers[path] ?? [Piece("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")] {
                if piece.pauseMilliseconds > 0 { usleep(useconds_t(piece.pauseMilliseconds * 1000)) }
                if piece.closes { return }
                var offset = 0
                while offset < piece.bytes.count {
                    let count = piece.bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    guard count > 0 else { return }
                    offset += count
                }
            }
        }
    }

    private var stopped = false

    func stop() {
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }
}
