/// One validator per argument kind of the directive table.
extension CheckRun {
    /// Validates every argument; false when any is unusable (errors emitted).
    mutating func checkArguments(_ item: PlacedDirective, _ spec: DirectiveSpec) -> Bool {
        let before = errorCount
        for (index, argument) in item.arguments.enumerated() {
            if spec.variableArguments.contains(index) {
                checkVariables(argument, item, in: spec.name)
            } else if spec.kind(ofArgument: index) != .variableName, let variable = Values.variable(in: argument.value) {
                emit(.warning(.valueVariable,
                              "'\(variable)' is not expanded in '\(spec.name)': webserv evaluates variables only in \(VariableChecks.directivesWithVariables) and uses the text '\(argument.value)' as it is",
                              at: argument.range), for: item)
            }
        }
        if spec.name == "add_header" || spec.name == "add_trailer" { checkAddedField(item) }
        switch spec.name {
        case "error_page": checkErrorPage(item)
        case "return": checkReturn(item)
        case "location": checkLocationArguments(item)
        case "allow_methods": checkMethods(item)
        case "log_format": checkLogFormat(item)
        case "try_files": checkTryFiles(item)
        default:
            for (index, argument) in item.arguments.enumerated() {
                if let kind = spec.kind(ofArgument: index) { check(argument, as: kind, item: item, spec: spec) }
            }
        }
        return errorCount == before
    }

    private mutating func fail(_ code: DiagnosticCode, _ message: String, _ argument: Argument, _ item: PlacedDirective) {
        emit(.error(code, message, at: argument.range), for: item)
    }

