/// "Did you mean" for unknown directives, and the nginx directives that
/// this language deliberately leaves out (so their message can say so).
enum Suggestions {
    static func closest(to name: String, in context: Context) -> String? {
        let inContext = DirectiveTable.names(in: context)
        return best(name, among: inContext) ?? best(name, among: DirectiveTable.all.map(\.name))
    }

    private static func best(_ name: String, among candidates: [String]) -> String? {
        let limit = max(1, min(3, name.count / 3))
        var bestName: String?
        var bestDistance = Int.max
        for candidate in candidates {
            let distance = editDistance(name.lowercased(), candidate)
            if distance < bestDistance { bestDistance = distance; bestName = candidate }
        }
        return bestDistance <= limit ? bestName : nil
    }

    /// Damerau-Levenshtein (optimal string alignment): a swap of two letters counts one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous2 = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[y.count]
    }

    /// Common nginx directives with no counterpart here, and what to use instead.
    static let nginxOnly: [String: String] = [
        "user": "webserv runs as the user that starts it",
        "sendfile": "webserv always uses sendfile(2) for static files",
        "tcp_nopush": "", "tcp_nodelay": "", "gzip": "", "ssl_certificate": "TLS is not supported",
        "try_files": "use 'index' and locations", "rewrite": "use 'return CODE URL'",
        "if": "use separate locations", "set": "", "map": "", "upstream": "use 'proxy_pass http://HOST:PORT'",
        "proxy_set_header": "webserv sets Host and X-Forwarded-* itself", "log_format": "access logs use the combined format",
        "add_header": "", "expires": "", "limit_except": "use 'allow_methods'", "fastcgi_pass": "use 'cgi_path'",
        "worker_rlimit_nofile": "", "keepalive_requests": "", "server_tokens": "", "charset": "",
        "client_body_buffer_size": "", "etag": "", "allow": "", "deny": "",
    ]
}
