import Glibc
import ConfLang

/// GET/HEAD of files under `root` or `alias`: index files, directory
/// redirects, autoindex, MIME types, conditional requests and single byte
/// ranges. Symlinks are followed, as nginx does by default; the request path
/// was normalised first, so it cannot climb out of the root.
struct StaticFileHandler {
    let head: RequestHead
    let route: Router.Route
    let files: OpenFileCache
    /// Small files answered from memory; nil (the default): every file
    /// through `files`, with a stat(2) per request, as before.
    var smallFiles: SmallFileCache? = nil

    /// Single settings are read through the location (a class): binding its
    /// whole `LocationConfig` would copy it for every request.
    private var location: ResolvedLocation { route.location }

    func respond() -> Response {
        // A request answered from memory before is found again without making its file's path.
        let key = SmallFileCache.RequestKey(location: location, path: head.path)
        // (With gzip_static the file beside it is looked at first, below.) A pattern, not `==`: a call across modules.
        if case .off = location.settings.gzip.staticFiles, let cached = smallFiles?.lookup(key),
           let response = answer(.cached(cached), name: cached.path) { return response }
        // Otherwise the one lookup (shared with --explain): the file, an index file, a listing or a failure.
        switch route.lookUpFile(head.path, in: StaticFileSystem(smallFiles: smallFiles)) {
        case .file(let path, let found, let index):
            // An index file is named by its index name (its type), and is not remembered
            // for the request: a new index file earlier in the list would replace it.
            let name = index ?? path
            var vary = false
            if case .off = location.settings.gzip.staticFiles {} else {
                let compressed = precompressed(path, found: found, name: name)
                if let response = compressed.response { return response }
                vary = compressed.vary
            }
            var response = plainFile(path, found: found, name: name, index: index, key: key)
            if vary { GzipFilter.addVary(&response) }
            return response
        case .redirectToSlash(_, let index):
            return StaticFileHandler.redirectToSlash(head, index: index)
        case .autoindex(let directory):
            return AutoindexPage(directory: directory, requestPath: head.path).response()
        case .failed(let status, let path, _, let failure):
            if case .status = failure { files.forget(path) }
            return Response(status: status)
        }
    }

    /// The file found, as it is on disk (or in memory).
    private func plainFile(_ path: String, found: StaticFileSystem.Found, name: String, index: String?,
                           key: SmallFileCache.RequestKey) -> Response {
        switch found {
        case .cached(let cached):
            if index == nil { smallFiles?.remember(cached, for: key) }
            return answer(.cached(cached), name: name) ?? serveFromDisk(path, name: name)
        case .onDisk(let identity):
            return serveFile(path, identity: identity, name: name, key: index == nil ? key : nil)
        }
    }

    /// `gzip_static`: `FILE.gz` beside the file found, when it is a regular file
    /// not older than FILE, for a client that takes gzip (`on`, as nginx's
    /// ngx_http_gzip_ok) or for any (`always`), with FILE's type; its own
    /// validators and ranges. `vary`: FILE.gz is there, so with gzip_vary the
    /// plain answer says it varies too (as nginx's).
    private func precompressed(_ path: String, found: StaticFileSystem.Found, name: String) -> (response: Response?, vary: Bool) {
        let settings = location.settings.gzip
        var takesGzip = true
        if case .on = settings.staticFiles {
            takesGzip = GzipFilter.clientTakesGzip(head, settings: settings, answer: GzipFilter.ProxiedAnswer([]))
            if !takesGzip && !settings.vary { return (nil, false) }
        }
        let plainModified: Int
        switch found {
        case .cached(let cached): plainModified = cached.identity.modifiedSeconds
        case .onDisk(let identity): plainModified = identity.modifiedSeconds
        }
        let compressedPath = path + ".gz"
        guard case .regular(.onDisk(let identity)) = StaticFileSystem(smallFiles: nil).status(of: compressedPath),
              identity.modifiedSeconds >= plainModified else { return (nil, false) }
        // Vary only for `on`: `always` answers every client alike (nginx's too).
        let vary: Bool
        if case .on = settings.staticFiles { vary = settings.vary } else { vary = false }
        guard takesGzip, case .success(let file) = files.file(at: compressedPath, identity: identity),
              var response = answer(.open(file), name: name, ranges: false) else { return (nil, vary) }
        if response.status == 200 { response.headers.append(("Content-Encoding", "gzip")) }
        if vary { GzipFilter.addVary(&response) }
        return (response, false)
    }

