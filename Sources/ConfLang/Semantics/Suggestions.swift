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

    /// nginx directives with no counterpart here, and what to use instead:
    /// `directive.unsupported` with this advice, never a did-you-mean. A name
    /// the table has is never looked up here.
    static let nginxOnly: [String: String] = {
        let tls = "webserv's TLS has no such setting (see README, TLS)"
        let gzip = "webserv compresses with gzip only ('gzip on'), and does not decompress upstream answers"
        let proxyTuning = "webserv's proxy streams through fixed buffers; remove it"
        let limits = "webserv has no rate or connection limits; put them in front of it"
        let variables = "webserv defines variables with 'map' and 'set' only"
        let variableTables = "webserv's variables and maps have no hash tables to size; remove it"
        let noTuning = "webserv has no such setting; remove it"
        let fastcgi = "webserv speaks FastCGI ('fastcgi_pass') and runs other scripts as CGI/1.1 ('cgi_path'), not uwsgi or SCGI"
        let fastcgiTuning = "webserv streams a FastCGI answer through fixed buffers with back-pressure; remove it"
        var table: [String: String] = [
            "rewrite": "use 'return CODE URL', or 'try_files' for a front controller",
            "if": "use separate locations, or 'map' to choose a value", "geo": variables, "split_clients": variables,
            "proxy_intercept_errors": "webserv passes the upstream's error answers as they are",
            "proxy_cache": "webserv does not cache proxied answers", "proxy_cache_path": "webserv does not cache proxied answers",
            "proxy_cache_valid": "webserv does not cache proxied answers", "proxy_cache_key": "webserv does not cache proxied answers",
            "open_log_file_cache": noTuning,
            "limit_except": "use 'allow_methods'", "fastcgi_buffers": fastcgiTuning, "fastcgi_buffer_size": fastcgiTuning,
            "fastcgi_buffering": fastcgiTuning, "fastcgi_busy_buffers_size": fastcgiTuning,
            "fastcgi_request_buffering": "webserv streams request bodies to the FastCGI application as they arrive",
            "fastcgi_intercept_errors": "webserv passes the application's error answers as they are",
            "fastcgi_cache": "webserv does not cache FastCGI answers", "fastcgi_cache_path": "webserv does not cache FastCGI answers",
            "fastcgi_cache_key": "webserv does not cache FastCGI answers", "fastcgi_cache_valid": "webserv does not cache FastCGI answers",
            "fastcgi_hide_header": "webserv passes the application's fields as they are",
            "fastcgi_pass_header": "webserv passes the application's fields as they are",
            "uwsgi_pass": fastcgi, "uwsgi_param": fastcgi, "scgi_pass": fastcgi, "scgi_param": fastcgi,
            "grpc_pass": "webserv does not speak gRPC (HTTP/2); use 'proxy_pass' for HTTP/1.1 upstreams",
            "client_body_buffer_size": "webserv streams request bodies to their handler",
            "client_header_buffer_size": "use 'large_client_header_buffers'",
            "client_body_temp_path": "webserv streams request bodies to their handler",
            "etag": "webserv validates with Last-Modified and If-Modified-Since",
            "internal": "use 'location =' and error_page with paths",
            "auth_request": "webserv has no authentication; protect the location in front of it or in a CGI script",
            "limit_req": limits, "limit_req_zone": limits, "limit_req_status": limits, "limit_conn": limits,
            "limit_conn_zone": limits, "limit_conn_status": limits, "limit_rate": limits, "limit_rate_after": limits,
            "ssl": "write 'listen 443 ssl;' (nginx's 'ssl on' is gone since 1.25)",
            "ssl_dhparam": tls, "ssl_stapling": tls, "ssl_stapling_verify": tls, "ssl_trusted_certificate": tls,
            "ssl_client_certificate": tls, "ssl_verify_client": tls, "ssl_ecdh_curve": tls, "ssl_buffer_size": tls,
            "proxy_ssl_crl": tls, "proxy_ssl_password_file": "a key with a passphrase cannot be loaded: store it without one (chmod 600)",
            "proxy_ssl_conf_command": tls,
            "http3": "HTTP/3 is not supported, webserv speaks HTTP/1.1 (remove it)",
            "gunzip": gzip, "brotli": gzip, "gzip_window": noTuning, "gzip_hash": noTuning, "postpone_gzipping": noTuning, "gzip_no_buffer": noTuning,
            "proxy_bind": proxyTuning, "proxy_socket_keepalive": proxyTuning,
            "resolver": "upstream names are resolved once, when the configuration is applied (reload to resolve them again)",
            "resolver_timeout": "upstream names are resolved once, when the configuration is applied (reload to resolve them again)",
            "stub_status": "webserv has no status page; read its access log",
            "real_ip_header": "webserv logs the connection's address", "set_real_ip_from": "webserv logs the connection's address",
            "real_ip_recursive": "webserv logs the connection's address",
            "open_file_cache": "webserv caches open files and small files itself (kept fresh by inotify)",
            "open_file_cache_valid": "webserv caches open files and small files itself (kept fresh by inotify)",
            "open_file_cache_errors": "webserv caches open files and small files itself (kept fresh by inotify)",
            "open_file_cache_min_uses": "webserv caches open files and small files itself (kept fresh by inotify)",
            "aio": "webserv sends files with sendfile(2) from its event loop", "directio": noTuning,
            "output_buffers": noTuning, "postpone_output": noTuning, "send_lowat": noTuning,
            "reset_timedout_connection": noTuning, "lingering_close": noTuning, "lingering_time": noTuning, "lingering_timeout": noTuning,
            "underscores_in_headers": noTuning, "ignore_invalid_headers": noTuning, "merge_slashes": "webserv always merges slashes",
            "absolute_redirect": noTuning,
            "port_in_redirect": noTuning,
            "server_name_in_redirect": noTuning,
            "log_not_found": noTuning, "log_subrequest": noTuning, "recursive_error_pages": noTuning,
            "chunked_transfer_encoding": noTuning,
            "variables_hash_max_size": variableTables, "variables_hash_bucket_size": variableTables,
            "map_hash_max_size": variableTables, "map_hash_bucket_size": variableTables,
            "worker_cpu_affinity": noTuning, "worker_priority": noTuning, "worker_shutdown_timeout": noTuning,
            "accept_mutex": "workers share each listening address with SO_REUSEPORT", "accept_mutex_delay": "workers share each listening address with SO_REUSEPORT",
            "load_module": "webserv has no dynamic modules", "lock_file": noTuning, "pcre_jit": "webserv has no regular expressions",
            "thread_pool": noTuning, "timer_resolution": noTuning, "working_directory": noTuning, "debug_connection": noTuning,
            "worker_aio_requests": noTuning, "ssi": "webserv has no server-side includes", "sub_filter": "webserv does not rewrite answers",
            "addition_types": "webserv does not rewrite answers", "charset_map": "use 'charset' to name the charset of text answers",
            "source_charset": "webserv does not convert charsets", "override_charset": "webserv does not convert charsets",
            "charset_types": "'charset' applies to text answers", "userid": "webserv sets no cookies",
            "secure_link": "webserv has no signed links", "valid_referers": "webserv does not check Referer",
            "mirror": "webserv does not mirror requests", "slice": noTuning, "mp4": noTuning, "flv": noTuning,
            "dav_methods": "use 'allow_methods' with PUT and DELETE and 'upload_store'",
            "create_full_put_path": "use 'upload_store'", "empty_gif": "serve a file", "random_index": "use 'index'",
            "autoindex_format": "autoindex lists in HTML", "autoindex_exact_size": "autoindex lists in HTML",
            "autoindex_localtime": "autoindex lists in HTML",
        ]
        // Entries the table gains later are the table's: never reported as unsupported.
        for spec in DirectiveTable.all { table[spec.name] = nil }
        return table
    }()
}
