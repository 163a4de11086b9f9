/// The validated configuration as the server runs it: every inherited value
/// resolved, sizes in bytes, times in milliseconds, paths absolute (relative
/// paths are taken from the main file's directory). Built by `ModelBuilder`
/// from a configuration without errors only.
public struct WebservConfig {
    public var workerProcesses: Int
    public var workerConnections: Int
    public var pidPath: String?
    public var errorLog: LogTarget
    /// `user USER [GROUP]` (GROUP defaults to USER's name, as in nginx); nil: who started webserv.
    public var user: (name: String, group: String)? = nil
    /// `worker_rlimit_nofile N`: the workers' RLIMIT_NOFILE.
    public var workerRlimitNofile: Int? = nil
    /// `env NAME[=VALUE]`, in order: a nil value keeps NAME's value from webserv's own environment.
    public var environment: [(name: String, value: String?)] = []
    public var servers: [ServerConfig]
    /// The directory relative paths were resolved against.
    public var baseDirectory: String
    /// `upstream NAME { }` groups by lower-cased name (nginx compares them without case).
    public var upstreams: [String: UpstreamGroup] = [:]

    /// The group `proxy_pass http://NAME` names, if its host is one.
    public func upstreamGroup(for upstream: Values.ProxyURL) -> UpstreamGroup? {
        upstreams.isEmpty ? nil : upstreams[upstream.host.lowercased()]
    }

    /// Every distinct address some server listens on, in order of appearance.
    public var listenAddresses: [Values.ListenAddress] {
        var seen: [Values.ListenAddress] = []
        for server in servers { for address in server.listens where !seen.contains(address) { seen.append(address) } }
        return seen
    }

    /// Addresses that speak TLS: as nginx, an address is TLS when any server lists it with `ssl`.
    public var tlsAddresses: Set<Values.ListenAddress> {
        servers.reduce(into: Set<Values.ListenAddress>()) { $0.formUnion($1.tlsAddresses) }
    }
}

public struct LogTarget: Equatable {
    public var path: String
    public var level: String

    public init(path: String, level: String) {
        self.path = path
        self.level = level
    }
}

public struct ServerConfig {
    public var listens: [Values.ListenAddress]
    /// Addresses this server is the `default_server` of.
    public var defaultFor: Set<Values.ListenAddress>
    /// Lower-cased names (`server_name`); may hold `*.example.com` / `example.*`.
    public var names: [String]
    /// The server's own settings: the base when no `^` location matches.
    public var base: LocationConfig
    /// `=` and `^` locations, in configuration order.
    public var locations: [LocationConfig]
    /// `$` locations: their directives are laid over the chosen base.
    public var suffixLocations: [SuffixLocation]
    public var headerTimeoutMilliseconds: Int
    public var largeHeaderBufferCount: Int
    public var largeHeaderBufferSize: Int
    /// The `server` directive, and where `listen`, `server_name` and the
    /// head settings were written (only with `recordingOrigins`).
    public var origins = SettingOrigins()
    /// Addresses this server lists with `ssl`.
    public var tlsAddresses = Set<Values.ListenAddress>()
    /// `ssl_*`: the certificate and protocols of its TLS addresses.
    public var tls = TLSSettings()
    /// `http2 on`: its addresses speak HTTP/2 (ALPN h2 when TLS chose this server, prior knowledge when it is the default).
    public var http2 = false
    /// Addresses this server lists with `http2` (nginx's older form: the whole address speaks it).
    public var http2Addresses = Set<Values.ListenAddress>()
    /// `http2_max_concurrent_streams`: SETTINGS_MAX_CONCURRENT_STREAMS; more streams are refused.
    public var http2MaxConcurrentStreams = 128
    /// `http2_body_preread_size`: SETTINGS_INITIAL_WINDOW_SIZE, what a stream may send before its body is read.
    public var http2BodyPrereadSize = 65_536
    /// `http2_recv_buffer_size` (http only, nginx's per-worker buffer): what one HTTP/2 connection reads per turn.
    /// Its default stands here too: the table's server defaults hold only directives a server may write.
    public var http2RecvBufferSize = 262_144
}

public struct LocationConfig {
    public enum Match: Equatable {
        case server
        case exact(String)
        case prefix(String)
    }

