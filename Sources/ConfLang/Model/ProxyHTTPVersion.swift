/// `proxy_http_version 1.0 | 1.1`: the HTTP version of the requests sent to a
/// proxied server. webserv's default is 1.1 (nginx's is 1.0), as it keeps
/// upstream connections alive without being told; WebSocket guides write 1.1.
public enum ProxyHTTPVersion {
    static let value = DirectiveSpec.CustomValue(
        placeholder: "1.0|1.1",
        completions: [("1.1", "keep-alive and Upgrade (WebSocket) to the proxied server"), ("1.0", "one request per connection")],
        code: .directiveArguments,
        problem: { values, index in
            ["1.0", "1.1"].contains(values[index]) ? nil : "invalid value '\(values[index])' for 'proxy_http_version': use 1.0 or 1.1"
        })
}
