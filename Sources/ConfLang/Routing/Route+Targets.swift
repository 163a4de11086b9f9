import Glibc

/// What a route maps a request path to: the file under `root` or `alias`,
/// the CGI script and its PATH_INFO, the upstream target of `proxy_pass`.
/// Pure; webserv's handlers use them and `confcheck --explain` reports them.
extension Router.Route {
    /// The file system path a request path maps to: `alias` replaces the
    /// matched prefix, `root` is put before the whole path.
    public func filesystemPath(for path: String) -> String {
        if let alias = settings.alias {
            let rest = path.dropFirst(min(matchedPrefix.count, path.count))
            if alias.hasSuffix("/") && rest.hasPrefix("/") { return alias + rest.dropFirst() }
            return alias + rest
        }
        return Self.joined(settings.root, path)
    }

    /// `first + second` with one allocation and two copies: String's `+`
    /// grows its result step by step, and this runs for every file request.
    static func joined(_ first: String, _ second: String) -> String {
        var first = first, second = second
        return first.withUTF8 { head in
            second.withUTF8 { tail in
                String(unsafeUninitializedCapacity: head.count + tail.count) { buffer in
                    _ = buffer.initialize(fromContentsOf: head)
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[head.count...]).initialize(fromContentsOf: tail)
                    return head.count + tail.count
                }
            }
        }
    }

    /// The script a request names under a CGI location: for `$ .py` the path
    /// up to the suffix; under a `^ /cgi-bin/` location the first segment after
    /// the prefix. The rest of the path is PATH_INFO. nil: no script named (403).
    public func cgiScript(for path: String) -> (script: String, pathInfo: String)? {
        if let script = scriptPath { return (script, pathInfo ?? "") }
        var index = path.index(path.startIndex, offsetBy: min(matchedPrefix.count, path.count))
        while index < path.endIndex && path[index] == "/" { index = path.index(after: index) }
        let segmentEnd = path[index...].firstIndex(of: "/") ?? path.endIndex
        guard segmentEnd > index else { return nil }
        return (String(path[..<segmentEnd]), String(path[segmentEnd...]))
    }

    /// The request target sent upstream: with a PATH in `proxy_pass`, the part
    /// of the path that matched the location is replaced by it; without one,
    /// the request target goes unchanged (nginx's rule). `target` is the
    /// request-target as sent, `path` and `query` as parsed from it.
    public func upstreamTarget(target: String, path: String, query: String?, upstream: Values.ProxyURL) -> String {
        func rebuilt(_ path: String) -> String {
            let encoded = PercentEncoding.path(path)
            return query.map { encoded + "?" + $0 } ?? encoded
        }
        guard let upstreamPath = upstream.path else { return target.hasPrefix("/") ? target : rebuilt(path) }
        let rest = path.dropFirst(min(matchedPrefix.count, path.count))
        var joined = upstreamPath
        if joined.hasSuffix("/") && rest.hasPrefix("/") { joined.removeLast() }
        return rebuilt(joined + rest)
    }

    /// nginx's answer when a file cannot be opened: missing is 404, not
    /// allowed (or a symlink loop) is 403, anything else is 500.
    public static func status(forFileError error: Int32) -> Int {
        switch error {
        case ENOENT, ENOTDIR, ENAMETOOLONG: return 404
        case EACCES, ELOOP, EMLINK: return 403
        default: return 500
        }
    }
}
