/// The request with another path and query and everything else kept (method,
/// fields, body framing): what nginx's try_files makes of it, in its location
/// when a file is found, or as an internal redirect to its fallback (a POST
/// to a front controller stays a POST with its body).
extension RequestHead {
    func rewritten(path: String, query: String?) -> RequestHead {
        RequestHead(method: method, target: target, path: path, query: query, version: version, headers: headers,
                    host: host, contentLength: contentLength, isChunked: isChunked, wantsKeepAlive: wantsKeepAlive,
                    expectsContinue: expectsContinue, originalMethod: clientMethod == method ? nil : clientMethod)
    }
}
