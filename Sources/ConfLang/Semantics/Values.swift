/// Parsers for the value syntaxes of the language. The checker uses them to
/// validate, the model to convert; each syntax is parsed here only.
public enum Values {
    /// `1024`, `8k`, `1m`, `2g` (also upper case), in bytes.
    public static func size(_ text: String) -> Int? {
        guard let last = text.last else { return nil }
        var digits = Substring(text)
        var multiplier = 1
        switch last {
        case "k", "K": multiplier = 1 << 10; digits = digits.dropLast()
        case "m", "M": multiplier = 1 << 20; digits = digits.dropLast()
        case "g", "G": multiplier = 1 << 30; digits = digits.dropLast()
        default: break
        }
        guard let number = wholeNumber(digits) else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `65`, `65s`, `500ms`, `1m`, `1h`, `1m30s` (nginx also allows d, w, M, y),
    /// in milliseconds. A bare number is seconds.
    public static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
                                      ("d", 86_400_000), ("w", 604_800_000), ("M", 2_592_000_000), ("y", 31_536_000_000)]
        if let seconds = wholeNumber(Substring(text)) {
            let (value, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            return overflow ? nil : value
        }
        var rest = Substring(text)
        var total = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let number = Int(digits), !digits.isEmpty else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            let (value, overflow) = number.multipliedReportingOverflow(by: unit.1)
            guard !overflow else { return nil }
            total += value
        }
        return total
    }

    public static func wholeNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    public static let knownMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]

    /// `type/subtype` with token characters on both sides (RFC 9110 §8.3.1).
    public static func isMimeType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isTokenCharacter) }
    }

    /// `$name` or `${name}` as `map` and `set` name their variable: the name, lower case (nginx's are case-insensitive).
    public static func variableName(_ text: String) -> String? {
        guard text.hasPrefix("$") else { return nil }
        var name = Substring(text.dropFirst())
        if name.hasPrefix("{") && name.hasSuffix("}") { name = name.dropFirst().dropLast() }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
        return name.lowercased()
    }

    /// The first nginx variable in a value (`$host`, `${uri}`), if any: this
    /// language has none, so such text would be used literally.
    public static func variable(in text: String) -> String? {
        let bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] == UInt8(ascii: "$") && index + 1 < bytes.count {
            let next = bytes[index + 1]
            let isName: (UInt8) -> Bool = { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || (48...57).contains($0) }
            if next == UInt8(ascii: "{") {
                guard let close = bytes[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) else { continue }
                return String(decoding: bytes[index...close], as: UTF8.self)
            }
            guard next == UInt8(ascii: "_") || (next | 0x20 >= 97 && next | 0x20 <= 122) else { continue }
            let end = bytes[(index + 1)...].firstIndex { !isName($0) } ?? bytes.count
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }
        return nil
    }

    /// `off`, or a charset name as it may stand in a Content-Type parameter
    /// (a token: `utf-8`, `iso-8859-1`, `windows-1251`).
    public static func isCharsetName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy(isTokenCharacter)
    }

    static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII, let value = character.asciiValue, value > 32, value < 127 else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(character)
    }

    public static func isHTTPURL(_ text: String) -> Bool {
        text.hasPrefix("http://") || text.hasPrefix("https://")
    }

    // MARK: listen

    public struct ListenAddress: Hashable, CustomStringConvertible {
        /// `*` for every IPv4 address, a dotted IPv4 address, `[...]` for IPv6, or a host name.
        public let host: String
        public let port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    public enum ListenError: Error, Equatable {
        case badPort(String)
        case badAddress(String)
    }

    /// `8080`, `127.0.0.1:8080`, `*:80`, `localhost:80`, `[::1]:8080`, `127.0.0.1`
    /// (port 80). `80`, `*:80` and `0.0.0.0:80` are one address.
    public static func listenAddress(_ text: String) -> Result<ListenAddress, ListenError> {
        var host = "*"
        var portText: Substring? = nil
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.badAddress(text)) }
            host = String(text[...close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return .failure(.badAddress(text)) }
                portText = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        } else if wholeNumber(Substring(text)) != nil {
            portText = Substring(text)
        } else {
            host = text
        }
        if host == "0.0.0.0" { host = "*" }
        // Any writing of the IPv6 wildcard (`[0::0]`, `[::0]`) is `[::]`, as 0.0.0.0 is `*`.
        if host.hasPrefix("["), host != "[::]", let address = IPAddress(host.dropFirst().dropLast()), !address.isIPv4,
           address.bytes.allSatisfy({ $0 == 0 }) {
            host = "[::]"
        }
        guard !host.isEmpty, host == "*" || host.hasPrefix("[") || isHostName(host) else { return .failure(.badAddress(text)) }
        guard let portText else { return .success(ListenAddress(host: host, port: 80)) }
        guard let port = wholeNumber(portText), port >= 1, port <= 65535 else { return .failure(.badPort(String(portText))) }
        return .success(ListenAddress(host: host, port: port))
    }

    /// A dotted IPv4 address or a DNS-like name (with at least one letter, so
    /// `80a` or `-1` are not taken for names).
    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
            return false
        }
        return text.contains(where: \.isLetter) || isIPv4Address(text)
    }

    /// Four dotted decimal octets, `127.0.0.1`.
    static func isIPv4Address(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { wholeNumber($0).map { $0 <= 255 } ?? false }
    }

    // MARK: proxy_pass

    public struct ProxyURL: Equatable {
        public let host: String
        public let port: Int
        /// nil when the URL has no path: the request path is passed unchanged.
        public let path: String?
        /// `https://`: the connection to the upstream is TLS (`proxy_ssl_*`).
        public let secure: Bool
        public init(host: String, port: Int, path: String?, secure: Bool = false) {
            self.host = host
            self.port = port
            self.path = path
            self.secure = secure
        }

        /// `http` or `https`.
        public var scheme: String { secure ? "https" : "http" }
        /// The scheme's own port (80, 443), which a URL or a Host field leaves out.
        public var defaultPort: Int { secure ? 443 : 80 }
        /// `http://HOST[:PORT]`, the port written only when it is not the scheme's.
        public var origin: String { "\(scheme)://\(host)\(port == defaultPort ? "" : ":\(port)")" }
    }

    public enum ProxyURLError: Error, Equatable {
        case notHTTP, badHost, badPort
    }

    /// `http://HOST[:PORT][/PATH]` or `https://...` (port 443 by default), as nginx's proxy_pass.
    public static func proxyURL(_ text: String) -> Result<ProxyURL, ProxyURLError> {
        let secure = text.hasPrefix("https://")
        guard secure || text.hasPrefix("http://") else { return .failure(.notHTTP) }
        let rest = text.dropFirst(secure ? "https://".count : "http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = Substring(authority)
        var port = secure ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(.badHost) }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = wholeNumber(after.dropFirst()), value >= 1, value <= 65535 else { return .failure(.badPort) }
                port = value
            } else if !after.isEmpty { return .failure(.badHost) }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = wholeNumber(host[host.index(after: colon)...]), value >= 1, value <= 65535 else { return .failure(.badPort) }
            port = value
            host = host[..<colon]
        }
        guard host.hasPrefix("[") || isHostName(String(host)) else { return .failure(.badHost) }
        return .success(ProxyURL(host: String(host), port: port, path: path.isEmpty ? nil : String(path), secure: secure))
    }

    public static let logLevels = ["debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"]
}