    private mutating func check(_ argument: Argument, as kind: DirectiveSpec.ArgumentKind, item: PlacedDirective, spec: DirectiveSpec) {
        let value = argument.value
        let name = spec.name
        switch kind {
        case .size:
            if Values.size(value) == nil {
                fail(.valueSize, "invalid size '\(value)' for '\(name)': use a number of bytes with an optional k, m or g suffix (e.g. 1m)", argument, item)
            }
        case .time:
            if Values.milliseconds(value) == nil {
                fail(.valueTime, "invalid time '\(value)' for '\(name)': use a number of seconds with an optional ms, s, m or h suffix (e.g. 65s)", argument, item)
            }
        case .count:
            if (Values.wholeNumber(Substring(value)) ?? 0) < 1 {
                fail(.valueNumber, "invalid number '\(value)' for '\(name)': use a positive whole number", argument, item)
            }
        case .workerCount:
            if value != "auto" && (Values.wholeNumber(Substring(value)) ?? 0) < 1 {
                fail(.valueNumber, "invalid value '\(value)' for '\(name)': use a positive whole number or 'auto'", argument, item)
            }
        case .path:
            if value.isEmpty { fail(.valuePath, "'\(name)' needs a non-empty path", argument, item) }
        case .onOff:
            if value != "on" && value != "off" {
                fail(.valueOnOff, "invalid value '\(value)' for '\(name)': use 'on' or 'off'", argument, item)
            }
        case .mimeType:
            if !Values.isMimeType(value) {
                fail(.valueMimeType, "invalid MIME type '\(value)' for '\(name)': use type/subtype (e.g. text/plain)", argument, item)
            }
        case .logLevel:
            if !Values.logLevels.contains(value) {
                fail(.valueLogLevel, "invalid log level '\(value)': use one of \(Values.logLevels.joined(separator: ", "))", argument, item)
            }
        case .accessLogPathOrOff:
            if value.isEmpty { fail(.valuePath, "'access_log' needs a path or 'off'", argument, item) }
            if value == "off" && item.arguments.count > 1 {
                fail(.directiveArguments, "'access_log off' takes no format", item.arguments[1], item)
            }
        case .charsetOrOff:
            if !Values.isCharsetName(value) {
                fail(.valueCharset, "invalid charset '\(value)' for 'charset': use a name such as utf-8, or 'off'", argument, item)
            }
        case .accessLogFormat:
            if value != "combined" && !declaredLogFormats.contains(value) {
                fail(.valueLogFormat, "unknown log format '\(value)': define it at http level (log_format \(value) ...;) or use 'combined'", argument, item)
            }
        case .listenAddress:
            switch Values.listenAddress(value) {
            case .success(let address): checkListenHost(address, argument, item)
            case .failure(.badPort(let port)):
                fail(.valuePort, "invalid port '\(port)' in 'listen \(value)': use a number from 1 to 65535", argument, item)
            case .failure(.badAddress):
                fail(.valueAddress, "invalid listen address '\(value)': use PORT, ADDRESS:PORT, *:PORT or [IPv6]:PORT", argument, item)
            }
        case .listenParameter:
            switch value {
            case "default_server", "default":
                if item.arguments.dropFirst().prefix { $0.range.start < argument.range.start }.contains(where: { ["default_server", "default"].contains($0.value) }) {
                    fail(.valueListenParameter, "'\(value)' is given twice in this listen", argument, item)
                }
            case "ssl", "http2":
                if item.arguments.dropFirst().prefix(while: { $0.range.start < argument.range.start }).contains(where: { $0.value == value }) {
                    fail(.valueListenParameter, "'\(value)' is given twice in this listen", argument, item)
                }
            case "quic", "spdy":
                fail(.valueListenParameter, "listen parameter '\(value)': HTTP/3 (QUIC) and SPDY are not supported, webserv speaks HTTP/1.1 and HTTP/2 (remove it)", argument, item)
            default:
                fail(.valueListenParameter, "unsupported listen parameter '\(value)': only 'ssl', 'http2' and 'default_server' are supported", argument, item)
            }
        case .serverName:
            if value.hasPrefix("~") {
                fail(.valueServerName, "regular expression server names are not supported: list the names, or use '*.example.com'", argument, item)
            }
        case .proxyURL:
            switch Values.proxyURL(value) {
            case .success(let url) where upstreamNames.contains(url.host.lowercased()):
                // nginx: an upstream group's name takes no port.
                if value.dropFirst(url.secure ? "https://".count : "http://".count).prefix(while: { $0 != "/" }).contains(":") {
                    fail(.valueProxyURL, "upstream '\(url.host)' may not have port \(url.port) in 'proxy_pass': the group's servers say theirs", argument, item)
                }
            case .success(let url): checkProxyHost(url.host, argument, item)
            case .failure(.notHTTP) where Values.variable(in: value) != nil:
                fail(.valueProxyURL, "invalid 'proxy_pass' URL '\(value)': variables are not expanded; write the upstream as http(s)://HOST:PORT[/PATH]", argument, item)
            case .failure(.notHTTP): fail(.valueProxyURL, "invalid 'proxy_pass' URL '\(value)': use http://HOST:PORT[/PATH] or https://...", argument, item)
            case .failure(.badHost) where Values.variable(in: value) != nil:
                fail(.valueProxyURL, "invalid host in 'proxy_pass \(value)': variables are not expanded", argument, item)
            case .failure(.badHost): fail(.valueProxyURL, "invalid host in 'proxy_pass \(value)'", argument, item)
            case .failure(.badPort): fail(.valuePort, "invalid port in 'proxy_pass \(value)': use a number from 1 to 65535", argument, item)
            }
        case .eventMethod:
            if value != "epoll" {
                fail(.valueEventMethod, "'use \(value)': webserv runs on epoll only; write 'use epoll' or remove the directive", argument, item)
            }
        case .custom(let custom):
            let values = item.arguments.map(\.value)
            if let index = item.arguments.firstIndex(where: { $0.range.start == argument.range.start }),
               let problem = custom.problem(values, index) {
                fail(custom.code, problem, argument, item)
            }
        case .variableName:
            if let variable = Values.variableName(value) {
                if Variable.named(variable) != nil {
                    fail(.variableInvalid, "'\(value)' is one of webserv's variables and cannot be defined by '\(name)' (nginx: the duplicate \"\(variable)\" variable): choose another name", argument, item)
                }
            } else {
                fail(.variableInvalid, "'\(name)' needs a variable name here, such as $name (got '\(value)')", argument, item)
            }
        case .addHeaderFlag:
            if value != "always" {
                fail(.directiveArguments, "the third argument of 'add_header' can only be 'always' (got '\(value)')", argument, item)
            }
        case .method, .statusCode, .errorPageItem, .returnItem, .locationModifierOrPattern, .text:
            break // checked as a whole by their directive
        }
    }

    /// A name must resolve, as nginx requires ("host not found in ... of the
    /// "listen" directive"); `*` and IP literals are addresses already.
    private mutating func checkListenHost(_ address: Values.ListenAddress, _ argument: Argument, _ item: PlacedDirective) {
        let host = address.host
        guard host != "*", !host.hasPrefix("["), !Values.isIPv4Address(host) else { return }
        if resolvedHosts[host] == nil { resolvedHosts[host] = hostResolver.resolves(host) }
        guard resolvedHosts[host] == false else { return }
        emit(.error(.listenHostNotFound,
                    "host not found in '\(argument.value)' of 'listen': '\(host)' does not resolve to an IPv4 address (nginx refuses it too)",
                    at: argument.range), for: item)
    }

