/// The static table (RFC 7541 Appendix A): indices 1 to 61, before the
/// dynamic table's.
enum HPACKStaticTable {
    static let count = 61

    /// The entries, index 1 first.
    static let fields: [HPACKHeaderField] = pairs.map { HPACKHeaderField($0.0, $0.1) }

    private static let pairs: [(String, String)] = [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"),
        (":path", "/index.html"), (":scheme", "http"), (":scheme", "https"), (":status", "200"),
        (":status", "204"), (":status", "206"), (":status", "304"), (":status", "400"),
        (":status", "404"), (":status", "500"), ("accept-charset", ""), ("accept-encoding", "gzip, deflate"),
        ("accept-language", ""), ("accept-ranges", ""), ("accept", ""), ("access-control-allow-origin", ""),
        ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""),
        ("date", ""), ("etag", ""), ("expect", ""), ("expires", ""),
        ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""),
        ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""), ("last-modified", ""),
        ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""),
        ("retry-after", ""), ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""),
        ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
        ("www-authenticate", ""),
    ]

    /// A name's first index and how many entries share it (entries with one
    /// name are consecutive), or nil when no entry has that name.
    static func lookUp(name: [UInt8]) -> (first: Int, count: Int)? {
        guard name.count < namesByLength.count else { return nil }
        for group in namesByLength[name.count] where fields[group.first - 1].name == name {
            return group
        }
        return nil
    }

    /// For each name length, the groups of entries whose name has it: the
    /// encoder's lookup compares a handful of names of the right length and
    /// hashes nothing.
    private static let namesByLength: [[(first: Int, count: Int)]] = {
        var byLength = [[(first: Int, count: Int)]](repeating: [], count: 32)
        var index = 1
        while index <= count {
            let name = fields[index - 1].name
            var end = index + 1
            while end <= count, fields[end - 1].name == name { end += 1 }
            byLength[name.count].append((index, end - index))
            index = end
        }
        return byLength
    }()

    // Static indices the encoder's choices name.
    static let path = 4
    static let age = 21
    static let authorization = 23
    static let contentLength = 28
    static let contentRange = 30
    static let cookie = 32
    static let date = 33
    static let etag = 34
    static let expires = 36
    static let ifModifiedSince = 40
    static let ifNoneMatch = 41
    static let lastModified = 44
    static let location = 46
    static let proxyAuthorization = 49
    static let setCookie = 55
}
