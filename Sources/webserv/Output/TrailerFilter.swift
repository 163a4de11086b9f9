import ConfLang

/// nginx's `add_trailer` (ngx_http_headers_filter_module): its header filter
/// decides whether the answer carries trailers (nginx's `expect_trailers`: an
/// entry applies to the status, `always` or one of add_header's statuses, and
/// a body follows: not HEAD, 1xx, 204 or 304); the fields are evaluated when
/// the body ends (`PendingTrailers`). HTTP/2 sends them as a last HEADERS
/// frame; HTTP/1.1 in its last chunk, so, as nginx's chunked filter does, an
/// answer of known length is chunked and loses its Content-Length; HTTP/1.0
/// gets none.
enum TrailerFilter {
    static func apply(_ response: inout Response, head: RequestHead?, location: ResolvedLocation, _ decision: inout OutputDecision) {
        // The one check a location without add_trailer pays.
        if location.settings.addedTrailers.isEmpty { return }
        decide(&response, head: head, location: location, &decision)
    }

    @inline(never)
    private static func decide(_ response: inout Response, head: RequestHead?, location: ResolvedLocation, _ decision: inout OutputDecision) {
        let status = response.status
        guard let head, head.method != "HEAD", status >= 200, status != 204, status != 304 else { return }
        let success = AddedHeader.applies(toStatus: status)
        guard location.settings.addedTrailers.contains(where: { $0.always || success }) else { return }
        switch head.version {
        case .http2:
            decision.trailers = true
        case .http11:
            decision.trailers = true
            if !response.encodedHeaders.isEmpty {
                response.headers = response.fields
                response.removeEncodedHeaders()
            }
            response.headers.removeAll { $0.name.caseInsensitiveEquals("Content-Length") }
            response.lengthUnknown = true   // FramingFilter chunks it
        default:
            break   // HTTP/1.0 has no chunks to carry them
        }
    }
}

/// The trailers of the answer being written, evaluated when its body ends
/// (nginx evaluates them as the last buffer passes its body filter, so
/// `$request_time` counts a streamed answer whole).
final class PendingTrailers {
    let entries: [AddedHeader]
    let success: Bool
    /// Made only when a value holds variables.
    let variables: RequestVariables?
    let clock: () -> Int

    init(location: ResolvedLocation, head: RequestHead?, connection: Connection, status: Int, clock: @escaping () -> Int) {
        entries = location.settings.addedTrailers
        success = AddedHeader.applies(toStatus: status)
        if entries.contains(where: { !$0.value.isLiteral }) {
            var variables = RequestVariables(head: head, connection: connection, location: location)
            variables.status = status
            self.variables = variables
        } else {
            variables = nil
        }
        self.clock = clock
    }

    /// The fields now; a value that comes out empty adds nothing, as in nginx.
    func fields() -> [(name: String, value: String)] {
        var variables = self.variables
        variables?.nowMilliseconds = clock()
        var fields: [(name: String, value: String)] = []
        for entry in entries where entry.always || success {
            let value = entry.value.isLiteral ? entry.value.source : variables?.fieldValue(entry.value) ?? ""
            if !value.isEmpty { fields.append((entry.name, value)) }
        }
        return fields
    }
}

extension HTTPRequest {
    /// Appends what ends a chunked body: the last chunk, with the answer's
    /// trailers when it has some (they are sent then, once). Nothing when the body is not chunked.
    func appendBodyEnd(to buffer: inout [UInt8]) {
        guard chunkedOutput else { return }
        guard let pending = trailers else { return ChunkedEncoder.appendEnd(to: &buffer) }
        trailers = nil
        ChunkedEncoder.appendEnd(trailers: pending.fields(), to: &buffer)
    }

    /// A body of known length (bytes, a file, ranges) chunked to carry trailers
    /// over HTTP/1.1: a chunk per part, then the last chunk with the trailers.
    func chunkKnownBody(_ body: Response.Body) {
        var parts: [Response.BodyPart]
        switch body {
        case .empty: parts = []
        case .bytes(let bytes): parts = [.bytes(bytes)]
        case .file(let file, let offset, let length): parts = [.file(file, offset: offset, length: length)]
        case .parts(let list): parts = list
        }
        var framed: [Response.BodyPart] = []
        for part in parts where part.length > 0 {
            var line: [UInt8] = []
            ChunkedEncoder.appendSizeLine(part.length, to: &line)
            switch part {
            case .bytes(let bytes):
                framed.append(.bytes(line + bytes + ChunkedEncoder.chunkEnd))
            case .file:
                framed += [.bytes(line), part, .bytes(ChunkedEncoder.chunkEnd)]
            }
        }
        var end: [UInt8] = []
        appendBodyEnd(to: &end)
        framed.append(.bytes(end))
        file = nil
        pendingParts = framed[...]
    }
}
