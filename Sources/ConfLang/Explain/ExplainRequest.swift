/// The request `confcheck --explain` is asked about: a URL, a method and
/// header fields, read as curl would send them (the URL's host and port are
/// where the client connects, a `Host` field given replaces the URL's).
public struct ExplainRequest {
    public var method: String
    /// `http://HOST[:PORT]/PATH[?QUERY]`, `https://...` (port 443 unless given), or just `/PATH[?QUERY]`.
    public var url: String
    public var headers: [(name: String, value: String)]
    /// `--from ADDRESS`: the client's address, for `allow`/`deny`; nil: not given.
    public var clientAddress: String?

    public init(url: String, method: String = "GET", headers: [(name: String, value: String)] = [], clientAddress: String? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.clientAddress = clientAddress
    }

    /// A URL, method or header that cannot be a request: a usage error.
    public struct Problem: Error, Equatable {
        public let message: String
    }

    /// `Name: value` from the command line.
    public static func header(_ text: String) -> Result<(name: String, value: String), Problem> {
        guard let colon = text.firstIndex(of: ":") else {
            return .failure(Problem(message: "--header '\(text)' is not 'Name: value'"))
        }
        let name = String(text[..<colon])
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
            return .failure(Problem(message: "--header '\(text)': '\(name)' is not a header name"))
        }
        let value = text[text.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        return .success((name, String(value.reversed().drop { $0 == " " || $0 == "\t" }.reversed())))
    }

    /// Why this cannot be a request (checked before the configuration is read).
    public var problem: Problem? {
        if let address = clientAddress, IPAddress(address) == nil {
            return Problem(message: "--from '\(address)' is not an IPv4 or IPv6 address")
        }
        if case .failure(let problem) = parse() { return problem }
        return nil
    }

    /// The parts of the request the router and the decision read.
    struct Parsed {
        /// Where the client connects: the URL's host (lower case) and port, nil for a bare path.
        var connectHost: String?
        var connectPort: Int?
        /// The Host field: given, or the URL's authority.
        var host: String?
        /// The request-target as sent (path and query, undecoded).
        var target: String
        var rawPath: String
        var query: String?
        var contentLength: Int?
        /// An `https://` URL: the connection starts with a TLS handshake.
        var tls = false
    }

    func parse() -> Result<Parsed, Problem> {
        guard !method.isEmpty, method.utf8.allSatisfy({ (65...90).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            return .failure(Problem(message: "--method '\(method)': a method is upper-case letters (GET, POST...)"))
        }
        var rest = Substring(url)
        var authority: Substring?
        var tls = false
        if let schemeEnd = rest.firstRange(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                return .failure(Problem(message: "'\(url)': give an http:// or https:// URL, or a path"))
            }
            tls = scheme == "https"
            rest = rest[schemeEnd.upperBound...]
            let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            authority = rest[..<end]
            rest = rest[end...]
        } else if !rest.hasPrefix("/") {
            return .failure(Problem(message: "'\(url)' is neither an http:// URL nor a path starting with '/'"))
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if rest.isEmpty || rest.first == "?" { rest = "/" + rest }
        var parsed = Parsed(target: String(rest), rawPath: String(rest))
        parsed.tls = tls
        if let question = rest.firstIndex(of: "?") {
            parsed.rawPath = String(rest[..<question])
            parsed.query = String(rest[rest.index(after: question)...])
        }
        if let authority {
            guard !authority.contains("@") else {
                return .failure(Problem(message: "'\(url)': user information in a URL is not sent to a server"))
            }
            var host = authority
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { return .failure(Problem(message: "'\(url)': unclosed '['")) }
                host = authority[...close]
                let after = authority[authority.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { return .failure(Problem(message: "'\(url)': bad address")) }
                    portText = after.dropFirst()
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            guard !host.isEmpty else { return .failure(Problem(message: "'\(url)' has no host")) }
            var port = tls ? 443 : 80
            if let portText, !portText.isEmpty {
                guard let number = Values.wholeNumber(portText), (1...65535).contains(number) else {
                    return .failure(Problem(message: "'\(url)': '\(portText)' is not a port"))
                }
                port = number
            }
            parsed.connectHost = host.lowercased()
            parsed.connectPort = port
            parsed.host = String(authority)
        }
        var hostGiven = false
        for (name, value) in headers {
            switch name.lowercased() {
            case "host":
                guard !hostGiven else { return .failure(Problem(message: "Host given twice (webserv answers 400)")) }
                hostGiven = true
                parsed.host = value
            case "content-length":
                guard let length = Values.wholeNumber(Substring(value)) else {
                    return .failure(Problem(message: "Content-Length '\(value)' is not a number of bytes"))
                }
                parsed.contentLength = length
            default:
                break
            }
        }
        return .success(parsed)
    }

    /// tchar (RFC 9110 §5.6.2).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