    /// webserv resolves every upstream name when it applies a configuration
    /// and refuses one that does not resolve, as nginx ("host not found in
    /// upstream"). It connects over IPv4 only, so an IPv6 literal fails there too.
    private mutating func checkProxyHost(_ host: String, _ argument: Argument, _ item: PlacedDirective) {
        if host.hasPrefix("[") {
            fail(.valueProxyURL, "IPv6 upstream '\(host)' in 'proxy_pass': webserv connects to upstreams over IPv4 only and would refuse to start; use an IPv4 address or a name that has one", argument, item)
            return
        }
        guard !Values.isIPv4Address(host) else { return }
        if resolvedHosts[host] == nil { resolvedHosts[host] = hostResolver.resolves(host) }
        guard resolvedHosts[host] == false else {
            // gixy-next's stale_dns_cache: the address is kept until the next reload. localhost does not move.
            let name = host.lowercased()
            guard name != "localhost", !name.hasSuffix(".localhost") else { return }
            emit(.warning(.proxyStaleDNS,
                          "upstream '\(host)' is resolved once, when webserv starts or reloads: if its address changes, requests keep going to the old one until a reload (`webserv -s reload`); use its IP address, or reload when it moves",
                          at: argument.range), for: item)
            return
        }
        fail(.proxyHostNotFound,
             "host not found in upstream '\(host)' of 'proxy_pass': it does not resolve to an IPv4 address, and webserv resolves it when it starts (nginx refuses it too)",
             argument, item)
    }

    // MARK: whole-directive argument checks

    private mutating func checkMethods(_ item: PlacedDirective) {
        var seen: [String: Argument] = [:]
        for argument in item.arguments {
            let method = argument.value
            guard Values.knownMethods.contains(method) else {
                let upper = method.uppercased()
                let hint = Values.knownMethods.contains(upper) ? "; methods are case-sensitive: write '\(upper)'"
                    : "; known methods: \(Values.knownMethods.joined(separator: ", "))"
                fail(.valueMethod, "unknown method '\(method)'\(hint)", argument, item)
                continue
            }
            if let first = seen[method] {
                emit(.warning(.valueMethodRepeated, "method '\(method)' is listed twice", at: argument.range,
                              notes: [.init("first listed here", at: first.range)]), for: item)
            } else {
                seen[method] = argument
            }
        }
    }

