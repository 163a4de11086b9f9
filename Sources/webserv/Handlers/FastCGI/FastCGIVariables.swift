import Glibc
import ConfLang

// TEMPORARY: the variables of `fastcgi_param` values, until ConfLang's
// variables engine (another branch) evaluates them for every directive. Only
// the names `FastCGIParam.expandedVariables` lists (what Debian's
// fastcgi_params and fastcgi.conf use) and `$http_NAME`; the checker warns
// about any other, which is sent as written. Replace this file as a whole.

/// nginx's variables for one request, as a FastCGI location sees them.
struct FastCGIVariables {
    let head: RequestHead
    let route: Router.Route
    let server: ServerConfig
    let scriptName: String
    let pathInfo: String
    /// The connection's local address (read only when `$server_addr` is wanted).
    let local: () -> (host: String, port: Int)
    let peer: (host: String, port: Int)
    /// The request came over TLS: `$scheme` https, `$https` on.
    var secure = false

    /// `text` with each `$name` and `${name}` replaced by its value.
    func expand(_ text: String) -> String {
        let references = FastCGIParam.variables(in: text)
        guard !references.isEmpty else { return text }
        var result = "", position = text.startIndex
        for reference in references {
            result += text[position..<reference.range.lowerBound]
            result += value(of: reference.name) ?? reference.written
            position = reference.range.upperBound
        }
        return result + text[position...]
    }

    func value(of name: String) -> String? {
        switch name {
        case "query_string", "args": return head.query ?? ""
        case "is_args": return head.query == nil ? "" : "?"
        case "request_method": return head.method
        case "content_type": return head.headers["Content-Type"] ?? ""
        case "content_length": return head.contentLength.map(String.init) ?? ""
        case "fastcgi_script_name": return scriptName
        case "fastcgi_path_info": return pathInfo
        case "request_uri": return head.target
        case "document_uri", "uri": return head.path
        case "document_root": return route.documentRoot
        case "realpath_root":
            guard let resolved = realpath(route.documentRoot, nil) else { return route.documentRoot }
            defer { free(resolved) }
            return String(cString: resolved)
        case "request_filename": return route.filesystemPath(for: scriptName)
        case "server_protocol": return head.version.rawValue
        case "scheme", "request_scheme": return secure ? "https" : "http"
        case "https": return secure ? "on" : ""
        case "remote_user": return ""
        case "nginx_version": return ConfLangVersion.current
        case "remote_addr": return peer.host
        case "remote_port": return String(peer.port)
        case "server_addr": return local().host
        case "server_port": return String(local().port)
        case "server_name": return server.names.first ?? ""
        case "host":
            if let host = head.host.map(Router.normalizedHost), !host.isEmpty { return host }
            return server.names.first ?? ""
        case "redirect_status": return "200"
        case "gateway_interface": return "CGI/1.1"
        default:
            guard name.hasPrefix("http_") else { return nil }
            let field = String(name.dropFirst(5).map { $0 == "_" ? "-" : $0 })
            return head.headers.values(field).joined(separator: field.lowercased() == "cookie" ? "; " : ", ")
        }
    }
}
