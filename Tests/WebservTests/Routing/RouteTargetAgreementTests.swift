import XCTest
import ConfLang
@testable import webserv

/// What `confcheck --explain` reports a route maps to (ConfLang's
/// `Router.Route` targets) is what webserv's handlers compute: the file under
/// root or alias, the CGI script and PATH_INFO, the upstream target, the
/// status for a file that cannot be opened.
final class RouteTargetAgreementTests: XCTestCase {
    private let configuration = """
    events { }
    http {
        server {
            listen 80;
            root /www;
            location /aliased/ { alias /other/; }
            location /bare { alias /bare-dir; }
            location = /one { alias /single/file.txt; }
            location /cgi-bin/ { cgi_path /bin/sh; }
            location /api/ { proxy_pass http://127.0.0.1:9000/v1/; }
            location /whole/ { proxy_pass http://127.0.0.1:9000; }
            location $ .py { cgi_path /bin/sh; }
        }
    }
    """

    private let paths = ["/", "/a.txt", "/aliased/", "/aliased/x/y.txt", "/aliased", "/bare", "/bare/x", "/one",
                         "/cgi-bin/run", "/cgi-bin/run/extra/path", "/cgi-bin/", "/cgi-bin//x", "/api/", "/api/users",
                         "/api/a b/ü", "/whole/x", "/s/x.py", "/s/x.py/info", "/aliased/t.py/i"]

    private func head(_ path: String, query: String? = nil) -> RequestHead {
        RequestHead(method: "GET", target: PercentEncoding.path(path) + (query.map { "?" + $0 } ?? ""), path: path, query: query,
                    version: .http11, headers: HTTPHeaders(), host: "x", contentLength: nil, isChunked: false,
                    wantsKeepAlive: false, expectsContinue: false)
    }

    func testTargetsAgreeWithTheHandlers() throws {
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(configuration.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
        let server = try XCTUnwrap(router.servers.first)
        for path in paths {
            let route = router.route(path, in: server)
            XCTAssertEqual(route.filesystemPath(for: path), StaticFileHandler.filesystemPath(for: path, route: route), path)
            let script = route.cgiScript(for: path)
            let handlerScript = CGIRequest.scriptPath(for: path, route: route)
            XCTAssertEqual(script?.script, handlerScript?.script, path)
            XCTAssertEqual(script?.pathInfo, handlerScript?.pathInfo, path)
            if let upstream = route.settings.proxyPass {
                for query in [nil, "a=1"] {
                    let request = head(path, query: query)
                    XCTAssertEqual(route.upstreamTarget(target: request.target, path: path, query: query, upstream: upstream),
                                   ProxyRequest.upstreamTarget(for: request, route: route, upstream: upstream), path)
                }
            }
        }
    }

    func testFileErrorStatusesAgree() {
        for error in [ENOENT, ENOTDIR, ENAMETOOLONG, EACCES, ELOOP, EMLINK, EMFILE, EIO] {
            XCTAssertEqual(Router.Route.status(forFileError: error), StaticFileHandler.status(forFileError: error), "errno \(error)")
        }
    }
}