    /// A field name is a token; a value written with a line break (`"a\r\nb"`) would split the answer.
    private mutating func checkAddedField(_ item: PlacedDirective) {
        let name = item.arguments[0]
        if name.value.isEmpty || !name.value.allSatisfy(Values.isTokenCharacter) {
            fail(.directiveArguments, "invalid field name '\(name.value)' in \(item.name): use letters, digits and - (X-Frame-Options)", name, item)
        }
        let value = item.arguments[1]
        if value.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            fail(.directiveArguments, "the value of \(item.name) '\(name.value)' holds a line break or NUL: it would split the answer; write it on one line", value, item)
        }
    }

    /// The last argument is the fallback: `=CODE`, or a URI for an internal redirect.
    private mutating func checkTryFiles(_ item: PlacedDirective) {
        guard let last = item.arguments.last else { return }
        let value = last.value
        if value.hasPrefix("=") {
            if Values.wholeNumber(value.dropFirst()).map({ !(100...599).contains($0) }) ?? true {
                fail(.valueStatus, "invalid code '\(value)' at the end of try_files: use =CODE with a code from 100 to 599 (=404)", last, item)
            }
            return
        }
        if value.hasPrefix("@") {
            fail(.tryFilesFallback, "named locations ('\(value)') are not supported: end try_files with a URI (/index.php?$args) or =CODE", last, item)
        } else if !value.hasPrefix("/") && !value.hasPrefix("$") {
            fail(.tryFilesFallback, "the last argument of try_files is its fallback, a URI to redirect to or =CODE: '\(value)' is neither (write /\(value) or =404)", last, item)
        } else if value.contains("$uri") || value.contains("${uri}") || value.contains("$request_uri") || value.contains("$document_uri") {
            emit(.warning(.tryFilesNoFallback,
                          "try_files has no final fallback: its last argument '\(value)' is not a file tried but the internal redirect made when none exists, and it names the request again, a redirection cycle (500); add a fallback after it: =404, or a URI such as /index.html",
                          at: last.range), for: item)
        }
    }

    private mutating func checkLogFormat(_ item: PlacedDirective) {
        let arguments = item.arguments
        if arguments[0].value == "combined" {
            fail(.valueLogFormat, "'combined' is nginx's predefined format and cannot be redefined (nginx: duplicate log_format name): choose another name", arguments[0], item)
        }
        let escape = arguments[1].value
        if escape.hasPrefix("escape="), !["escape=default", "escape=json", "escape=none"].contains(escape) {
            fail(.valueLogFormat, "unknown escaping '\(escape.dropFirst(7))' in log_format: use escape=default, escape=json or escape=none", arguments[1], item)
        }
    }

    private mutating func checkErrorPage(_ item: PlacedDirective) {
        var arguments = item.arguments
        guard let uri = arguments.popLast() else { return }
        let target = uri.value
        if !(target.hasPrefix("/") || Values.isHTTPURL(target)) {
            let hint = target.hasPrefix("@") ? "named locations are not supported; " : ""
            fail(.valueErrorPageURI, "invalid error_page target '\(target)': \(hint)use an absolute path (/50x.html) or an http(s):// URL", uri, item)
        }
        if let last = arguments.last, last.value.hasPrefix("=") {
            arguments.removeLast()
            let code = last.value.dropFirst()
            if !code.isEmpty && (Values.wholeNumber(code).map { $0 < 100 || $0 > 599 } ?? true) {
                fail(.valueStatus, "invalid response code '\(last.value)' in error_page: use =CODE with a code from 100 to 599", last, item)
            }
        }
        if arguments.isEmpty {
            fail(.directiveArguments, "error_page needs at least one status code before its target", uri, item)
        }
        for argument in arguments {
            guard let code = Values.wholeNumber(Substring(argument.value)), (300...599).contains(code) else {
                fail(.valueStatus, "invalid error_page code '\(argument.value)': use status codes from 300 to 599", argument, item)
                continue
            }
        }
    }

    private mutating func checkReturn(_ item: PlacedDirective) {
        let arguments = item.arguments
        let first = arguments[0]
        guard let code = Values.wholeNumber(Substring(first.value)) else {
            // nginx's `return URL;` is a 302 redirect.
            if arguments.count == 1 && Values.isHTTPURL(first.value) { return }
            fail(.valueStatus, "invalid return code '\(first.value)': use a status code from 0 to 999, then a URL or text", first, item)
            return
        }
        if code > 999 {
            fail(.valueStatus, "invalid return code '\(code)': use a status code from 0 to 999", first, item)
        } else if !(100...599).contains(code) {
            // The contract accepts 0 to 999, as nginx does; no client knows these.
            emit(.warning(.valueReturnNonstandard, "return code \(code) is not an HTTP status code (100 to 599): clients will not understand it",
                          at: first.range), for: item)
        } else if (300...399).contains(code) && arguments.count < 2 {
            emit(.error(.valueReturnRedirect, "'return \(code)' is a redirect and needs a URL: return \(code) /new/place;",
                        at: first.range), for: item)
        }
    }

    private mutating func checkLocationArguments(_ item: PlacedDirective) {
        let arguments = item.arguments
        let modifiers = ["=", "^", "$"]
        let regexAdvice = "regular expression locations are not supported: use '$ SUFFIX' for a suffix (e.g. location $ .php) or '^ /prefix' for a prefix"
        if arguments.count == 1 {
            let pattern = arguments[0].value
            if modifiers.contains(pattern) || ["~", "~*", "^~"].contains(pattern) {
                fail(.locationPattern, "location modifier '\(pattern)' needs a pattern after it", arguments[0], item)
            } else if pattern.hasPrefix("@") {
                fail(.locationModifier, "named locations ('\(pattern)') are not supported: use a path location and error_page with a path", arguments[0], item)
            }
            return
        }
        let modifier = arguments[0].value
        switch modifier {
        case "=", "^", "$": break
        case "~", "~*": fail(.locationModifier, "'location \(modifier)': \(regexAdvice)", arguments[0], item)
        case "^~": fail(.locationModifier, "'location ^~' is nginx's prefix-without-regex form: write 'location ^ \(arguments[1].value)' (prefix locations here never give way to others)", arguments[0], item)
        default: fail(.locationModifier, "unknown location modifier '\(modifier)': use '=' (exact), '^' (prefix) or '$' (suffix)", arguments[0], item)
        }
    }
}
