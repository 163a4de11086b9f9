extension ErrorPages {
    /// nginx's answer to a plain HTTP request on a TLS port (its 497, sent as
    /// 400 with this page), after which the connection closes.
    static func plainHTTPOnTLSPort() -> Response {
        let page = "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n"
            + "<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n"
            + "<hr><center>webserv</center>\r\n</body>\r\n</html>\r\n"
        var response = Response(status: 400, headers: [("Content-Type", "text/html")], body: .bytes(Array(page.utf8)))
        response.closeConnection = true
        return response
    }
}
