import ConfLang

/// nginx's gzip header filter (`ngx_http_gzip_header_filter` with
/// `ngx_http_gzip_ok`): decides whether an answer goes compressed and makes
/// its fields say so. A location without `gzip on` pays one check.
///
/// What is compressed where: a body in memory here, whole, sent with its
/// Content-Length (a small file from the cache takes its compressed copy,
/// made once per version and level: `CachedFile.gzipped`; a whole file from
/// disk up to 512 KiB the same way, `FileGzipCopies`); a larger file
/// and a streamed answer (CGI, proxy) on the way out, in pieces, by the
/// request's `GzipStream` (`OutputDecision.gzip`), chunked (or ended by the
/// close for HTTP/1.0) as nginx sends every gzip answer.
enum GzipFilter {
    @inline(__always)
    static func apply(_ response: inout Response, head: RequestHead?, location: ResolvedLocation, _ decision: inout OutputDecision) {
        guard location.settings.gzip.enabled else { return }
        compress(&response, head: head, location: location, &decision)
    }

    @inline(never)
    private static func compress(_ response: inout Response, head: RequestHead?, location: ResolvedLocation,
                                 _ decision: inout OutputDecision) {
        // nginx: 200, 403 and 404 only. A HEAD answer gets the fields a GET would (nginx's too).
        guard let head, response.status == 200 || response.status == 403 || response.status == 404 else { return }
        let settings = location.settings.gzip
        if !response.encodedHeaders.isEmpty {
            return compressPrepared(&response, head: head, location: location, settings: settings)
        }
        let headers = response.headers
        if let encoding = headers.first(where: { $0.name.caseInsensitiveEquals("Content-Encoding") }), !encoding.value.isEmpty { return }
        let length: Int?
        switch response.body {
        case .parts: return   // several ranges: a 206, never here
        case .empty, .bytes, .file:
            if response.streamed {
                length = response.lengthUnknown ? nil : headers.first { $0.name.caseInsensitiveEquals("Content-Length") }.flatMap { Int($0.value) }
            } else {
                length = response.bodyLength
            }
        }
        if let length, length < settings.minLength { return }
        guard let type = headers.first(where: { $0.name.caseInsensitiveEquals("Content-Type") })?.value,
              settings.compresses(contentType: type) else { return }
        if settings.vary { addVary(&response) }
        guard clientTakesGzip(head, settings: settings, answer: ProxiedAnswer(headers)) else { return }
        // The body first: if zlib cannot start (no memory), the answer goes plain, unchanged.
        switch response.body {
        case .empty where !response.streamed, .bytes where !response.streamed, .file(_, _, 0):
            let plain: ArraySlice<UInt8>
            if case .bytes(let bytes) = response.body { plain = bytes[...] } else { plain = [] }
            let level = settings.level
            guard let compressed = response.cachedFile.map({ $0.gzipped(level: level) }) ?? GzipStream.compressed(plain, level: level)
            else { return }
            response.body = .bytes(compressed)
        case .file(let file, 0, let count) where count == file.size && !response.streamed
            && (head.method != "HEAD" || file.gzipCopy?.level == settings.level):
            // A whole file within FileGzipCopies' bound: its copy, made once per version and level.
            guard let copy = FileGzipCopies.copy(of: file, level: settings.level) else { fallthrough }
            response.body = .bytes(copy)
        default:
            if head.method != "HEAD" {
                guard let stream = GzipStream(level: settings.level, expectedLength: length) else { return }
                decision.gzip = stream
            }
            // Its length is known only at its end: FramingFilter chunks it (or ends it by the close).
            response.lengthUnknown = true
        }
        response.headers.removeAll { $0.name.caseInsensitiveEquals("Content-Length") || $0.name.caseInsensitiveEquals("Accept-Ranges") }
        weakenETag(&response.headers)
        response.headers.append((name: "Content-Encoding", value: "gzip"))
    }

    /// A whole small file from the cache, with its prepared lines: its compressed
    /// copy and the lines that go with it, both made once (`CachedFile.gzipHead`).
    private static func compressPrepared(_ response: inout Response, head: RequestHead, location: ResolvedLocation,
                                         settings: GzipSettings) {
        guard let file = response.cachedFile else { return }
        let prepared: (location: ResolvedLocation, lines: [UInt8]?)
        if let made = file.gzipHead, made.location === location {
            prepared = made
        } else {
            let fields = response.fields
            let type = fields.first { $0.name.caseInsensitiveEquals("Content-Type") }?.value ?? ""
            var lines: [UInt8]?
            if file.size >= settings.minLength, settings.compresses(contentType: type), let bytes = file.gzipped(level: settings.level) {
                var kept = fields.filter { !$0.name.caseInsensitiveEquals("Accept-Ranges") }
                weakenETag(&kept)
                var text = ""
                for field in kept { text += "\(field.name): \(field.value)\r\n" }
                // Vary among them: the location's setting, like the rest of the lines.
                if settings.vary { text += "Vary: Accept-Encoding\r\n" }
                text += "Content-Encoding: gzip\r\nContent-Length: \(bytes.count)\r\n"
                lines = Array(text.utf8)
            }
            prepared = (location, lines)
            file.gzipHead = prepared
        }
        guard let lines = prepared.lines else { return }
        let headers = response.headers
        guard clientTakesGzip(head, settings: settings, answer: ProxiedAnswer(headers, hasLastModified: true, hasETag: true)),
              let bytes = file.gzipped(level: settings.level) else {
            if settings.vary { addVary(&response) }   // the plain answer varies too
            return
        }
        response.encodedHeaders = lines
        response.encodedLength = true
        response.body = .bytes(bytes)
    }

