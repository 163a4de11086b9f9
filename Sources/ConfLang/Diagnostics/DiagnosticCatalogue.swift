/// The one registry of diagnostic codes: for each, the code string, its
/// severity, what it means and how to fix it. `confcheck --list-codes`,
/// README's diagnostics reference and SARIF's rules are all read from here.
public enum DiagnosticCatalogue {
    public struct Entry {
        /// Stable: existing output, scripts and ignore comments rely on it.
        public let code: String
        public let severity: Diagnostic.Severity
        /// One line: what the finding means.
        public let summary: String
        /// How to fix it.
        public let help: String

        init(_ code: String, _ severity: Diagnostic.Severity, _ summary: String, help: String) {
            self.code = code
            self.severity = severity
            self.summary = summary
            self.help = help
        }

        public var helpURI: String { DiagnosticCatalogue.helpURI }
        /// `summary` and `help` are Markdown (code in backticks); these are
        /// plain text, code in single quotes as in the messages.
        public var plainSummary: String { summary.replacing("`", with: "'") }
        public var plainHelp: String { help.replacing("`", with: "'") }
    }

    /// Where the codes are documented, relative to the repository root (the
    /// repository's own URL is not known to the tool).
    public static let helpURI = "README.md#diagnostics-reference"

    /// Every entry, in the order of `DiagnosticCode` (grouped by area).
    public static var all: [Entry] { DiagnosticCode.allCases.map(\.entry) }

