import Foundation
import Glibc
@testable import webserv

/// Requests and answers on the wire for in-process tests: what a black-box
/// test asks a spawned server, asked of a `LoopHarness` through its public
/// API only (the client's end of the socketpair, the clock, the log files).
extension LoopHarness {
    /// Sends `raw` on a new connection and reads one answer (none when the
    /// connection closed without one).
    func request(_ raw: String, headRequest: Bool = false) -> HTTPTestResponse? {
        let (client, _) = connect()
        defer { Glibc.close(client) }
        send(client, raw)
        var wire = WireAnswers(receive(client))
        return wire.next(headRequest: headRequest)
    }

    func status(_ raw: String) -> Int { request(raw)?.status ?? 0 }

    /// A GET on a new connection that closes after it.
    func get(_ path: String, headers: String = "") -> HTTPTestResponse? {
        request("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)Connection: close\r\n\r\n")
    }

    /// The answers the client can read now, in order; `heads` marks which of
    /// them answer a HEAD (no body follows their head).
    func answers(_ client: Int32, heads: Set<Int> = []) -> [HTTPTestResponse] {
        var wire = WireAnswers(receive(client))
        var answers: [HTTPTestResponse] = []
        while let answer = wire.next(headRequest: heads.contains(answers.count)) { answers.append(answer) }
        return answers
    }

    /// A log file under DIR/logs, after the clock has moved past the access
    /// log's one-second flush.
    func log(_ name: String) -> String {
        advance(milliseconds: 1_001)
        return (try? String(contentsOfFile: directory + "/logs/" + name, encoding: .utf8)) ?? ""
    }
}

/// Answers cut out of the bytes a client read: a head, then a body by
/// Content-Length or chunked framing (none for HEAD, 1xx, 204, 304), the
/// rest left for the next answer. A body cut short is not an answer.
struct WireAnswers {
    private var bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// What is left after the answers read so far.
    var rest: [UInt8] { Array(bytes[offset...]) }

    mutating func next(headRequest: Bool = false) -> HTTPTestResponse? {
        guard let end = bytes[offset...].firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else { return nil }
        var response = HTTPTestResponse(head: String(decoding: bytes[offset..<end], as: UTF8.self))
        let bodyless = headRequest || (100..<200).contains(response.status) || response.status == 204 || response.status == 304
        if !bodyless, response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            var decoder = ChunkedDecoder()
            let (events, consumed) = decoder.decode(bytes[end...])
            guard decoder.isDone else { return nil }
            for event in events {
                if case .data(let range) = event { response.body += bytes[range] }
                if case .error = event { return nil }
            }
            offset = end + consumed
            return response
        }
        let length = bodyless ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        guard bytes.count >= end + length else { return nil }
        response.body = Array(bytes[end..<end + length])
        offset = end + length
        return response
    }
}
