/// The directive table of contract §1. Adding a directive is one entry here
/// (its `sets:` says how its value reaches the model and merges down) plus
/// its field in the model and the code that acts on it.
public enum DirectiveTable {
    private static let h: Set<Context> = [.http, .server, .location]
    private static let head: Set<Context> = [.http, .server]

    private static func spec(_ name: String, _ contexts: Set<Context>, _ body: DirectiveSpec.Body = .none,
                             arguments: ClosedRange<Int>, unlimited: Bool = false, _ kinds: [DirectiveSpec.ArgumentKind],
                             repeatable: Bool = false, inherited: Bool = false,
                             default defaultValue: String = "", _ summary: String,
                             sets setting: DirectiveSetting? = nil,
                             variables: DirectiveSpec.VariableArguments = .none) -> DirectiveSpec {
        var spec = DirectiveSpec(name: name, contexts: contexts, body: body, minArguments: arguments.lowerBound,
                                 maxArguments: unlimited ? nil : arguments.upperBound, argumentKinds: kinds,
                                 repeatable: repeatable, inherited: inherited, defaultValue: defaultValue, summary: summary,
                                 setting: setting)
        spec.variableArguments = variables
        return spec
    }

    public static let all: [DirectiveSpec] = [
        // main
        spec("events", [.main], .block(.events), arguments: 0...0, [], "connection processing settings"),
        spec("http", [.main], .block(.http), arguments: 0...0, [], "the HTTP server"),
        spec("include", [.main, .http, .server, .location], arguments: 1...1, [.path], repeatable: true,
             "splices a file (or a glob of files) in place, relative to the including file"),
        spec("worker_processes", [.main], arguments: 1...1, [.workerCount], default: "1", "number of worker processes, or auto",
             sets: .main(\.workerProcesses) { input in
                 input.value(0) == "auto" ? Swift.max(1, ProcessInfoLite.onlineProcessors()) : Values.wholeNumber(Substring(input.value(0)))
             }),
        spec("error_log", [.main, .http, .server, .location], arguments: 1...2, [.path, .logLevel], repeatable: true,
             inherited: true, default: "logs/error.log error", "error log file and minimum level",
             sets: .location(\.errorLog) { SettingInput.logTarget($0.values, path: $0.path) }
                 .andMain(\.errorLog) { SettingInput.logTarget($0.values, path: $0.path) }),
        spec("pid", [.main], arguments: 1...1, [.path], default: "logs/webserv.pid", "file that holds the main process id",
             sets: .main(\.pidPath) { $0.path($0.value(0)) }),
        spec("user", [.main], arguments: 1...2, [.text, .text], "user and group the workers and CGI scripts run as (started as root)",
             sets: .main(\.user) { input -> (name: String, group: String)?? in
                 (input.value(0), input.values.count > 1 ? input.value(1) : input.value(0))   // GROUP: USER's name, as nginx
             }),
        spec("worker_rlimit_nofile", [.main], arguments: 1...1, [.count], "open-file limit (RLIMIT_NOFILE) of the worker processes",
             sets: .main(\.workerRlimitNofile) { Values.wholeNumber(Substring($0.value(0))) }),
        spec("env", [.main], arguments: 1...1, [.text], repeatable: true,
             "an environment variable the workers and CGI scripts keep (NAME) or get (NAME=VALUE)",
             sets: .main(\.environment, merge: .accumulates) { input in
                 input.occurrences.map { occurrence -> (name: String, value: String?) in
                     let text = occurrence.arguments.first?.value ?? ""
                     let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                     return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : nil)
                 }
             }),
        // events
        spec("worker_connections", [.events], arguments: 1...1, [.count], default: "512", "open connections per worker",
             sets: .main(\.workerConnections) { Values.wholeNumber(Substring($0.value(0))) }),
        // http, server
        spec("server", [.http], .block(.server), arguments: 0...0, [], repeatable: true, "a virtual server"),
        spec("map", [.http], .block(.map), arguments: 2...2, [.text, .variableName], repeatable: true,
             "defines $name by the value of SOURCE: map SOURCE $name { default V; KEY V; ~regex V; }",
             sets: .location(\.variableMaps, merge: .accumulates) { input in
                 var maps: [String: VariableMap] = [:]
                 for occurrence in input.occurrences {
                     let arguments = occurrence.arguments.map(\.value)
                     guard let name = Values.variableName(arguments[1]) else { continue }
                     let body = occurrence.children()
                     let entries = body.filter { !$0.arguments.isEmpty }
                         .map { VariableMap.Entry(key: $0.name, value: $0.arguments[0].value) }
                     maps[name] = VariableMap(name: name, source: arguments[0], entries: entries,
                                              hostnames: body.contains { $0.name == "hostnames" && $0.arguments.isEmpty })
                 }
                 return VariableMaps(maps)
             }, variables: .only(0)),
        spec("log_format", [.http], arguments: 2...2, unlimited: true, [.text], repeatable: true,
             "a named access-log format: log_format NAME [escape=default|json|none] STRING...",
             sets: .location(\.logFormats, merge: .accumulates) { input in
                 var formats: [String: LogFormat] = [:]
                 for occurrence in input.occurrences {
                     let arguments = occurrence.arguments.map(\.value)
                     formats[arguments[0]] = LogFormat(name: arguments[0], arguments: Array(arguments.dropFirst()))
                 }
                 return LogFormats(formats)
             }, variables: .from(1)),
        spec("upstream", [.http], .block(.upstream), arguments: 1...1, [.text], repeatable: true,
             "a group of servers 'proxy_pass http://NAME' spreads requests over (its entries: grammar.md)",
             sets: .main(\.upstreams, merge: .accumulates) { input in
                 Dictionary(input.occurrences.map { occurrence in
                     let name = occurrence.arguments.first?.value ?? ""
                     let entries = occurrence.children().map { ($0.name, $0.arguments.map(\.value)) }
                     return (name.lowercased(), UpstreamGroup.build(name: name, entries: entries))
                 }, uniquingKeysWith: { first, _ in first })
             }),
        spec("client_header_timeout", head, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time to receive the request head",
             sets: .server { input in Values.milliseconds(input.value(0)).map { time in { $0.headerTimeoutMilliseconds = time } } }),
        spec("large_client_header_buffers", head, arguments: 2...2, [.count, .size], inherited: true, default: "4 8k",
             "number and size of buffers for the request line and each header line",
             sets: .server { input in
                 let count = Values.wholeNumber(Substring(input.value(0))), size = Values.size(input.value(1))
                 return { server in
                     if let count { server.largeHeaderBufferCount = count }
                     if let size { server.largeHeaderBufferSize = size }
                 }
             }),
        spec("http2", head, arguments: 1...1, [.onOff], inherited: true, default: "off",
             "HTTP/2 on the server's addresses: offered by ALPN over TLS, with prior knowledge (h2c) on plain ones (nginx 1.25.1)",
             sets: .server { input in let on = input.value(0) == "on"; return { $0.http2 = on } }),
        // nginx's http2 module: the limits of an HTTP/2 connection (webserv's HTTP2Limits).
        spec("http2_max_concurrent_streams", head, arguments: 1...1, [.count], inherited: true, default: "128",
             "streams an HTTP/2 client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused",
             sets: .server { input in Values.wholeNumber(Substring(input.value(0))).map { count in { $0.http2MaxConcurrentStreams = count } } }),
        spec("http2_body_preread_size", head, arguments: 1...1, [.size], inherited: true, default: "64k",
             "what an HTTP/2 stream may send of its body before it is read (SETTINGS_INITIAL_WINDOW_SIZE)",
             sets: .server { input in Values.size(input.value(0)).map { size in { $0.http2BodyPrereadSize = size } } }),
        spec("http2_recv_buffer_size", [.http], arguments: 1...1, [.size], default: "256k",
             "how much one HTTP/2 connection reads per turn of the event loop (at least 16k)",
             sets: .server { input in Values.size(input.value(0)).map { size in { $0.http2RecvBufferSize = size } } }),
        obsolete("http2_idle_timeout", head, [.time], since: "1.19.7"),
        obsolete("http2_recv_timeout", head, [.time], since: "1.19.7"),
        obsolete("http2_max_requests", head, [.count], since: "1.19.7"),
        obsolete("http2_max_field_size", head, [.size], since: "1.19.7"),
        obsolete("http2_max_header_size", head, [.size], since: "1.19.7"),
        obsolete("http2_max_concurrent_pushes", head, [.count], since: "1.25.1"),
        obsolete("http2_push", h, [.text], since: "1.25.1"),
        obsolete("http2_push_preload", h, [.onOff], since: "1.25.1"),
        // TLS (nginx's ssl module): http and server, inherited as nginx merges its server conf
        spec("ssl_certificate", head, arguments: 1...1, [.path], repeatable: true, inherited: true,
             "certificate file (PEM: the full chain, leaf first) of the server's ssl addresses; several for several key types",
             sets: .server { input in
                 let paths = input.occurrences.map { input.path($0.arguments.first?.value ?? "") }
                 return { $0.tls.certificates = paths }
             }),
        spec("ssl_certificate_key", head, arguments: 1...1, [.path], repeatable: true, inherited: true,
             "private key file (PEM) of each ssl_certificate, in the same order",
             sets: .server { input in
                 let paths = input.occurrences.map { input.path($0.arguments.first?.value ?? "") }
                 return { $0.tls.certificateKeys = paths }
             }),
        spec("ssl_protocols", head, arguments: 1...1, unlimited: true, [.custom(TLSSettings.protocolValue)], inherited: true,
             default: "TLSv1.2 TLSv1.3", "TLS versions offered",
             sets: .server { input in let protocols = input.values; return { $0.tls.protocols = protocols } }),
        spec("ssl_ciphers", head, arguments: 1...1, [.text], inherited: true, default: TLSSettings.intermediateCiphers,
             "OpenSSL cipher list for TLS 1.2 (default: Mozilla's intermediate profile)",
             sets: .server { input in let ciphers = input.value(0); return { $0.tls.ciphers = ciphers } }),
        // on, unlike nginx's off: every cipher of the default list is strong, and testssl rates the client's order HIGH.
        spec("ssl_prefer_server_ciphers", head, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "the server's cipher order (ssl_ciphers') wins over the client's (off: nginx's default, the client's)",
             sets: .server { input in let on = input.value(0) == "on"; return { $0.tls.preferServerCiphers = on } }),
        spec("ssl_session_cache", head, arguments: 1...2, [.custom(TLSSettings.sessionCacheValue)], inherited: true,
             default: "none", "cache of TLS sessions for resumption by session id",
             sets: .server { input in TLSSettings.SessionCache.parse(input.values).map { cache in { $0.tls.sessionCache = cache } } }),
        spec("ssl_session_timeout", head, arguments: 1...1, [.time], inherited: true, default: "5m",
             "how long a TLS session may be resumed",
             sets: .server { input in Values.milliseconds(input.value(0)).map { time in { $0.tls.sessionTimeoutSeconds = time / 1000 } } }),
        spec("ssl_session_tickets", head, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "resumption by session tickets (their key is shared by every worker)",
             sets: .server { input in let on = input.value(0) == "on"; return { $0.tls.sessionTickets = on } }),
        // server
        spec("listen", [.server], arguments: 1...2, [.listenAddress, .listenParameter], repeatable: true, default: "*:80",
             "address and port to accept connections on, optionally ssl (TLS), http2 and default_server"),
        spec("server_name", [.server], arguments: 1...1, unlimited: true, [.serverName], repeatable: true, default: "\"\"",
             "names of the virtual server (Host header)"),
        spec("location", [.server], .block(.location), arguments: 1...2, [.locationModifierOrPattern], repeatable: true,
             "settings for request paths: = exact, ^ prefix, $ suffix"),
        spec("return", [.server, .location], arguments: 1...2, [.returnItem], "answers with a status, and a URL or text",
             sets: .location(\.returnAction) { input in
                 guard let code = Values.wholeNumber(Substring(input.value(0))) else { return ReturnAction(code: 302, text: input.value(0)) }
                 return ReturnAction(code: code, text: input.values.count > 1 ? input.value(1) : nil)
             }, variables: .from(0)),
        spec("set", [.server, .location], arguments: 2...2, [.variableName, .text], repeatable: true,
             "sets a variable: set $name VALUE (the value may hold variables)",
             sets: .location { input in
                 let values = input.occurrences.map { occurrence -> SetVariable in
                     let arguments = occurrence.arguments.map(\.value)
                     return SetVariable(name: Values.variableName(arguments[0]) ?? "", value: VariableTemplate.compiled(arguments[1]))
                 }
                 // After the server's: nginx runs the server's `set`s, then the location's.
                 return { location in location.setVariables += values }
             }, variables: .only(1)),
        spec("try_files", [.server, .location], arguments: 2...2, unlimited: true, [.text],
             "files tried in order (FILE/ for a directory); none: an internal redirect to URI, or =CODE",
             sets: .location(\.tryFiles) { TryFiles($0.values) }, variables: .from(0)),
        // location
        spec("alias", [.location], arguments: 1...1, [.path], "replaces the matched location prefix by this path",
             sets: .location(\.alias) { $0.path($0.value(0)) }),
        spec("allow_methods", [.location], arguments: 1...1, unlimited: true, [.method], default: "GET",
             "methods allowed here (HEAD goes with GET; every method where proxy_pass or fastcgi_pass is, unless set)",
             sets: .location(\.allowedMethods) { input in
                 let methods = Set(input.values)
                 return methods.contains("GET") ? methods.union(["HEAD"]) : methods
             }),
        spec("cgi_path", [.location], arguments: 1...1, [.path], "interpreter that runs the scripts of this location",
             sets: .location(\.cgiPath) { $0.path($0.value(0)) }),
        spec("cgi_timeout", [.location], arguments: 1...1, [.time], default: "60s", "time a CGI script may take",
             sets: .location(\.cgiTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("upload_store", [.location], arguments: 1...1, [.path], "directory where PUT and POST uploads are stored",
             sets: .location(\.uploadStore) { $0.path($0.value(0)) }),
        spec("proxy_pass", [.location], arguments: 1...1, [.proxyURL], "forwards requests to http://HOST:PORT[/PATH] (or https://, over TLS)",
             sets: .location(alsoSets: ["allow_methods"]) { input in
                 guard case .success(let url) = Values.proxyURL(input.value(0)) else { return nil }
                 // nginx passes every method to an upstream: unless the block says which.
                 let passesEvery = !input.blockHas("allow_methods")
                 return { location in
                     location.proxyPass = url
                     if passesEvery { location.allowedMethods = Set(Values.knownMethods) }
                 }
             }),
        spec("fastcgi_pass", [.location], arguments: 1...1, [.custom(FastCGIAddress.customValue)],
             "runs the location's requests on a FastCGI application (PHP-FPM) at HOST:PORT or unix:PATH",
             sets: .location(alsoSets: ["allow_methods"]) { input in
                 guard let address = FastCGIAddress.parse(input.value(0)) else { return nil }
                 // nginx passes every method to the application: unless the block says which.
                 let passesEvery = !input.blockHas("allow_methods")
                 return { location in
                     location.fastcgi.pass = address
                     if passesEvery { location.allowedMethods = Set(Values.knownMethods) }
                 }
             }),
        spec("fastcgi_param", h, arguments: 2...3, [.text, .text, .custom(FastCGIParam.flagValue)], repeatable: true, inherited: true,
             "a parameter sent to the FastCGI application: NAME VALUE [if_not_empty]; VALUE may name variables",
             sets: .location(\.fastcgi.params, merge: .accumulates) { input in
                 input.occurrences.map { occurrence in
                     let values = occurrence.arguments.map(\.value)
                     return FastCGIParam(name: values.first ?? "", value: values.count > 1 ? values[1] : "", ifNotEmpty: values.count > 2)
                 }
             }, variables: .only(1)),
        spec("fastcgi_index", h, arguments: 1...1, [.path], inherited: true,
             "script name added to a path that ends with / ($fastcgi_script_name)",
             sets: .location(\.fastcgi.index) { $0.value(0) }),
        spec("fastcgi_split_path_info", [.location], arguments: 1...1, [.custom(FastCGISplitPathInfo.customValue)],
             "regular expression whose two captures are $fastcgi_script_name and $fastcgi_path_info",
             sets: .location(\.fastcgi.splitPathInfo) { input -> FastCGISplitPathInfo?? in
                 // Compiled here, once per configuration; a pattern that does not compile never gets this far (checked).
                 FastCGISplitPathInfo(input.value(0)).map { .some($0) }
             }),
        spec("fastcgi_keep_conn", h, arguments: 1...1, [.onOff], inherited: true, default: "off",
             "keeps the connection to the FastCGI application open for the next request",
             sets: .location(\.fastcgi.keepConnection) { $0.value(0) == "on" }),
        spec("fastcgi_pass_request_headers", h, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "sends the request's fields as HTTP_* parameters (off: only the fastcgi_param ones)",
             sets: .location(\.fastcgi.passRequestHeaders) { $0.value(0) == "on" }),
        spec("fastcgi_pass_request_body", h, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "sends the request's body to the FastCGI application (off: read and dropped)",
             sets: .location(\.fastcgi.passRequestBody) { $0.value(0) == "on" }),
        spec("fastcgi_connect_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time to connect to the FastCGI application",
             sets: .location(\.fastcgi.connectTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("fastcgi_read_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time between two reads from the FastCGI application (504 when it passes)",
             sets: .location(\.fastcgi.readTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("fastcgi_send_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time between two writes to the FastCGI application",
             sets: .location(\.fastcgi.sendTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        // (h)
        spec("root", h, arguments: 1...1, [.path], inherited: true, default: "html", "directory that request paths are appended to",
             sets: .location { input in
                 let root = input.path(input.value(0))
                 // A block's root wins over an inherited alias.
                 return { location in
                     location.root = root
                     location.alias = nil
                     location.origins.remove("alias")
                 }
             }),
        spec("index", h, arguments: 1...1, unlimited: true, [.path], inherited: true, default: "index.html",
             "files tried for a request that ends with /", sets: .location(\.index) { $0.values }),
        spec("autoindex", h, arguments: 1...1, [.onOff], inherited: true, default: "off", "directory listings",
             sets: .location(\.autoindex) { $0.value(0) == "on" }),
        spec("error_page", h, arguments: 2...2, unlimited: true, [.errorPageItem], repeatable: true, inherited: true,
             "page for error statuses: CODE... [=RESPONSE] URI", sets: .location(\.errorPages, merge: .accumulates) { input in
                 var pages: [Int: ErrorPage] = [:]
                 for occurrence in input.occurrences {
                     let values = occurrence.arguments.map(\.value)
                     guard let target = values.last else { continue }
                     var codes = values.dropLast()
                     var response = ErrorPage.Response.original
                     if let last = codes.last, last.hasPrefix("=") {
                         codes = codes.dropLast()
                         response = last == "=" ? .target : .code(Values.wholeNumber(last.dropFirst()) ?? 200)
                     }
                     for code in codes.compactMap({ Values.wholeNumber(Substring($0)) }) {
                         pages[code] = ErrorPage(target: target, response: response)
                     }
                 }
                 return pages
             }),
        spec("client_max_body_size", h, arguments: 1...1, [.size], inherited: true, default: "1m",
             "largest request body (0: unlimited)", sets: .location(\.clientMaxBodySize) { Values.size($0.value(0)) }),
        spec("client_body_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time between two reads of the request body",
             sets: .location(\.clientBodyTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("keepalive_timeout", h, arguments: 1...2, [.time], inherited: true, default: "75s",
             "how long an idle keep-alive connection stays open",
             sets: .location(\.keepaliveTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("keepalive_requests", h, arguments: 1...1, [.count], inherited: true, default: "1000",
             "requests an HTTP/2 connection serves before GOAWAY (those under way finish); HTTP/1.1's keep-alive is not counted",
             sets: .location(\.keepaliveRequests) { Values.wholeNumber(Substring($0.value(0))) }),
        spec("http2_chunk_size", h, arguments: 1...1, [.size], inherited: true, default: "8k",
             "the largest DATA frame of an HTTP/2 answer's body",
             sets: .location(\.http2ChunkSize) { Values.size($0.value(0)).map { Swift.max(1, $0) } }),
        spec("proxy_connect_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time to establish the connection to a proxied server (then 504)",
             sets: .location(\.proxyTimeouts.connectMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("proxy_send_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time between two writes of the request to a proxied server (then 504)",
             sets: .location(\.proxyTimeouts.sendMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("proxy_read_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time between two reads of a proxied server's answer (then 504, or the connection cut after the head)",
             sets: .location(\.proxyTimeouts.readMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("proxy_redirect", h, arguments: 1...2, [.custom(ProxyAnswerRules.redirectValue)], repeatable: true, inherited: true,
             default: "default", "rewrites a proxied answer's Location and Refresh: default | off | FROM TO",
             sets: .location(\.proxyAnswer.redirects, merge: .accumulates) { ProxyAnswerRules.redirects($0) }),
        spec("proxy_set_header", h, arguments: 2...2, [.text, .text], repeatable: true, inherited: true,
             "a field sent to the proxied server instead of the client's (empty: not sent)",
             sets: .location(\.proxySetHeaders, merge: .accumulates) { input in
                 input.occurrences.map { occurrence in
                     let arguments = occurrence.arguments.map(\.value)
                     return ProxySetHeader(name: arguments[0], value: VariableTemplate.compiled(arguments[1]))
                 }
             }, variables: .only(1)),
        spec("proxy_http_version", h, arguments: 1...1, [.custom(ProxyHTTPVersion.value)], inherited: true, default: "1.1",
             "the HTTP version of requests to a proxied server (1.1: keep-alive, and Upgrade for WebSocket)",
             sets: .location(\.proxyHTTPMinorVersion) { $0.value(0) == "1.0" ? 0 : 1 }),
        spec("proxy_pass_request_headers", h, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "passes the request's fields to the proxied server (off: only proxy_set_header's and webserv's own)",
             sets: .location(\.proxyRequest.passHeaders) { $0.value(0) == "on" }),
        spec("proxy_pass_request_body", h, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "passes the request's body to the proxied server (off: read and dropped, sent without Content-Length)",
             sets: .location(\.proxyRequest.passBody) { $0.value(0) == "on" }),
        spec("proxy_set_body", h, arguments: 1...1, [.text], inherited: true,
             "the body sent to the proxied server instead of the request's (with its Content-Length)",
             sets: .location(\.proxyRequest.body) { input -> VariableTemplate?? in .some(VariableTemplate.compiled(input.value(0))) },
             variables: .only(0)),
        spec("proxy_hide_header", h, arguments: 1...1, [.text], repeatable: true, inherited: true,
             "a field of proxied answers not passed to the client",
             sets: .location(\.proxyAnswer.hidden, merge: .accumulates) { input in input.occurrences.compactMap { $0.arguments.first?.value.lowercased() } }),
        spec("proxy_pass_header", h, arguments: 1...1, [.text], repeatable: true, inherited: true,
             "a field nginx hides by default (X-Accel-*, X-Pad) passed to the client",
             sets: .location(\.proxyAnswer.passed, merge: .accumulates) { input in input.occurrences.compactMap { $0.arguments.first?.value.lowercased() } }),
        spec("proxy_next_upstream", h, arguments: 1...1, unlimited: true, [.custom(NextUpstream.customValue)], inherited: true,
             default: "error timeout", "when a request that failed on a server of an upstream group goes to the next one",
             sets: .location(\.nextUpstream.conditions) { NextUpstream.conditions($0.values) }),
        spec("proxy_next_upstream_tries", h, arguments: 1...1, [.custom(NextUpstream.triesValue)], inherited: true, default: "0",
             "how many servers of an upstream group a request may try (0: every one)",
             sets: .location(\.nextUpstream.tries) { Values.wholeNumber(Substring($0.value(0))) }),
        noEffect("proxy_next_upstream_timeout", h, [.time], "webserv bounds the tries by their number and each by the proxy timeouts"),
        spec("send_timeout", h, arguments: 1...1, [.time], inherited: true, default: "60s",
             "time between two writes of the response",
             sets: .location(\.sendTimeoutMilliseconds) { Values.milliseconds($0.value(0)) }),
        spec("types", h, .block(.types), arguments: 0...0, [], repeatable: true, inherited: true,
             "MIME types by file extension", sets: .location(\.mimeTypes, merge: .accumulates) { input in
                 var table: [String: String] = [:]
                 for entry in input.occurrences.flatMap({ $0.children() }) {
                     for name in entry.arguments.map(\.value) { table[name.lowercased()] = entry.name }
                 }
                 return MimeTable(table)
             }),
        spec("charset", h, arguments: 1...1, [.charsetOrOff], inherited: true, default: "off",
             "adds '; charset=NAME' to the Content-Type of text answers (nginx's charset_types), or off",
             sets: .location(\.charset) { input -> String?? in .some(input.value(0) == "off" ? nil : input.value(0)) }),
        spec("default_type", h, arguments: 1...1, [.mimeType], inherited: true, default: "text/plain",
             "MIME type when the extension is not in types", sets: .location(\.defaultType) { $0.value(0) }),
        spec("access_log", h, arguments: 1...2, [.accessLogPathOrOff, .accessLogFormat], repeatable: true, inherited: true,
             default: "logs/access.log combined", "access log file and its format (a log_format's name; combined by default), or off",
             sets: .location { input in
                 let path = input.value(0) == "off" ? nil : input.path(input.value(0))
                 let format = input.values.count > 1 ? input.value(1) : "combined"
                 return { location in
                     location.accessLog = path
                     location.accessLogFormat = format == "combined" ? nil : location.logFormats.byName[format]
                 }
             }),
        spec("add_header", h, arguments: 2...3, [.text, .text, .addHeaderFlag], repeatable: true, inherited: true,
             "adds a field to 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 answers (to every answer with always)",
             sets: .location(\.addedHeaders, merge: .accumulates) { input in
                 input.occurrences.map { occurrence in
                     let arguments = occurrence.arguments.map(\.value)
                     return AddedHeader(name: arguments[0], value: VariableTemplate.compiled(arguments[1]),
                                        always: arguments.count > 2)
                 }
             }, variables: .only(1)),
        spec("add_trailer", h, arguments: 2...3, [.text, .text, .addHeaderFlag], repeatable: true, inherited: true,
             "adds a trailer field after the body of 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 answers (every answer with always): HTTP/2 trailers, HTTP/1.1's last chunk",
             sets: .location(\.addedTrailers, merge: .accumulates) { input in
                 input.occurrences.map { occurrence in
                     let arguments = occurrence.arguments.map(\.value)
                     return AddedHeader(name: arguments[0], value: VariableTemplate.compiled(arguments[1]),
                                        always: arguments.count > 2)
                 }
             }, variables: .only(1)),
        spec("expires", h, arguments: 1...2, [.custom(Expires.customValue)], inherited: true, default: "off",
             "Expires and Cache-Control of 2xx/3xx answers: a time after the answer (or after Last-Modified), epoch, max, or off",
             sets: .location(\.expires) { Expires.parse($0.values) }),
        spec("allow", h, arguments: 1...1, [.custom(AccessRules.customValue)], repeatable: true, inherited: true,
             "lets clients from ADDRESS[/PREFIX] (or all) in; with deny, the first rule that matches decides",
             sets: .location(\.accessRules, merge: .accumulates) { AccessRules.parse($0.block) }),
        spec("deny", h, arguments: 1...1, [.custom(AccessRules.customValue)], repeatable: true, inherited: true,
             "answers 403 to clients from ADDRESS[/PREFIX] (or all); with allow, the first rule that matches decides",
             sets: .location(\.accessRules, merge: .accumulates) { AccessRules.parse($0.block) }),
        spec("auth_basic", h, arguments: 1...1, [.text], inherited: true, default: "off",
             "asks for a user name and password (HTTP Basic) in this realm, or off",
             sets: .location(\.basicAuth.realm) { input -> String?? in .some(input.value(0) == "off" ? nil : input.value(0)) }),
        spec("auth_basic_user_file", h, arguments: 1...1, [.path], inherited: true,
             "htpasswd file of auth_basic: USER:HASH lines (bcrypt, SHA-512/256 crypt, apr1, {SHA})",
             sets: .location(\.basicAuth.userFile) { input -> String?? in .some(input.path(input.value(0))) }),
        spec("satisfy", h, arguments: 1...1, [.custom(Satisfy.customValue)], inherited: true, default: "all",
             "with allow/deny and auth_basic: all lets a request in when both do, any when either does",
             sets: .location(\.satisfyAny) { $0.value(0) == "any" }),
        // nginx's gzip and gzip_static modules (Model/Gzip.swift; webserv's Output/GzipFilter.swift).
        spec("gzip", h, arguments: 1...1, [.onOff], inherited: true, default: "off",
             "compresses answers of the gzip_types (text/html always) for clients that accept gzip",
             sets: .location(\.gzip.enabled) { $0.value(0) == "on" }),
        spec("gzip_types", h, arguments: 1...1, unlimited: true, [.custom(GzipSettings.typesValue)], inherited: true,
             default: "text/html", "MIME types gzip compresses besides text/html, or * for every type",
             sets: .location { input in
                 let values = input.values
                 return { location in
                     location.gzip.anyType = values.contains("*")
                     location.gzip.types = Set(values.filter { $0 != "*" }.map { $0.lowercased() })
                 }
             }),
        spec("gzip_min_length", h, arguments: 1...1, [.size], inherited: true, default: "20",
             "answers whose length is known and shorter go uncompressed",
             sets: .location(\.gzip.minLength) { Values.size($0.value(0)) }),
        spec("gzip_comp_level", h, arguments: 1...1, [.custom(GzipSettings.levelValue)], inherited: true, default: "1",
             "compression level, 1 (fastest) to 9 (smallest)",
             sets: .location(\.gzip.level) { Values.wholeNumber(Substring($0.value(0))) }),
        spec("gzip_vary", h, arguments: 1...1, [.onOff], inherited: true, default: "off",
             "adds 'Vary: Accept-Encoding' to answers gzip or gzip_static could compress",
             sets: .location(\.gzip.vary) { $0.value(0) == "on" }),
        spec("gzip_proxied", h, arguments: 1...1, unlimited: true, [.custom(GzipSettings.proxiedValue)], inherited: true,
             default: "off", "which answers to requests that came through a proxy (Via) are compressed",
             sets: .location(\.gzip.proxied) { GzipSettings.Proxied.parse($0.values) }),
        spec("gzip_disable", h, arguments: 1...1, unlimited: true, [.custom(GzipSettings.disableValue)], inherited: true,
             "no gzip for these clients: 'msie6' (Internet Explorer 4 to 6) only",
             sets: .location(\.gzip.disableMSIE6) { $0.values.contains("msie6") }),
        spec("gzip_http_version", h, arguments: 1...1, [.custom(GzipSettings.httpVersionValue)], inherited: true,
             default: "1.1", "the oldest HTTP version whose requests get gzip",
             sets: .location(\.gzip.minimumHTTPMinorVersion) { $0.value(0) == "1.0" ? 0 : 1 }),
        spec("gzip_buffers", h, arguments: 2...2, [.count, .size], inherited: true,
             noEffectPrefix + "webserv's gzip filter compresses into the answer's own buffer"),
        spec("gzip_static", h, arguments: 1...1, [.custom(GzipSettings.staticValue)], inherited: true, default: "off",
             "serves FILE.gz beside FILE (when not older) to clients that accept gzip (on) or to every client (always)",
             sets: .location(\.gzip.staticFiles) { input -> GzipSettings.Static? in
                 switch input.value(0) {
                 case "on": return .on
                 case "always": return .always
                 default: return .off
                 }
             }),
        // TLS to a proxy_pass https:// upstream (nginx's proxy_ssl_*; Model/ProxySSL.swift, webserv's Upstream/UpstreamTLSContext.swift).
        spec("proxy_ssl_server_name", h, arguments: 1...1, [.onOff], inherited: true, default: "off",
             "sends proxy_ssl_name to an https upstream as the TLS server name (SNI)",
             sets: .location(\.proxySSL.serverName) { $0.value(0) == "on" }),
        spec("proxy_ssl_name", h, arguments: 1...1, [.text], inherited: true, default: "$proxy_host",
             "the name an https upstream is asked for (SNI) and checked against (proxy_ssl_verify)",
             sets: .location(\.proxySSL.name) { input -> VariableTemplate?? in .some(VariableTemplate.compiled(input.value(0))) },
             variables: .only(0)),
        spec("proxy_ssl_verify", h, arguments: 1...1, [.onOff], inherited: true, default: "off",
             "checks an https upstream's certificate chain (proxy_ssl_trusted_certificate) and name (proxy_ssl_name): 502 when they fail",
             sets: .location(\.proxySSL.verify) { $0.value(0) == "on" }),
        spec("proxy_ssl_trusted_certificate", h, arguments: 1...1, [.path], inherited: true,
             "CA certificates (PEM) proxy_ssl_verify trusts",
             sets: .location(\.proxySSL.trustedCertificate) { input -> String?? in .some(input.path(input.value(0))) }),
        spec("proxy_ssl_verify_depth", h, arguments: 1...1, [.count], inherited: true, default: "1",
             "how many CA certificates may stand between an https upstream's certificate and a trusted one",
             sets: .location(\.proxySSL.verifyDepth) { Values.wholeNumber(Substring($0.value(0))) }),
        spec("proxy_ssl_session_reuse", h, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "a new connection to an https upstream resumes the last TLS session with that server",
             sets: .location(\.proxySSL.sessionReuse) { $0.value(0) == "on" }),
        spec("proxy_ssl_protocols", h, arguments: 1...1, unlimited: true, [.custom(ProxySSLSettings.protocolValue)], inherited: true,
             default: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3", "TLS versions offered to an https upstream",
             sets: .location(\.proxySSL.protocols) { $0.values }),
        spec("proxy_ssl_ciphers", h, arguments: 1...1, [.text], inherited: true, default: "DEFAULT",
             "OpenSSL cipher list offered to an https upstream (TLS 1.2 and below)",
             sets: .location(\.proxySSL.ciphers) { $0.value(0) }),
        spec("proxy_ssl_certificate", h, arguments: 1...1, [.path], inherited: true,
             "client certificate (PEM) presented to an https upstream that asks for one",
             sets: .location(\.proxySSL.certificate) { input -> String?? in .some(input.path(input.value(0))) }),
        spec("proxy_ssl_certificate_key", h, arguments: 1...1, [.path], inherited: true,
             "private key (PEM) of proxy_ssl_certificate",
             sets: .location(\.proxySSL.certificateKey) { input -> String?? in .some(input.path(input.value(0))) }),
        // Accepted so that nginx's own files (its stock nginx.conf) lint; all but
        // server_tokens change nothing here: each says why, in a note (directive.no-effect).
        noEffect("daemon", [.main], [.onOff], "webserv always stays in the foreground"),
        noEffect("multi_accept", [.events], [.onOff], "each worker accepts every pending connection when woken"),
        noEffect("use", [.events], [.eventMethod], "webserv always uses epoll (the only value)"),
        noEffect("sendfile", h, [.onOff], "webserv always sends static files with sendfile(2)"),
        noEffect("tcp_nopush", h, [.onOff], "webserv does not cork its sockets; a response head leaves in one write"),
        noEffect("tcp_nodelay", h, [.onOff], "webserv always sets TCP_NODELAY (nginx's default)"),
        noEffect("types_hash_max_size", h, [.count], "webserv's types table has no size limit"),
        noEffect("types_hash_bucket_size", h, [.size], "webserv's types table has no size limit"),
        noEffect("server_names_hash_max_size", [.http], [.count], "webserv's server names table has no size limit"),
        noEffect("server_names_hash_bucket_size", [.http], [.size], "webserv's server names table has no size limit"),
        noEffect("proxy_buffering", h, [.onOff], "webserv streams a proxied answer as it comes, holding at most proxy_buffer_size and proxy_buffers of it for a slow client"),
        noEffect("proxy_request_buffering", h, [.onOff], "webserv streams a request body to the proxied server as it arrives"),
        spec("proxy_buffer_size", h, arguments: 1...1, [.size], inherited: true, default: "4k",
             "with proxy_buffers, how much of a proxied answer is held for a slow client (its head may take up to 64 KiB whatever this says)",
             sets: .location(\.proxyAnswerBuffer.headBytes) { Values.size($0.value(0)) }),
        spec("proxy_buffers", h, arguments: 2...2, [.count, .size], inherited: true, default: "8 4k",
             "with proxy_buffer_size, how much of a proxied answer is held for a slow client before the upstream is no longer read",
             sets: .location(\.proxyAnswerBuffer.buffers) { input in
                 guard let count = Int(input.value(0)), let size = Values.size(input.value(1)) else { return nil }
                 return ProxyAnswerBuffer.Buffers(count: count, size: size)
             }),
        noEffect("proxy_busy_buffers_size", h, [.size], "webserv holds at most proxy_buffer_size and proxy_buffers of a proxied answer for a slow client"),
        spec("server_tokens", h, arguments: 1...1, [.onOff], inherited: true, default: "on",
             "the Server field is 'webserv' without a version either way: there is no version to hide"),
    ]

    /// What the summary of a directive accepted only for nginx's sake starts with.
    static let noEffectPrefix = "accepted, no effect: "

    /// An nginx directive accepted with its arguments checked, which changes nothing here (`why` says so).
    private static func noEffect(_ name: String, _ contexts: Set<Context>, arguments: ClosedRange<Int> = 1...1,
                                 _ kinds: [DirectiveSpec.ArgumentKind], _ why: String) -> DirectiveSpec {
        spec(name, contexts, arguments: arguments, kinds, inherited: contexts.count > 1, noEffectPrefix + why)
    }

    /// The directives nginx made obsolete (it accepts them with a warning and ignores them), and
    /// what replaced each ("": nothing did, server push is gone).
    public static let obsoleteReplacements: [String: String] = [
        "http2_idle_timeout": "keepalive_timeout", "http2_recv_timeout": "client_header_timeout",
        "http2_max_requests": "keepalive_requests", "http2_max_field_size": "large_client_header_buffers",
        "http2_max_header_size": "large_client_header_buffers",
        "http2_max_concurrent_pushes": "", "http2_push": "", "http2_push_preload": "",
    ]

    /// A directive nginx made obsolete: accepted with its arguments checked and
    /// ignored (no `sets:`); the checker warns as nginx does (`directive.obsolete`).
    private static func obsolete(_ name: String, _ contexts: Set<Context>, _ kinds: [DirectiveSpec.ArgumentKind],
                                 since version: String) -> DirectiveSpec {
        let replacement = obsoleteReplacements[name] ?? ""
        return spec(name, contexts, arguments: 1...1, kinds,
                    "obsolete since nginx \(version), ignored" + (replacement.isEmpty ? "" : ": use '\(replacement)'"))
    }

    /// Why `spec` changes nothing here, for a directive accepted only for nginx's sake.
    public static func withoutEffect(_ spec: DirectiveSpec) -> String? {
        spec.summary.hasPrefix(noEffectPrefix) ? String(spec.summary.dropFirst(noEffectPrefix.count)) : nil
    }

    private static let byName: [String: DirectiveSpec] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    public static func spec(named name: String) -> DirectiveSpec? { byName[name] }

    public static func names(in context: Context) -> [String] {
        all.filter { $0.contexts.contains(context) }.map(\.name)
    }
}