    /// Several ranges of a file found in memory: served from its descriptor.
    private func serveFromDisk(_ path: String, name: String) -> Response {
        var info = stat()
        guard stat(path, &info) == 0 else { return Response(status: Router.Route.status(forFileError: errno)) }
        switch files.file(at: path, info: info) {
        case .success(let file): return answer(.open(file), name: name) ?? Response(status: 500)
        case .failure(let failure): return Response(status: Router.Route.status(forFileError: failure.errorNumber))
        }
    }

    /// `/dir` → 301 `/dir/`: the normalised path, escaped where a URI needs
    /// it (as nginx does), the query kept; `/dir/` → `/dir/INDEX/` when that
    /// index name is a directory.
    static func redirectToSlash(_ head: RequestHead, index: String? = nil) -> Response {
        var location = PercentEncoding.path(index.map { head.path + $0 } ?? head.path) + "/"
        if let query = head.query { location += "?" + query }
        var response = Response(status: 301, headers: [("Location", location), ("Content-Type", "text/html")])
        response.body = .bytes(StatusCode.defaultPage(301))
        return response
    }

    /// `key`: the request maps to this file directly (not as a directory's
    /// index, which a new index file earlier in the list would replace).
    private func serveFile(_ path: String, identity: FileIdentity, name: String, key: SmallFileCache.RequestKey? = nil) -> Response {
        if let cache = smallFiles, identity.size <= cache.maxFileSize, let cached = cache.store(path) {
            if let key { cache.remember(cached, for: key) }
            if let response = answer(.cached(cached), name: name) { return response }
        }
        switch files.file(at: path, identity: identity) {
        case .success(let file):
            // Only a cached file declines (several ranges), so this never gives the 500.
            return answer(.open(file), name: name) ?? Response(status: 500)
        case .failure(let failure):
            return Response(status: Router.Route.status(forFileError: failure.errorNumber))
        }
    }

    /// Where the bytes come from: a descriptor (sent with sendfile) or memory.
    private enum Source {
        case open(OpenFile)
        case cached(CachedFile)

        var version: FileVersion {
            switch self {
            case .open(let file): return file
            case .cached(let file): return file
            }
        }

        func body(offset: Int, length: Int) -> Response.Body {
            switch self {
            case .open(let file): return .file(file, offset: offset, length: length)
            case .cached(let file):
                return offset == 0 && length == file.size ? .bytes(file.bytes) : .bytes(Array(file.bytes[offset..<(offset + length)]))
            }
        }
    }

