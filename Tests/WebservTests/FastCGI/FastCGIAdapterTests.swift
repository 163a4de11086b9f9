import XCTest
import ConfLang
@testable import webserv

/// The parameters a FastCGI request carries, and the adapter's reading of an
/// application's records: head, body, stderr, end, the keep-alive pool's key.
final class FastCGIAdapterTests: XCTestCase {
    private func request(_ locationBody: String, _ raw: String, serverBody: String = "", secure: Bool = false) throws -> FastCGIRequest {
        let text = "events { }\nhttp { server { listen 192.0.2.1:8080; server_name example.test; root /srv/www; \(serverBody) location $ .php { \(locationBody) } } }\n"
        let result = Linter.lint(path: "/srv/t.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined())
        let router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
        let server = try XCTUnwrap(router.servers.first)
        let parser = RequestParser()
        guard case .head = parser.parse(Array(raw.utf8)), let head = parser.head else { throw XCTSkip("unparsed request") }
        let route = router.route(head.path, in: server)
        guard case .fastcgi(let address) = RequestDecision.decide(method: head.method, contentLength: head.contentLength,
                                                                  server: server, route: route) else { throw XCTSkip("not FastCGI") }
        // What a connection would give, given: the client 10.1.2.3:4444 on 192.0.2.1:8080.
        let variables = RequestVariables(head: head, peer: ("10.1.2.3", 4444), connectionID: 1,
                                         listenAddress: try XCTUnwrap(server.config.listens.first), secure: secure, socket: -1,
                                         context: RequestContext(server: server, route: route, redirects: 0, errorPage: nil),
                                         location: route.location)
        return FastCGIRequest.make(head: head, route: route, address: address, variables: variables)
    }

    /// fastcgi.conf's REQUEST_SCHEME $scheme and HTTPS $https if_not_empty, over TLS and not.
    func testOverTLSTheSchemeIsHTTPSAndHTTPSIsOn() throws {
        let raw = "GET /index.php HTTP/1.1\r\nHost: example.test\r\n\r\n"
        let secure = try request("fastcgi_pass 127.0.0.1:9000;", raw, secure: true)
        XCTAssertEqual(value(secure, "REQUEST_SCHEME"), "https")
        XCTAssertEqual(value(secure, "HTTPS"), "on")
        let plain = try request("fastcgi_pass 127.0.0.1:9000;", raw)
        XCTAssertEqual(value(plain, "REQUEST_SCHEME"), "http")
        XCTAssertNil(value(plain, "HTTPS"), "if_not_empty: not sent over plain HTTP")
    }

    private func value(_ request: FastCGIRequest, _ name: String) -> String? {
        request.params.first { $0.name == name }?.value
    }

    func testParametersAreFastcgiConfsThenTheLocationsThenTheFields() throws {
        let request = try request("fastcgi_pass unix:/run/php.sock; fastcgi_param APP_ENV \"prod $request_method\"; fastcgi_param HTTP_HOST $host; "
                                  + "fastcgi_param SERVER_SOFTWARE nginx/$nginx_version; fastcgi_param EMPTY $https if_not_empty;",
                                  "POST /blog/index.php/2024?p=1 HTTP/1.1\r\nHost: Example.TEST:8080\r\nX-Tag: a\r\nContent-Type: text/plain\r\n"
                                  + "Content-Length: 3\r\nX-Tag: b\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n")
        XCTAssertEqual(value(request, "SCRIPT_FILENAME"), "/srv/www/blog/index.php")
        XCTAssertEqual(value(request, "SCRIPT_NAME"), "/blog/index.php")
        XCTAssertEqual(value(request, "PATH_INFO"), "/2024")
        XCTAssertEqual(value(request, "QUERY_STRING"), "p=1")
        XCTAssertEqual(value(request, "REQUEST_URI"), "/blog/index.php/2024?p=1")
        XCTAssertEqual(value(request, "DOCUMENT_ROOT"), "/srv/www")
        XCTAssertEqual(value(request, "CONTENT_LENGTH"), "3")
        XCTAssertEqual(value(request, "CONTENT_TYPE"), "text/plain")
        XCTAssertEqual(value(request, "REMOTE_ADDR"), "10.1.2.3")
        XCTAssertEqual(value(request, "REMOTE_PORT"), "4444")
        XCTAssertEqual(value(request, "SERVER_ADDR"), "192.0.2.1")
        XCTAssertEqual(value(request, "SERVER_PORT"), "8080")
        XCTAssertEqual(value(request, "SERVER_NAME"), "example.test")
        XCTAssertEqual(value(request, "REDIRECT_STATUS"), "200")
        XCTAssertEqual(value(request, "APP_ENV"), "prod POST")
        XCTAssertEqual(value(request, "SERVER_SOFTWARE"), "nginx/\(ConfLangVersion.current)", "a fastcgi_param replaces the default of its name")
        XCTAssertNil(value(request, "EMPTY"), "if_not_empty")
        XCTAssertNil(value(request, "HTTPS"))
        // HTTP_HOST is the location's ($host), not the field; the other fields follow, joined.
        XCTAssertEqual(request.params.filter { $0.name == "HTTP_HOST" }.map(\.value), ["example.test"])
        XCTAssertEqual(value(request, "HTTP_X_TAG"), "a, b")
        XCTAssertEqual(value(request, "HTTP_COOKIE"), "a=1; b=2")
        XCTAssertNil(value(request, "HTTP_CONTENT_LENGTH"))
        // Configured parameters come before the request's fields, as nginx sends them.
        let names = request.params.map(\.name)
        XCTAssertLessThan(try XCTUnwrap(names.firstIndex(of: "APP_ENV")), try XCTUnwrap(names.firstIndex(of: "HTTP_X_TAG")))
    }

    /// fastcgi_param values are evaluated by the one variables engine: every variable there is, set's too.
    func testParametersTakeEveryVariableOfTheEngine() throws {
        let sent = try request("fastcgi_pass unix:/run/php.sock; set $app \"blog-$arg_p\"; fastcgi_param APP $app; "
                                  + "fastcgi_param USER $cookie_user; fastcgi_param ID $request_id; "
                                  + "fastcgi_param SELF $fastcgi_script_name$is_args$args; fastcgi_param INFO ${fastcgi_path_info}.;",
                                  "GET /blog/index.php/x?p=7 HTTP/1.1\r\nHost: example.test\r\nCookie: user=ann\r\n\r\n")
        XCTAssertEqual(value(sent, "APP"), "blog-7")
        XCTAssertEqual(value(sent, "USER"), "ann")
        XCTAssertEqual(value(sent, "ID")?.count, 32, "nginx's $request_id")
        XCTAssertEqual(value(sent, "SELF"), "/blog/index.php?p=7")
        XCTAssertEqual(value(sent, "INFO"), "/x.")
    }

    /// fastcgi_pass_request_headers off: no HTTP_* parameter from the client's fields
    /// (a fastcgi_param still sets one); fastcgi_pass_request_body off: STDIN ends at once.
    func testWithoutRequestHeadersOrBodyNeitherGoesToTheApplication() throws {
        let raw = "POST /x.php HTTP/1.1\r\nHost: h\r\nX-Tag: a\r\nContent-Length: 3\r\n\r\n"
        let headerless = try request("fastcgi_pass unix:/run/php.sock; fastcgi_pass_request_headers off; fastcgi_param HTTP_X_MINE $http_x_tag;", raw)
        XCTAssertEqual(headerless.params.filter { $0.name.hasPrefix("HTTP_") }.map(\.name), ["HTTP_X_MINE"])
        XCTAssertEqual(value(headerless, "HTTP_X_MINE"), "a")
        XCTAssertEqual(value(headerless, "CONTENT_LENGTH"), "3", "the parameters are nginx's either way")
        let bodiless = FastCGIAdapter(socket: -1, request: try request("fastcgi_pass unix:/run/php.sock; fastcgi_pass_request_body off;", raw))
        XCTAssertEqual(bodiless.encode(body: Array("abc".utf8)[...], last: false), [])
        XCTAssertEqual(bodiless.encode(body: [], last: true), [1, 5, 0, 1, 0, 0, 0, 0], "the empty STDIN record ends the request")
    }

    func testRecordsAreBeginRequestThenParams() throws {
        let kept = try request("fastcgi_pass 127.0.0.1:9000; fastcgi_keep_conn on;", "GET /a.php HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertEqual(Array(kept.records.prefix(16)), [1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
        var params: [UInt8] = []
        FastCGIEncoder.params(kept.params, into: &params)
        XCTAssertEqual(Array(kept.records.dropFirst(16)), params)
        XCTAssertEqual(Array(kept.records.suffix(8)), [1, 4, 0, 1, 0, 0, 0, 0], "ends with the empty PARAMS record")
    }

    /// An application's answer fed to the adapter in pieces of `size`, as the engine reads it.
    private func feed(_ adapter: FastCGIAdapter, _ bytes: [UInt8], pieces size: Int) -> (head: UpstreamHead?, body: [UInt8], log: [String], ended: Bool, problem: String?) {
        var head: UpstreamHead?, body: [UInt8] = [], log: [String] = [], ended = false, problem: String?
        var start = 0
        while start < bytes.count {
            let read = adapter.unwrap(bytes[start..<min(bytes.count, start + size)])
            log += read.log
            ended = ended || read.ended
            problem = problem ?? read.problem
            if case .complete? = head {
                body += read.data
            } else if !read.data.isEmpty {
                let parsed = adapter.parseHead(read.data)
                if case .complete(_, _, let rest) = parsed { body += rest }
                if case .needMore = parsed {} else { head = parsed }
            }
            start += size
        }
        return (head, body, log, ended, problem)
    }

    private func record(_ type: FastCGIRecordType, _ text: String) -> [UInt8] {
        var output: [UInt8] = []
        FastCGIEncoder.appendRecord(type, Array(text.utf8)[...], into: &output)
        return output
    }

    private let end: [UInt8] = [1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    func testAnAnswerInAnyPiecesGivesTheHeadTheBodyTheStderrAndTheEnd() throws {
        let answer = record(.stdout, "Status: 404 Not Found\r\nX-Powered-By: PHP\r\nContent-type: text/html\r\n\r\n<p>")
            + record(.stderr, "PHP message: PHP Warning: oops\n") + record(.stdout, "gone</p>") + end
        for size in [1, 5, 8, 64, answer.count] {
            let adapter = FastCGIAdapter(socket: -1, request: try request("fastcgi_pass unix:/run/php.sock; fastcgi_keep_conn on;",
                                                                            "GET /x.php HTTP/1.1\r\nHost: h\r\n\r\n"))
            let result = feed(adapter, answer, pieces: size)
            guard case .complete(let status, let headers, _)? = result.head else { return XCTFail("no head in pieces of \(size)") }
            XCTAssertEqual(status, 404)
            XCTAssertEqual(headers.map(\.name), ["X-Powered-By", "Content-type"])
            XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "<p>gone</p>", "pieces of \(size)")
            XCTAssertEqual(result.log, ["FastCGI sent in stderr: \"PHP message: PHP Warning: oops\", client: 10.1.2.3, "
                                        + "request: \"GET /x.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php.sock\""])
            XCTAssertTrue(result.ended)
            XCTAssertNil(result.problem)
            XCTAssertEqual(adapter.poolKey, "fastcgi://unix:/run/php.sock", "ended cleanly with fastcgi_keep_conn: kept")
            // The body is a script's: it runs until END_REQUEST.
            let parser = RequestParser()
            guard case .head = parser.parse(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)), let client = parser.head,
                  case .respond(let fields, .untilClose, false) = adapter.answer(status: status, headers: headers, to: client) else {
                return XCTFail("framing")
            }
            XCTAssertEqual(fields.map(\.name), ["X-Powered-By", "Content-type"])
        }
    }

    func testTheConnectionIsKeptOnlyWhenAskedForAndEndedCleanly() throws {
        let plain = FastCGIAdapter(socket: -1, request: try request("fastcgi_pass unix:/run/php.sock;", "GET /x.php HTTP/1.1\r\nHost: h\r\n\r\n"))
        _ = feed(plain, record(.stdout, "Content-type: text/plain\r\n\r\nx") + end, pieces: 100)
        XCTAssertNil(plain.poolKey, "without fastcgi_keep_conn")
        let kept = try request("fastcgi_pass unix:/run/php.sock; fastcgi_keep_conn on;", "GET /x.php HTTP/1.1\r\nHost: h\r\n\r\n")
        let unfinished = FastCGIAdapter(socket: -1, request: kept)
        _ = feed(unfinished, record(.stdout, "Content-type: text/plain\r\n\r\nx"), pieces: 100)
        XCTAssertNil(unfinished.poolKey, "before END_REQUEST")
        let excess = FastCGIAdapter(socket: -1, request: kept)
        let result = feed(excess, record(.stdout, "Content-type: text/plain\r\n\r\nx") + end + record(.stdout, "more"), pieces: 100)
        XCTAssertNil(excess.poolKey, "data after END_REQUEST")
        XCTAssertNil(result.problem, "the answer was whole: noted in the log only")
        XCTAssertEqual(result.log.count, 1)
        let broken = FastCGIAdapter(socket: -1, request: kept)
        XCTAssertNotNil(feed(broken, [2, 6, 0, 1, 0, 0, 0, 0], pieces: 100).problem, "version 2")
    }

    func testTheBodyGoesAsStdinRecords() throws {
        let adapter = FastCGIAdapter(socket: -1, request: try request("fastcgi_pass unix:/run/php.sock;", "GET /x.php HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertEqual(adapter.encode(body: Array("abc".utf8)[...], last: false), [1, 5, 0, 1, 0, 3, 5, 0, 97, 98, 99, 0, 0, 0, 0, 0])
        XCTAssertEqual(adapter.encode(body: [], last: true), [1, 5, 0, 1, 0, 0, 0, 0])
    }
}
