/// What `confcheck --explain` says about one request: the request as webserv
/// would see it, the address, server and location chosen (and why each
/// other candidate lost), the effective settings with the place each was
/// written, what the route maps the path to, and the answer where the
/// configuration (and the files on disk) decide it. A value: the text and
/// JSON renderings are `ExplanationRenderer`'s.
public struct Explanation {
    /// A place in a configuration file (a directive's name).
    public struct Place: Equatable {
        public let path: String
        public let line: Int
        public let column: Int

        public init(path: String, line: Int, column: Int) {
            self.path = path
            self.line = line
            self.column = column
        }

        init(_ range: SourceRange) {
            path = range.file.path
            let location = range.startLocation
            line = location.line
            column = location.column
        }

        init?(_ directive: Directive?) {
            guard let directive else { return nil }
            self.init(directive.name.range)
        }
    }

    public struct Request {
        public var method: String
        public var url: String
        /// The request-target sent (path and query, as given).
        public var target: String
        /// Percent-decoded and normalised: what is routed. nil: webserv refuses the path (400).
        public var path: String?
        public var query: String?
        /// The Host field sent (given, or the URL's authority).
        public var host: String?
        public var contentLength: Int?
    }

    public struct Address {
        public var listen: Values.ListenAddress
        public var reason: String
    }

    /// For an `https://` URL: the certificate the handshake presents, chosen
    /// by SNI before any request is read (the request's Host then chooses the
    /// server that answers, as in nginx).
    public struct TLS {
        /// The name sent in SNI: the URL's host (nil for an IP address, which clients do not send).
        public var serverName: String?
        /// `ssl_certificate` and `ssl_certificate_key` of the server chosen, resolved.
        public var certificates: [String]
        public var keys: [String]
        /// The `ssl_certificate` directive, and the server whose certificate it is.
        public var place: Place?
        public var server: Place?
        public var reason: String
        /// The names the (first) certificate covers, when its file was read; nil otherwise.
        public var certificateNames: [String]?
        /// Whether they cover the SNI name (nil: not read, or no SNI).
        public var coversServerName: Bool?
    }

    /// A server block and what became of it.
    public struct ServerEntry {
        public var place: Place?
        public var names: [String]
        public var listens: [String]
        public var chosen: Bool
        public var reason: String
    }

    public struct ServerReport {
        /// `exact-name`, `wildcard-name`, `default-server` or `first-server`.
        public var choice: String
        /// The chosen server first, then every other server in configuration order.
        public var entries: [ServerEntry]
    }

    /// A location block and what became of it.
    public struct LocationEntry {
        /// `=`, `^` or `$` (a location written without a modifier is `^`).
        public var modifier: String
        public var pattern: String
        public var place: Place?
        /// `base` (the `=` or `^` location chosen), `overlay` (the `$` location laid
        /// over it), `redirect` (the slash redirect) or `lost`.
        public var role: String
        public var reason: String

        public var chosen: Bool { role != "lost" }
        public var title: String { "location \(modifier) \(pattern)" }
    }

    public struct LocationReport {
        /// The candidates, `=` and `^` first, then `$`, each in configuration order.
        public var entries: [LocationEntry]
        /// nil: no `=` or `^` location matched, the server's own settings are the base.
        public var base: LocationEntry? { entries.first { $0.role == "base" || $0.role == "redirect" } }
        public var overlay: LocationEntry? { entries.first { $0.role == "overlay" } }
        /// For a `$` match: the script (up to the suffix) and PATH_INFO.
        public var scriptPath: String?
        public var pathInfo: String?
    }

    /// One effective setting: its value as written, and where.
    public struct Setting {
        public var directive: String
        public var value: String
        /// nil: the directive table's default.
        public var place: Place?
        /// `http`, `server`, `location`, `location $` (the overlay), `main` or `default`.
        public var from: String
    }

    /// What the route maps the request to.
    public enum Target {
        /// `path` on disk; `kind`: `regular file`, `directory`, `missing` or another
        /// kind; `index`: the index file that answers a directory.
        case file(path: String, kind: String, index: String?)
        case script(interpreter: String, scriptName: String, file: String, kind: String, pathInfo: String)
        /// `fields`: the request's header fields as they go up (`UpstreamFieldPlan`), in order.
        case upstream(url: String, fields: [(name: String, value: String)])
        /// `fastcgi_pass`: the application, the script it is told to run, and the parameters sent.
        case fastcgi(address: String, scriptName: String, scriptFilename: String, pathInfo: String, params: [(name: String, value: String)])
        case uploadStore(directory: String)
    }

    public struct ErrorPageUse {
        public var status: Int
        public var target: String
        /// `original`, `=CODE` or `=` (the page's own status), or `redirect` (a URL: 302).
        public var mode: String
        public var place: Place?
        /// The page's own answer, for an internal redirect whose page the configuration decides.
        public var pageStatus: Int?
    }

    public struct Answer {
        /// nil: a script, an upstream or the upload store decides.
        public var status: Int?
        /// The fields that matter here (`Location`, `Allow`, `Connection`).
        public var headers: [(name: String, value: String)]
        /// `configuration`, `file system`, `script`, `upstream` or `upload store`.
        public var decidedBy: String
        public var reason: String
        /// The `error_page` that answers for an error status, if any.
        public var errorPage: ErrorPageUse?
        /// The status that goes out after the error page (nil when unknown).
        public var finalStatus: Int?
    }

    public var request: Request
    /// nil: no server listens where the URL points (the connection is refused).
    public var address: Address?
    /// nil for plain HTTP.
    public var tls: TLS?
    public var server: ServerReport?
    /// nil when no location is chosen (a server-level `return`, no server, a refused path).
    public var location: LocationReport?
    public var settings: [Setting]
    public var target: Target?
    public var answer: Answer
    public var notes: [String]
}
