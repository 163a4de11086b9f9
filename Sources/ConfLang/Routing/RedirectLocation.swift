/// nginx's defaults for a `Location` that is a path (`absolute_redirect on`,
/// `port_in_redirect on`, `server_name_in_redirect off`): it goes out as an
/// absolute URL with the host the client asked for and the port it reached,
/// the port left out when it is 80 (over TLS: https, the port left out when it is 443).
public enum RedirectLocation {
    /// `location` as sent: unchanged unless it starts with `/`.
    /// `requestHost`: the request's Host (any case, maybe with a port);
    /// `local`: the address and port of the connection, asked only when needed.
    /// `secure`: the connection is TLS.
    public static func absolute(_ location: String, requestHost: String?, secure: Bool = false,
                                local: () -> (host: String, port: Int)?) -> String {
        guard location.utf8.first == UInt8(ascii: "/"), let address = local() else { return location }
        var host = requestHost.map(Router.normalizedHost) ?? ""
        if host.isEmpty {
            // No Host (HTTP/1.0): the address the client connected to.
            host = address.host.contains(":") ? "[\(address.host)]" : address.host
        }
        let port = address.port == (secure ? 443 : 80) ? "" : ":\(address.port)"
        return "\(secure ? "https" : "http")://\(host)\(port)\(location)"
    }
}