    static func entry(for code: DiagnosticCode) -> Entry {
        switch code {
        // MARK: syntax
        case .syntaxUnterminatedString:
            return Entry("syntax.unterminated-string", .error, "a quoted string is still open at the end of the file",
                         help: "Add the closing quote. Strings may span lines, so it is missing at or after the opening quote shown.")
        case .syntaxTextAfterQuote:
            return Entry("syntax.text-after-quote", .error, "text follows a closing quote without a space",
                         help: "Put a space after the closing quote, or quote the whole argument (`\"ab\"`, not `\"a\"b`).")
        case .syntaxTokenTooLong:
            return Entry("syntax.token-too-long", .error, "a token is longer than 4096 bytes",
                         help: "nginx rejects tokens longer than its 4096-byte buffer; usually a closing quote is missing.")
        case .syntaxUnexpectedCloseBrace:
            return Entry("syntax.unexpected-close-brace", .error, "a `}` with no open block",
                         help: "Remove the `}`, or add the `{` it was meant to close.")
        case .syntaxEmptyDirective:
            return Entry("syntax.empty-directive", .error, "a `;` with no directive before it",
                         help: "Remove the extra `;` (the fix-it does).")
        case .syntaxBlockWithoutName:
            return Entry("syntax.block-without-name", .error, "a `{` with no directive name before it",
                         help: "Write the directive name before the block (`server { ... }`), or remove the stray block.")
        case .syntaxMissingSemicolon:
            return Entry("syntax.missing-semicolon", .error, "a directive is not ended by `;`",
                         help: "End the directive with `;` (the fix-it does).")
        case .syntaxTooDeep:
            return Entry("syntax.too-deep", .error, "blocks are nested more than 100 levels deep",
                         help: "Look for blocks opened by mistake; the block is skipped.")
        case .syntaxUnclosedBlock:
            return Entry("syntax.unclosed-block", .error, "the file ends inside a block",
                         help: "Add the missing `}`; the notes show the open blocks. A `}` glued to a word (`root /x}`) is part of the word: put a space before it.")
        case .encodingInvalidUTF8:
            return Entry("encoding.invalid-utf8", .warning, "the file is not valid UTF-8",
                         help: "It is read as bytes, as nginx does; save it as UTF-8 (a Latin-1 comment is the usual cause).")

        // MARK: includes
        case .includeArguments:
            return Entry("include.arguments", .error, "`include` does not have exactly one path",
                         help: "Give it one path or glob: `include sites/*.conf;`.")
        case .includeUnreadable:
            return Entry("include.unreadable", .error, "an included file cannot be read",
                         help: "Paths are relative to the directory of the file holding the `include`; the file must be a regular file of at most 64 MiB. A glob that matches nothing is not an error.")
        case .includeTooDeep:
            return Entry("include.too-deep", .error, "includes are nested more than 32 levels deep",
                         help: "This is almost always a cycle through different paths to one file: break it.")
        case .includeCycle:
            return Entry("include.cycle", .error, "an include reaches a file that is already being included",
                         help: "Remove the include that closes the cycle; the notes show the chain from the main file.")

        // MARK: directives
        case .directiveUnknown:
            return Entry("directive.unknown", .error, "a directive the language does not have",
                         help: "Fix the spelling (the did-you-mean and its fix-it give the closest name); grammar.md lists every directive.")
        case .directiveUnsupported:
            return Entry("directive.unsupported", .error, "an nginx directive that webserv does not have",
                         help: "Remove it; the message says what webserv does instead, where it has an equivalent.")
        case .directiveContext:
            return Entry("directive.context", .error, "a directive where it is not allowed",
                         help: "Move it to one of the contexts the message lists (grammar.md gives each directive's contexts). A file meant to be included inside a block lints alone with `--context`, as the message says.")
        case .directiveNoEffect:
            return Entry("directive.no-effect", .note, "an nginx directive accepted so that nginx's files lint, which changes nothing here",
                         help: "Nothing to fix: the message says what webserv does instead. Remove it, or keep it for nginx's sake; notes never fail a lint, `--strict` included.")
        case .directiveObsolete:
            return Entry("directive.obsolete", .warning, "an nginx directive nginx itself made obsolete (the `http2_*` limits of 1.19.7, server push in 1.25.1): accepted and ignored, as nginx does",
                         help: "Use the directive the message names instead (the fix-it renames `http2_idle_timeout`, `http2_recv_timeout` and `http2_max_requests`; `http2_max_field_size` and `http2_max_header_size` become `large_client_header_buffers N SIZE`), or remove it where nothing replaced it (server push).")
        case .directiveUnexpectedBlock:
            return Entry("directive.unexpected-block", .error, "a block after a directive that takes none",
                         help: "End the directive with `;` instead of a block.")
        case .directiveMissingBlock:
            return Entry("directive.missing-block", .error, "a block directive without its block",
                         help: "Follow it with a block: `http { ... }`.")
        case .directiveArguments:
            return Entry("directive.arguments", .error, "a directive has the wrong number or form of arguments",
                         help: "Give it the arguments grammar.md lists; when the message names a likely missing `;`, add it there.")
        case .directiveDuplicate:
            return Entry("directive.duplicate", .error, "a directive that may appear once is set twice in one block",
                         help: "Keep one of them; the note shows the first.")

        // MARK: values
        case .valueVariable:
            return Entry("value.variable", .warning, "an nginx variable (`$host`, `${uri}`) in an argument webserv does not evaluate",
                         help: "webserv evaluates variables where nginx does among its directives (grammar.md's Variables: `return`, `set`, `map`, `add_header`, `log_format`, `try_files`, `proxy_set_header`, `proxy_set_body`, `fastcgi_param`); elsewhere the text is used as written. Write the value itself, or ignore this where the `$` is meant literally.")
        case .variableUnknown:
            return Entry("variable.unknown", .error, "a variable that is neither webserv's nor defined by `map` or `set`",
                         help: "Use one of the variables README lists (`$host`, `$request_uri`, `$http_NAME`...), or define it with `map` or `set`; nginx refuses it too (unknown \"name\" variable).")
        case .variableInvalid:
            return Entry("variable.invalid", .error, "a `$` that starts no valid variable name, or a `map`/`set` name that is not one",
                         help: "Write a name after `$` (`$host`, `${host}`); `map` and `set` define a `$name` that is not one of webserv's own.")
        case .tryFilesFallback:
            return Entry("tryfiles.fallback", .error, "a `try_files` whose last argument is neither a URI nor `=CODE`",
                         help: "End `try_files` with its fallback: a URI starting with `/` (an internal redirect, `/index.php?$args`) or `=CODE` (`=404`); named locations (`@name`) are not supported.")
        case .tryFilesNoFallback:
            return Entry("tryfiles.no-fallback", .warning, "a `try_files` whose last argument names the request itself (`$uri/`)",
                         help: "The last argument is not tried as a file: it is the internal redirect made when no file exists, and one naming the request loops until the cycle is cut (500). Add `=404` or a fixed URI after it.")
        case .mapEntry:
            return Entry("map.entry", .error, "a `map` body line that is not `KEY VALUE;`",
                         help: "Write `KEY VALUE;`, `default VALUE;`, `~REGEX VALUE;`, `hostnames;` or `volatile;`; each key once.")
        case .valueSize:
            return Entry("value.size", .error, "an invalid size",
                         help: "Use a number of bytes with an optional `k`, `m` or `g` suffix: `512k`, `1m`.")
        case .valueTime:
            return Entry("value.time", .error, "an invalid time",
                         help: "Use seconds, or numbers with `ms`, `s`, `m`, `h` (also `d`, `w`, `M`, `y`): `65s`, `500ms`, `1m30s`.")
        case .valueNumber:
            return Entry("value.number", .error, "an invalid count",
                         help: "Use a positive whole number (`worker_processes` also takes `auto`).")
        case .valuePath:
            return Entry("value.path", .error, "an empty path",
                         help: "Give the directive a non-empty path.")
        case .valueOnOff:
            return Entry("value.on-off", .error, "a flag that is neither `on` nor `off`",
                         help: "Write `on` or `off`.")
        case .valueMimeType:
            return Entry("value.mime-type", .error, "an invalid MIME type",
                         help: "Use `type/subtype`, e.g. `text/plain`.")
        case .valueLogLevel:
            return Entry("value.log-level", .error, "an unknown `error_log` level",
                         help: "Use one of debug, info, notice, warn, error, crit, alert, emerg.")
        case .valueCharset:
            return Entry("value.charset", .error, "an invalid charset name",
                         help: "Use a charset name such as `utf-8`, or `off`.")
        case .valueLogFormat:
            return Entry("value.log-format", .error, "an `access_log` format no `log_format` defines, or a `log_format` that cannot be one",
                         help: "Define the format at http level (`log_format NAME [escape=default|json|none] STRING...;`) under a name other than `combined`, or leave `access_log`'s format out for combined.")
        case .valuePort:
            return Entry("value.port", .error, "a port outside 1 to 65535",
                         help: "Use a port from 1 to 65535.")
        case .valueAddress:
            return Entry("value.address", .error, "an invalid `listen` address",
                         help: "Use PORT, ADDRESS:PORT, *:PORT or [IPv6]:PORT.")
        case .valueListenParameter:
            return Entry("value.listen-parameter", .error, "an unsupported `listen` parameter",
                         help: "Only `ssl`, `http2` and `default_server` are supported: remove the others (`quic`, `reuseport`...).")
        case .valueSSL:
            return Entry("value.ssl", .error, "an `ssl_protocols` or `ssl_session_cache` value nginx refuses",
                         help: "Write the protocols as nginx names them (`ssl_protocols TLSv1.2 TLSv1.3;`) and the cache as `off`, `none`, `builtin[:N]` or `shared:NAME:SIZE`.")
        case .tlsNoCertificate:
            return Entry("tls.no-certificate", .error, "a `listen ... ssl` whose server has no `ssl_certificate`, or a certificate without its key",
                         help: "Give the server (or http) `ssl_certificate` and `ssl_certificate_key`, as nginx requires: `ssl_certificate /etc/letsencrypt/live/NAME/fullchain.pem; ssl_certificate_key /etc/letsencrypt/live/NAME/privkey.pem;`.")
        case .proxySSLIncomplete:
            return Entry("proxy.ssl-incomplete", .error, "`proxy_ssl_verify on` without `proxy_ssl_trusted_certificate`, or `proxy_ssl_certificate` without its key, for an https upstream",
                         help: "Give the location (or its server, or http) the file nginx requires too: `proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;` for verification, `proxy_ssl_certificate_key FILE;` beside a client certificate.")
        case .proxySSLNoEffect:
            return Entry("proxy.ssl-no-effect", .warning, "a `proxy_ssl_*` directive in a location whose `proxy_pass` is plain http",
                         help: "Write `proxy_pass https://...` to speak TLS to the upstream, or remove the directive: nginx ignores it there too.")
        case .valueNextUpstream:
            return Entry("value.next-upstream", .error, "a `proxy_next_upstream` word nginx does not have",
                         help: "Use `error`, `timeout`, `invalid_header`, `http_500`, `http_502`, `http_503`, `http_504`, `http_403`, `http_404`, `http_429`, `non_idempotent`, or `off` alone.")
        case .valueEventMethod:
            return Entry("value.event-method", .error, "a connection processing method other than `epoll`",
                         help: "webserv runs on epoll: write `use epoll;` or remove the directive.")
        case .valueAccessAddress:
            return Entry("value.access-address", .error, "an `allow`/`deny` argument that is no address, network or `all`",
                         help: "Write an IPv4 or IPv6 address, ADDRESS/PREFIX (`10.0.0.0/8`, `2001:db8::/32`) or `all`.")
        case .valueSatisfy:
            return Entry("value.satisfy", .error, "a `satisfy` value other than `all` or `any`",
                         help: "Write `satisfy all;` (both the address rules and the password) or `satisfy any;` (either).")
        case .valueServerName:
            return Entry("value.server-name", .error, "a regular-expression server name",
                         help: "List the names, or use a wildcard such as `*.example.com`.")
        case .valueProxyURL:
            return Entry("value.proxy-url", .error, "an invalid `proxy_pass` URL",
                         help: "Write the upstream as `http://HOST:PORT[/PATH]` or `https://HOST[:PORT][/PATH]` (443 by default), or `http(s)://UPSTREAM[/PATH]`; variables are not supported.")
        case .valueMethod:
            return Entry("value.method", .error, "an unknown method in `allow_methods`",
                         help: "Use GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH (methods are case-sensitive).")
        case .valueMethodRepeated:
            return Entry("value.method-repeated", .warning, "a method listed twice in `allow_methods`",
                         help: "Remove the repeated method.")
        case .valueErrorPageURI:
            return Entry("value.error-page-uri", .error, "an `error_page` target that is neither a path nor a URL",
                         help: "Use an absolute path (`/50x.html`) or an http(s):// URL; named locations (`@name`) are not supported.")
        case .valueStatus:
            return Entry("value.status", .error, "a status code out of range",
                         help: "`error_page` codes are 300 to 599 (`=CODE` 100 to 599); `return` codes are 0 to 999.")
        case .valueReturnRedirect:
            return Entry("value.return-redirect", .error, "a 3xx `return` without a URL",
                         help: "Give the redirect its target: `return 301 /new/place;`.")
        case .valueReturnNonstandard:
            return Entry("value.return-nonstandard", .warning, "a `return` code that is not an HTTP status (100 to 599)",
                         help: "Clients only know 100 to 599 (RFC 9110 §15); webserv, like nginx, sends any code from 0 to 999 as it is written; 444, as in nginx, closes the connection without an answer.")

        // MARK: servers and locations
        case .listenDuplicate:
            return Entry("listen.duplicate", .error, "one address listed twice in a server",
                         help: "Remove the repeated `listen` (`80`, `*:80` and `0.0.0.0:80` are one address); nginx refuses it too.")
        case .listenHostNotFound:
            return Entry("listen.host-not-found", .error, "a `listen` host name that does not resolve",
                         help: "Use an IP address or a name that resolves where webserv runs (nginx refuses to start too). Where only the checking machine cannot resolve it (CI), ignore this code there; webserv still refuses it.")
        case .proxyHostNotFound:
            return Entry("proxy.host-not-found", .error, "a `proxy_pass` host name that does not resolve",
                         help: "Use an IP address or a name that resolves where webserv runs: webserv resolves it when it starts and refuses to start without it (nginx too). Where only the checking machine cannot resolve it (CI), ignore this code there.")
        case .proxyStaleDNS:
            return Entry("proxy.stale-dns", .warning, "a `proxy_pass` host name, resolved only when the configuration is applied",
                         help: "webserv (as nginx without a `resolver` and variables) keeps the address it resolved at start or reload: when the name moves, reload it (`webserv -s reload` or `SIGHUP`), or write the upstream's IP address. gixy-next's `stale_dns_cache`.")
        case .serverImplicitDefault:
            return Entry("server.implicit-default", .warning, "several servers on one address and none is `default_server`",
                         help: "The first of them answers requests for unknown hosts (and without Host), as in nginx; say which one with `listen ... default_server`. gixy-next's `default_server_flag`.")
        case .serverDuplicateDefault:
            return Entry("server.duplicate-default", .error, "two `default_server` on one address",
                         help: "Keep `default_server` on one server per address; the note shows the first.")
        case .serverDuplicateName:
            return Entry("server.duplicate-name", .error, "two servers on one address with the same `server_name`",
                         help: "Requests for the name only reach the first server: remove it from one, or listen on another address.")
        case .locationPattern:
            return Entry("location.pattern", .error, "a location modifier without a pattern",
                         help: "Write the pattern after the modifier: `location = /50x.html`.")
        case .locationModifier:
            return Entry("location.modifier", .error, "a location modifier webserv does not have",
                         help: "Use `=` (exact), `^` (prefix) or `$` (suffix); the message says which replaces nginx's `~`, `~*`, `^~` or `@name`.")
        case .locationDuplicate:
            return Entry("location.duplicate", .error, "two locations with one modifier and pattern in a server",
                         help: "Merge them (`location /a` and `location ^ /a` are the same).")
        case .locationNeverMatches:
            return Entry("location.never-matches", .warning, "a `^` or `=` pattern that does not start with `/`",
                         help: "Request paths start with `/`: add it, or use `$` for a suffix.")
        case .locationRootAndAlias:
            return Entry("location.root-and-alias", .error, "`root` and `alias` in one location",
                         help: "Use one: `alias` replaces the matched prefix, `root` is prepended to the whole path.")
        case .typesEntry:
            return Entry("types.entry", .error, "a `types` entry with a block",
                         help: "Write each entry as `TYPE/SUBTYPE EXTENSION...;`.")
        case .typesMimeType:
            return Entry("types.mime-type", .error, "a `types` entry whose type is not type/subtype",
                         help: "Use `type/subtype`: `text/html html htm;`.")
        case .typesNoExtension:
            return Entry("types.no-extension", .error, "a `types` entry with no extension",
                         help: "List one or more extensions after the type.")
        case .typesDuplicateExtension:
            return Entry("types.duplicate-extension", .warning, "an extension mapped twice in `types`",
                         help: "Remove one mapping: the last one wins.")
        case .upstreamEntry:
            return Entry("upstream.entry", .error, "an `upstream` entry webserv does not know, or with wrong arguments",
                         help: "An `upstream` block holds `server`, `keepalive`, `keepalive_timeout`, `keepalive_requests`, `least_conn`, `ip_hash`, `hash KEY [consistent]` and `zone`; a `hash` key may use $remote_addr, $request_uri, $uri and $args.")
        case .upstreamServer:
            return Entry("upstream.server", .error, "an upstream `server` with a bad address or parameter",
                         help: "Write `server HOST[:PORT] [weight=N] [max_fails=N] [fail_timeout=TIME] [backup] [down];` (IPv4 or a name; port 80 by default).")
        case .upstreamDuplicate:
            return Entry("upstream.duplicate", .error, "two `upstream` blocks with one name",
                         help: "Rename one, or merge their servers (nginx refuses it too: duplicate upstream).")
        case .upstreamNoServers:
            return Entry("upstream.no-servers", .error, "an `upstream` block without a `server`",
                         help: "Add at least one `server HOST[:PORT];` (nginx refuses it too: no servers are inside upstream).")
        case .upstreamBalancing:
            return Entry("upstream.balancing", .error, "two balancing methods in one `upstream`, or `backup` with `hash`/`ip_hash`",
                         help: "Keep one of `least_conn`, `ip_hash` and `hash`; a hashed group has no backup servers (nginx refuses them).")

        // MARK: lints
        case .cgiNotExecutable:
            return Entry("cgi.not-executable", .warning, "a `cgi_path` that is not an executable file",
                         help: "Point it at the interpreter (`/usr/bin/python3`) and make that executable; relative paths are resolved against the main file's directory.")
        case .logErrorLogOff:
            return Entry("log.error-log-off", .warning, "`error_log off` writes to a file named `off`",
                         help: "Use `error_log /dev/null crit;` to discard the error log.")
        case .workerConnectionsOverLimit:
            return Entry("limit.worker-connections", .warning, "`worker_connections` exceeds the open-file limit the workers will have",
                         help: "Each connection takes a descriptor (two with a script or an upstream): raise `worker_rlimit_nofile` (or `ulimit -n` where webserv starts), or lower `worker_connections`.")
        case .securityRootFilesystem:
            return Entry("security.root-filesystem", .warning, "`root` or `alias` serves the whole file system",
                         help: "Point it at the site's own directory.")
        case .securityAliasTraversal:
            return Entry("security.alias-traversal", .warning, "a location and its alias disagree on the final `/`",
                         help: "End both the location pattern and the alias with `/`: `location /i/ { alias /data/; }`.")
        case .securityProxyPathTraversal:
            return Entry("security.proxy-path-traversal", .warning, "a `proxy_pass` path and its location disagree on the final `/`",
                         help: "End both with `/`, or neither.")
        case .securityUploadExecutable:
            return Entry("security.upload-executable", .warning, "uploads are stored where a CGI location runs scripts",
                         help: "Store uploads in a directory no CGI location serves; the note shows the location.")
        case .securityAddHeaderRedefinition:
            return Entry("security.add-header-redefinition", .warning, "an `add_header` list that drops a security header its parent adds",
                         help: "A block with any `add_header` replaces its parent's whole list (nginx's inheritance): repeat the security headers there. gixy's `add_header_redefinition`.")
        case .securityAutoindexSite:
            return Entry("security.autoindex-site", .warning, "`autoindex on` for a whole site",
                         help: "Turn it on in the locations that need a listing, not at http or server level or in `location /`.")
        case .accessUnreachableRule:
            return Entry("access.unreachable-rule", .warning, "an `allow` or `deny` after `allow all` or `deny all` in the same block",
                         help: "The first rule that holds decides and `all` holds every client: move the rule above the `all` one.")
        case .accessLowAddressBits:
            return Entry("access.low-address-bits", .warning, "an `allow`/`deny` network with bits set after its prefix",
                         help: "Write the network's own address (`10.0.0.0/8`, not `10.1.2.3/8`); the fix-it does. nginx warns the same and clears them.")
        case .authNoUserFile:
            return Entry("auth.no-user-file", .warning, "`auth_basic` with no `auth_basic_user_file` that could apply",
                         help: "Add `auth_basic_user_file FILE;` (htpasswd lines) beside it or in an enclosing block; as in nginx, without one no password is asked.")
        case .authUserFile:
            return Entry("auth.user-file", .warning, "an `auth_basic_user_file` that is not a readable file",
                         help: "Create it (`htpasswd -B -c FILE USER`) or fix the path, relative to the main file's directory; until then requests with a password get 403 (no such file, as nginx) or 500.")
        case .authUserFileWorldReadable:
            return Entry("auth.user-file-world-readable", .warning, "an `auth_basic_user_file` every user of the machine can read",
                         help: "`chmod 640` it, owned by the group webserv's workers run as: the hashes can be attacked offline.")

        // MARK: certificates
        case .certificateUnreadable:
            return Entry("certificate.unreadable", .error, "an `ssl_certificate` or `ssl_certificate_key` file cannot be read",
                         help: "Fix the path (a relative one is resolved against the main file's directory) or the permissions: webserv reads it as the user it starts as (root, before it drops privileges), so run the check as that user. certbot's files are `/etc/letsencrypt/live/NAME/fullchain.pem` and `privkey.pem`.")
        case .certificateNotPEM:
            return Entry("certificate.not-pem", .error, "a certificate or key file is not PEM, or its PEM does not decode",
                         help: "Give PEM files (`-----BEGIN CERTIFICATE-----`, `-----BEGIN PRIVATE KEY-----`); convert DER with `openssl x509 -inform der -in cert.der -out cert.pem` or `openssl pkey -inform der -in key.der -out key.pem`. A key behind a passphrase cannot be read at start: `openssl pkey -in key.pem -out key.pem`.")
        case .certificateKeyMismatch:
            return Entry("certificate.key-mismatch", .error, "the private key does not belong to the certificate",
                         help: "Pair each `ssl_certificate` with its own key (in the same order when there are several); with certbot, `fullchain.pem` goes with the `privkey.pem` of the same folder.")
        case .certificateChainOrder:
            return Entry("certificate.chain-order", .error, "the certificate file does not start with the server's own certificate",
                         help: "Put the leaf (the certificate for the server's names) first, then each intermediate in turn: `cat leaf.pem intermediate.pem > fullchain.pem`.")
        case .certificateChainBroken:
            return Entry("certificate.chain-broken", .warning, "a certificate in the chain was not issued by the one after it",
                         help: "Order the intermediates from the leaf up, each followed by its issuer, and leave out ones that belong to another chain; some clients refuse a chain they must reorder.")
        case .certificateExpired:
            return Entry("certificate.expired", .error, "a certificate in the file has expired (or is not valid yet)",
                         help: "Renew it (`certbot renew`, then `webserv -s reload`); every client refuses an expired certificate.")
        case .certificateExpiring:
            return Entry("certificate.expiring", .warning, "a certificate in the file expires within 14 days",
                         help: "Renew it now (`certbot renew`, then `webserv -s reload`); the message gives the date.")
        case .certificateNameNotCovered:
            return Entry("certificate.name-not-covered", .warning, "a `server_name` of a TLS server is not named by its certificate",
                         help: "Get a certificate that names it (`certbot certonly -d NAME`), or serve the name from a server whose certificate does; a `*.` name covers exactly one label. The message lists the names the certificate covers.")
        case .certificateKeyWorldReadable:
            return Entry("certificate.key-world-readable", .warning, "a private key file can be read by every local user",
                         help: "`chmod 600 KEY` (and owned by root); webserv reads it before it drops privileges.")

        // MARK: confcheck
        case .suppressionUnknownCode:
            return Entry("suppression.unknown-code", .warning, "an ignore comment names a code that does not exist",
                         help: "Use a catalogued code (`confcheck --list-codes`, README's diagnostics reference); the did-you-mean gives the closest.")
        case .suppressionMalformed:
            return Entry("suppression.malformed", .warning, "a `# confcheck:` comment that is not `ignore[CODE, ...]`",
                         help: "Write `# confcheck: ignore[CODE]` or `# confcheck: ignore[CODE, CODE]`.")
        case .lspAssumedContext:
            return Entry("lsp.assumed-context", .note, "the language server checked a file alone, in an assumed context",
                         help: "No main file in the workspace includes this file; open the folder that holds the main file.")
        }
    }
}