    /// `Vary: Accept-Encoding`, once (gzip_static may have added it), as nginx's one flag.
    static func addVary(_ response: inout Response) {
        guard !response.headers.contains(where: { $0.name == "Vary" && $0.value == "Accept-Encoding" }) else { return }
        response.headers.append((name: "Vary", value: "Accept-Encoding"))
    }

    /// nginx's `ngx_http_weak_etag`: a strong tag becomes weak (the bytes differ), one that is not a tag goes.
    static func weakenETag(_ headers: inout [(name: String, value: String)]) {
        guard let index = headers.firstIndex(where: { $0.name.caseInsensitiveEquals("ETag") }) else { return }
        let value = headers[index].value
        if value.hasPrefix("W/") { return }
        if value.hasPrefix("\"") { headers[index].value = "W/" + value } else { headers.remove(at: index) }
    }

    /// What `gzip_proxied` looks at in an answer.
    struct ProxiedAnswer {
        var expires: String?
        var cacheControl: [String] = []
        var hasLastModified = false
        var hasETag = false

        init(_ headers: [(name: String, value: String)], hasLastModified: Bool = false, hasETag: Bool = false) {
            self.hasLastModified = hasLastModified
            self.hasETag = hasETag
            for field in headers {
                if field.name.caseInsensitiveEquals("Expires") { expires = field.value }
                if field.name.caseInsensitiveEquals("Cache-Control") { cacheControl.append(field.value) }
                if field.name.caseInsensitiveEquals("Last-Modified") { self.hasLastModified = true }
                if field.name.caseInsensitiveEquals("ETag") { self.hasETag = true }
            }
        }
    }

    /// nginx's `ngx_http_gzip_ok`: the client takes gzip (Accept-Encoding),
    /// is not an old Internet Explorer (`gzip_disable msie6`), speaks a recent
    /// enough HTTP (`gzip_http_version`) and, when the request came through a
    /// proxy (Via), `gzip_proxied` lets this answer through.
    static func clientTakesGzip(_ head: RequestHead, settings: GzipSettings, answer: @autoclosure () -> ProxiedAnswer,
                                now: @autoclosure () -> Int = Clock.wallSeconds()) -> Bool {
        guard head.headers.withValue("Accept-Encoding", AcceptEncoding.acceptsGzip) == true else { return false }
        if settings.disableMSIE6, let agent = head.headers["User-Agent"], isMSIE6(agent) { return false }
        if head.version == .http10 && settings.minimumHTTPMinorVersion > 0 { return false }
        guard head.headers.contains("Via") else { return true }
        let proxied = settings.proxied
        if proxied.isEmpty { return false }
        if proxied.contains(.any) { return true }
        if proxied.contains(.auth) && head.headers["Authorization"] != nil { return true }
        // What the answer says, only now: a request through a proxy is the rare case.
        let answer = answer()
        if let expires = answer.expires {
            guard proxied.contains(.expired), let time = HTTPDate.parse(expires) else { return false }
            return time < now()
        }
        if !answer.cacheControl.isEmpty {
            func says(_ word: String) -> Bool {
                answer.cacheControl.contains { $0.split(separator: ",").contains { $0.trimmingCharacters(in: " \t").lowercased() == word } }
            }
            return (proxied.contains(.noCache) && says("no-cache")) || (proxied.contains(.noStore) && says("no-store"))
                || (proxied.contains(.private) && says("private"))
        }
        if proxied.contains(.noLastModified) && answer.hasLastModified { return false }
        if proxied.contains(.noETag) && answer.hasETag { return false }
        return true
    }

    /// nginx's msie6: "MSIE 4." and "MSIE 5.", and "MSIE 6." without "SV1" (Windows XP SP2's, which decompresses).
    static func isMSIE6(_ agent: String) -> Bool {
        let bytes = Array(agent.utf8), marker = Array("MSIE ".utf8)
        guard let start = (0...max(0, bytes.count - marker.count)).first(where: { bytes.count >= marker.count && Array(bytes[$0..<($0 + marker.count)]) == marker }),
              start + 7 < bytes.count, bytes[start + 6] == UInt8(ascii: ".") else { return false }
        switch bytes[start + 5] {
        case UInt8(ascii: "4"), UInt8(ascii: "5"): return true
        case UInt8(ascii: "6"): return !String(decoding: bytes[(start + 8)...], as: UTF8.self).contains("SV1")
        default: return false
        }
    }
}
