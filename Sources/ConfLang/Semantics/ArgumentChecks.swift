/// One validator per argument kind of the directive table.
extension CheckRun {
    /// Validates every argument; false when any is unusable (errors emitted).
    mutating func checkArguments(_ item: PlacedDirective, _ spec: DirectiveSpec) -> Bool {
        let before = errorCount
        for argument in item.arguments {
            if let variable = Values.variable(in: argument.value) {
                emit(.warning("value.variable",
                              "'\(variable)' is not expanded: webserv has no variables and uses the text '\(argument.value)' as it is",
                              at: argument.range), for: item)
            }
        }
        switch spec.name {
        case "error_page": checkErrorPage(item)
        case "return": checkReturn(item)
        case "location": checkLocationArguments(item)
        case "allow_methods": checkMethods(item)
        default:
            for (index, argument) in item.arguments.enumerated() {
                if let kind = spec.kind(ofArgument: index) { check(argument, as: kind, item: item, spec: spec) }
            }
        }
        return errorCount == before
    }

    private mutating func fail(_ code: String, _ message: String, _ argument: Argument, _ item: PlacedDirective) {
        emit(.error(code, message, at: argument.range), for: item)
    }

    private mutating func check(_ argument: Argument, as kind: DirectiveSpec.ArgumentKind, item: PlacedDirective, spec: DirectiveSpec) {
        let value = argument.value
        let name = spec.name
        switch kind {
        case .size:
            if Values.size(value) == nil {
                fail("value.size", "invalid size '\(value)' for '\(name)': use a number of bytes with an optional k, m or g suffix (e.g. 1m)", argument, item)
            }
        case .time:
            if Values.milliseconds(value) == nil {
                fail("value.time", "invalid time '\(value)' for '\(name)': use a number of seconds with an optional ms, s, m or h suffix (e.g. 65s)", argument, item)
            }
        case .count:
            if (Values.wholeNumber(Substring(value)) ?? 0) < 1 {
                fail("value.number", "invalid number '\(value)' for '\(name)': use a positive whole number", argument, item)
            }
        case .workerCount:
            if value != "auto" && (Values.wholeNumber(Substring(value)) ?? 0) < 1 {
                fail("value.number", "invalid value '\(value)' for '\(name)': use a positive whole number or 'auto'", argument, item)
            }
        case .path:
            if value.isEmpty { fail("value.path", "'\(name)' needs a non-empty path", argument, item) }
        case .onOff:
            if value != "on" && value != "off" {
                fail("value.on-off", "invalid value '\(value)' for '\(name)': use 'on' or 'off'", argument, item)
            }
        case .mimeType:
            if !Values.isMimeType(value) {
                fail("value.mime-type", "invalid MIME type '\(value)' for '\(name)': use type/subtype (e.g. text/plain)", argument, item)
            }
        case .logLevel:
            if !Values.logLevels.contains(value) {
                fail("value.log-level", "invalid log level '\(value)': use one of \(Values.logLevels.joined(separator: ", "))", argument, item)
            }
        case .accessLogPathOrOff:
            if value.isEmpty { fail("value.path", "'access_log' needs a path or 'off'", argument, item) }
            if value == "off" && item.arguments.count > 1 {
                fail("directive.arguments", "'access_log off' takes no format", item.arguments[1], item)
            }
        case .charsetOrOff:
            if !Values.isCharsetName(value) {
                fail("value.charset", "invalid charset '\(value)' for 'charset': use a name such as utf-8, or 'off'", argument, item)
            }
        case .accessLogFormat:
            if value != "combined" {
                fail("value.log-format", "unknown log format '\(value)': access logs use nginx's 'combined' format (remove the argument)", argument, item)
            }
        case .listenAddress:
            switch Values.listenAddress(value) {
            case .success: break
            case .failure(.badPort(let port)):
                fail("value.port", "invalid port '\(port)' in 'listen \(value)': use a number from 1 to 65535", argument, item)
            case .failure(.badAddress):
                fail("value.address", "invalid listen address '\(value)': use PORT, ADDRESS:PORT, *:PORT or [IPv6]:PORT", argument, item)
            }
        case .listenParameter:
            if value != "default_server" && value != "default" {
                fail("value.listen-parameter", "unsupported listen parameter '\(value)': only 'default_server' is supported", argument, item)
            }
        case .serverName:
            if value.hasPrefix("~") {
                fail("value.server-name", "regular expression server names are not supported: list the names, or use '*.example.com'", argument, item)
            }
        case .proxyURL:
            switch Values.proxyURL(value) {
            case .success: break
            case .failure(.https): fail("value.proxy-url", "'proxy_pass' supports only http:// upstreams, not https://", argument, item)
            case .failure(.notHTTP) where Values.variable(in: value) != nil:
                fail("value.proxy-url", "invalid 'proxy_pass' URL '\(value)': variables are not expanded; write the upstream as http://HOST:PORT[/PATH]", argument, item)
            case .failure(.notHTTP): fail("value.proxy-url", "invalid 'proxy_pass' URL '\(value)': use http://HOST:PORT[/PATH]", argument, item)
            case .failure(.badHost) where Values.variable(in: value) != nil:
                fail("value.proxy-url", "invalid host in 'proxy_pass \(value)': variables are not expanded", argument, item)
            case .failure(.badHost): fail("value.proxy-url", "invalid host in 'proxy_pass \(value)'", argument, item)
            case .failure(.badPort): fail("value.port", "invalid port in 'proxy_pass \(value)': use a number from 1 to 65535", argument, item)
            }
        case .method, .statusCode, .errorPageItem, .returnItem, .locationModifierOrPattern, .text:
            break // checked as a whole by their directive
        }
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
                fail("value.method", "unknown method '\(method)'\(hint)", argument, item)
                continue
            }
            if let first = seen[method] {
                emit(.warning("value.method-repeated", "method '\(method)' is listed twice", at: argument.range,
                              notes: [.init("first listed here", at: first.range)]), for: item)
            } else {
                seen[method] = argument
            }
        }
    }

    private mutating func checkErrorPage(_ item: PlacedDirective) {
        var arguments = item.arguments
        guard let uri = arguments.popLast() else { return }
        let target = uri.value
        if !(target.hasPrefix("/") || Values.isHTTPURL(target)) {
            let hint = target.hasPrefix("@") ? "named locations are not supported; " : ""
            fail("value.error-page-uri", "invalid error_page target '\(target)': \(hint)use an absolute path (/50x.html) or an http(s):// URL", uri, item)
        }
        if let last = arguments.last, last.value.hasPrefix("=") {
            arguments.removeLast()
            let code = last.value.dropFirst()
            if !code.isEmpty && (Values.wholeNumber(code).map { $0 < 100 || $0 > 599 } ?? true) {
                fail("value.status", "invalid response code '\(last.value)' in error_page: use =CODE with a code from 100 to 599", last, item)
            }
        }
        if arguments.isEmpty {
            fail("directive.arguments", "error_page needs at least one status code before its target", uri, item)
        }
        for argument in arguments {
            guard let code = Values.wholeNumber(Substring(argument.value)), (300...599).contains(code) else {
                fail("value.status", "invalid error_page code '\(argument.value)': use status codes from 300 to 599", argument, item)
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
            fail("value.status", "invalid return code '\(first.value)': use a status code from 0 to 999, then a URL or text", first, item)
            return
        }
        if code > 999 {
            fail("value.status", "invalid return code '\(code)': use a status code from 0 to 999", first, item)
        } else if (300...399).contains(code) && arguments.count < 2 {
            emit(.error("value.return-redirect", "'return \(code)' is a redirect and needs a URL: return \(code) /new/place;",
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
                fail("location.pattern", "location modifier '\(pattern)' needs a pattern after it", arguments[0], item)
            } else if pattern.hasPrefix("@") {
                fail("location.modifier", "named locations ('\(pattern)') are not supported: use a path location and error_page with a path", arguments[0], item)
            }
            return
        }
        let modifier = arguments[0].value
        switch modifier {
        case "=", "^", "$": break
        case "~", "~*": fail("location.modifier", "'location \(modifier)': \(regexAdvice)", arguments[0], item)
        case "^~": fail("location.modifier", "'location ^~' is nginx's prefix-without-regex form: write 'location ^ \(arguments[1].value)' (prefix locations here never give way to others)", arguments[0], item)
        default: fail("location.modifier", "unknown location modifier '\(modifier)': use '=' (exact), '^' (prefix) or '$' (suffix)", arguments[0], item)
        }
    }
}