    public var match: Match
    public var root: String
    /// Replaces the matched prefix (or the whole path for `=`) when set.
    public var alias: String?
    public var index: [String]
    public var autoindex: Bool
    public var errorPages: [Int: ErrorPage]
    /// 0 means unlimited.
    public var clientMaxBodySize: Int
    public var clientBodyTimeoutMilliseconds: Int
    public var keepaliveTimeoutMilliseconds: Int
    public var sendTimeoutMilliseconds: Int
    public var mimeTypes: MimeTable
    public var defaultType: String
    /// `charset NAME`: added to text answers; nil for `charset off` (the default).
    public var charset: String?
    /// nil when `access_log off`.
    public var accessLog: String?
    public var errorLog: LogTarget
    /// Upper-case method names; HEAD is added wherever GET is.
    public var allowedMethods: Set<String>
    public var cgiPath: String?
    public var cgiTimeoutMilliseconds: Int
    public var uploadStore: String?
    public var proxyPass: Values.ProxyURL?
    /// `fastcgi_pass` and the other `fastcgi_*` settings.
    public var fastcgi = FastCGISettings()
    public var returnAction: ReturnAction?
    /// `expires`: the Expires and Cache-Control fields of successful and redirecting answers.
    public var expires: Expires = .off
    /// `allow` and `deny`, in order (nginx's access phase: after `return`, before the handler).
    public var accessRules = AccessRules()
    /// `auth_basic` and `auth_basic_user_file`, each inherited on its own as in nginx.
    public var basicAuth = BasicAuth()
    /// `satisfy any`: either the address rules or the password let a request in; `all` (false): both must.
    public var satisfyAny = false
    /// `proxy_connect_timeout`, `proxy_send_timeout`, `proxy_read_timeout`.
    public var proxyTimeouts = ProxyTimeouts()
    /// `proxy_buffer_size`, `proxy_buffers`: how much of an answer waits for a slow client.
    public var proxyAnswerBuffer = ProxyAnswerBuffer()
    /// `proxy_redirect`, `proxy_hide_header`, `proxy_pass_header`.
    public var proxyAnswer = ProxyAnswerRules()
    /// `proxy_set_header`: the nearest level that has any replaces its parent's list, as in nginx.
    public var proxySetHeaders: [ProxySetHeader] = []
    /// `proxy_http_version`: 0 for HTTP/1.0 (no keep-alive to the proxied server), 1 for HTTP/1.1.
    public var proxyHTTPMinorVersion = 1
    /// `proxy_pass_request_headers`, `proxy_pass_request_body`, `proxy_set_body`.
    public var proxyRequest = ProxyRequestRules()
    /// `map`s of the enclosing `http`, by variable name (without `$`, lower case).
    public var variableMaps: VariableMaps = .none
    /// `set $name VALUE` of the server, then of this location, in order: as
    /// nginx's rewrite phase, each takes its value in turn before try_files.
    public var setVariables: [SetVariable] = []
    /// `add_header`: the nearest level that has any replaces its parent's list, as in nginx.
    public var addedHeaders: [AddedHeader] = []
    /// `add_trailer`: fields sent after the body (HTTP/2 trailers, or HTTP/1.1's last chunk); inherited as `add_header`.
    public var addedTrailers: [AddedHeader] = []
    /// `http2_chunk_size`: the largest DATA frame of an answer's body.
    public var http2ChunkSize = 8192
    /// `keepalive_requests`: requests one HTTP/2 connection serves before GOAWAY.
    public var keepaliveRequests = 1000
    /// `try_files`: files tried before the location answers, and the fallback (not inherited, as in nginx).
    public var tryFiles: TryFiles?
    /// `log_format`s of the enclosing `http`.
    public var logFormats: LogFormats = .none
    /// The format `access_log` names; nil for nginx's combined.
    public var accessLogFormat: LogFormat?
    /// gzip and gzip_static (`GzipSettings`).
    public var gzip = GzipSettings()
    /// `proxy_next_upstream`, `proxy_next_upstream_tries` (an upstream group's).
    public var nextUpstream = NextUpstream()
    /// `proxy_ssl_*`: TLS to a `proxy_pass https://` upstream.
    public var proxySSL = ProxySSLSettings()
    /// Where each of these was written, and the block they belong to (only
    /// with `recordingOrigins`; see `SettingOrigins`).
    public var origins = SettingOrigins()
}

public struct SuffixLocation {
    public var suffix: String
    public var patch: LocationPatch
}

public struct ErrorPage: Equatable {
    /// An absolute path (internal redirect) or an http(s) URL (302).
    public var target: String
    /// `=CODE`: answer with this code; `=` alone: the target's own status.
    public enum Response: Equatable { case original, code(Int), target }
    public var response: Response
}

public struct ReturnAction: Equatable {
    public var code: Int
    /// The URL for redirects, the body text otherwise, as written.
    public var text: String?
    /// `text` with its variables compiled (`return 301 https://$host$request_uri;`).
    public var template: VariableTemplate?

    public init(code: Int, text: String?) {
        self.code = code
        self.text = text
        self.template = text.map(VariableTemplate.compiled)
    }
}

/// Extension to MIME type. A class: one table is shared by every location
/// that inherits it.
public final class MimeTable {
    public private(set) var types: [String: String]
    public init(_ types: [String: String]) { self.types = types }

    /// nginx's built-in table when no `types` block is given.
    public static let nginxDefault = MimeTable(["html": "text/html", "gif": "image/gif", "jpg": "image/jpeg"])

    public func type(forExtension name: String) -> String? {
        types[name] ?? (name.utf8.contains(where: { (65...90).contains($0) }) ? types[name.lowercased()] : nil)
    }
}