    /// The answer for this version of the file; nil only for several ranges
    /// of a cached file (the caller then serves it through `files`). Without
    /// `ranges` (gzip_static's FILE.gz, as nginx's) a Range is not read and none offered.
    private func answer(_ source: Source, name: String, ranges: Bool = true) -> Response? {
        // The usual request first: the whole file from memory, with nothing to
        // compare or cut, from its prepared lines. Any other answer (a 304, a
        // range, a charset to add) is built below, the same for both sources.
        if case .cached(let file) = source, location.settings.charset == nil, head.headers["Range"] == nil,
           head.headers["If-None-Match"] == nil, head.headers["If-Modified-Since"] == nil {
            return wholeFile(file, name: name)
        }
        let version = source.version
        let size = version.size, etag = version.etag, lastModified = version.lastModified
        let modified = version.identity.modifiedSeconds
        if isNotModified(etag: etag, modified: modified) {
            // Only the validators (RFC 9110 §15.4.5; nginx sends these two).
            return Response(status: 304, headers: [("Last-Modified", lastModified), ("ETag", etag)])
        }
        let contentType = mimeType(for: name)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", contentType),
            ("Last-Modified", lastModified),
            ("ETag", etag),
        ]
        var start = 0, length = size, status = 200
        if ranges, let rangeHeader = head.headers["Range"], rangeStillApplies(etag: etag, modified: modified) {
            switch ByteRange.parse(rangeHeader, size: size) {
            case .whole: break
            case .unsatisfiable:
                // Its page (error_page 416 or the built-in one) is added like any error's.
                return Response(status: 416, headers: [("Content-Range", "bytes */\(size)")])
            case .range(let first, let last):
                start = first
                length = last - first + 1
                status = 206
                headers.append(("Content-Range", "bytes \(first)-\(last)/\(size)"))
            case .several(let spans):
                guard case .open(let file) = source else { return nil }
                let type = headers[0].value
                let body = ByteRange.multipartBody(file, spans: spans, contentType: type)
                headers[0].value = "multipart/byteranges; boundary=" + body.boundary
                return Response(status: 206, headers: headers, body: .parts(body.parts))
            }
        }
        // As nginx: a part of the file says so with Content-Range, the whole file offers ranges.
        if status == 200 && ranges { headers.append(("Accept-Ranges", "bytes")) }
        var response = Response(status: status, headers: headers, body: source.body(offset: start, length: length))
        if status == 200, location.settings.gzip.enabled, case .cached(let file) = source { response.cachedFile = file }
        return response
    }

    /// A whole small file from memory: its header lines are encoded once per
    /// version and location (whose types give its Content-Type: the name's
    /// extension is the path's, an index file's included) instead of for every
    /// request. Without a `charset` to add (which edits Content-Type) and without ranges only.
    private func wholeFile(_ file: CachedFile, name: String) -> Response {
        let lines: [UInt8], withAdded: Bool
        if let prepared = file.preparedHead, prepared.location === location {
            (lines, withAdded) = (prepared.lines, prepared.addedHeaders)
        } else {
            // The location's add_header lines too, when they have no variable and gzip (which reads the fields) is off.
            let added = location.settings.gzip.enabled ? nil : location.literalAddedLines?.success
            lines = (added ?? []) + Array(("Content-Type: \(mimeType(for: name))\r\nLast-Modified: \(file.lastModified)\r\n"
                           + "ETag: \(file.etag)\r\nAccept-Ranges: bytes\r\nContent-Length: \(file.size)\r\n").utf8)
            withAdded = added != nil
            file.preparedHead = (location, lines, withAdded)
        }
        // The file for gzip's copy only where gzip is on: a check costs less than holding it for every answer.
        // Made in one initialiser: set afterwards, the answer was copied twice (about 300 instructions).
        return Response(status: 200, body: .bytes(file.bytes), encodedHeaders: lines, encodedLength: true,
                        cachedFile: location.settings.gzip.enabled ? file : nil, addedHeadersIn: withAdded)
    }

    /// If-Range (RFC 9110 §13.1.5): the range is for the version the client
    /// has; when that is not the current one the whole file is sent. An entity
    /// tag must match strongly, a date exactly.
    private func rangeStillApplies(etag: String, modified: Int) -> Bool {
        guard let condition = head.headers["If-Range"]?.trimmingCharacters(in: " \t") else { return true }
        if condition.hasPrefix("\"") || condition.hasPrefix("W/") { return condition == etag }
        return HTTPDate.parse(condition) == modified
    }

    /// If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). As nginx
    /// (`if_modified_since exact`, its default), a date is a match only when it
    /// is the file's own Last-Modified time.
    private func isNotModified(etag: String, modified: Int) -> Bool {
        if let match = head.headers["If-None-Match"] {
            return match == "*" || match.split(separator: ",").contains { $0.trimmingCharacters(in: " \t") == etag || $0.trimmingCharacters(in: " \t") == "W/" + etag }
        }
        if let since = head.headers["If-Modified-Since"].flatMap(HTTPDate.parse) {
            return modified == since
        }
        return false
    }

    private func mimeType(for name: String) -> String {
        // The extension: after the last '.' of the last path component (a leading dot is no extension).
        let bytes = name.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")) else { return location.settings.defaultType }
        let slash = bytes.lastIndex(of: UInt8(ascii: "/"))
        guard dot != bytes.startIndex, slash.map({ dot > bytes.index(after: $0) }) ?? true else { return location.settings.defaultType }
        return location.settings.mimeTypes.type(forExtension: String(name[name.index(after: dot)...])) ?? location.settings.defaultType
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
