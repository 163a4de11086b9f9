import XCTest
import Glibc
@testable import ConfLang

/// `Explainer` on configurations written to a temporary directory, so the
/// file system part (root, index files, scripts) is real.
final class ExplainerTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "explain-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        for folder in ["www/docs", "www/empty", "www/cgi", "other", "store"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        for (name, text) in ["www/index.html": "home", "www/docs/index.html": "docs", "www/a.txt": "a",
                             "www/missing.html": "missing", "www/cgi/run.py": "print()", "other/x.txt": "x"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8)))
        }
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The example configuration: DIR is the temporary directory.
    private var site: String {
        """
        events { }
        http {
            client_max_body_size 2k;
            server {
                listen 127.0.0.1:8080;
                server_name first.test;
                root DIR/www;
            }
            server {
                listen 127.0.0.1:8080 default_server;
                server_name second.test *.wild.test;
                root DIR/www;
                error_page 404 /missing.html;
                location = /exact { return 204; }
                location / { allow_methods GET POST; }
                location ^ /cgi/ { cgi_path /bin/sh; }
                location /cgi/deep/ { root DIR/other; }
                location /api/ { proxy_pass http://127.0.0.1:9/v1/; }
                location /aliased/ { alias DIR/other/; }
                location = /moved { return 301 /docs/; }
                location /files/ { upload_store DIR/store; allow_methods GET PUT DELETE; }
                location $ .py { cgi_path /usr/bin/python3; allow_methods GET POST; }
            }
            server {
                listen 9090;
                return 418;
            }
        }
        """
    }

    private func model(_ text: String? = nil) throws -> WebservConfig {
        let path = directory + "/webserv.conf"
        let bytes = Array((text ?? site).replacingOccurrences(of: "DIR", with: directory).utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        switch Explainer.model(path: path, bytes: bytes) {
        case .success(let (config, _)): return config
        case .failure(let failure): throw XCTSkip("configuration refused: \(failure)")
        }
    }

    private func explain(_ url: String, method: String = "GET", headers: [(name: String, value: String)] = [],
                         config: String? = nil) throws -> Explanation {
        try Explainer.explain(ExplainRequest(url: url, method: method, headers: headers), config: model(config)).get()
    }

    private var configPath: String { directory + "/webserv.conf" }

    // MARK: servers

    func testServerByNameWildcardAndDefault() throws {
        let byName = try explain("http://127.0.0.1:8080/", headers: [("Host", "first.test")])
        XCTAssertEqual(byName.address?.listen, Values.ListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(byName.server?.choice, "exact-name")
        XCTAssertEqual(byName.server?.entries.first?.names, ["first.test"])
        XCTAssertEqual(byName.server?.entries.first?.place, Explanation.Place(path: configPath, line: 4, column: 5))
        XCTAssertEqual(byName.server?.entries[1].reason, "its names (second.test *.wild.test) do not include 'first.test'")
        XCTAssertEqual(byName.server?.entries[2].reason, "does not listen on 127.0.0.1:8080")

        let wildcard = try explain("http://a.wild.test:8080/")
        XCTAssertEqual(wildcard.server?.choice, "wildcard-name")
        XCTAssertEqual(wildcard.server?.entries.first?.reason, "server_name '*.wild.test' matches 'a.wild.test', the longest wildcard that does")
        XCTAssertTrue(wildcard.notes.contains { $0.contains("'a.wild.test' is taken to resolve to 127.0.0.1") }, "\(wildcard.notes)")

        let unknown = try explain("http://127.0.0.1:8080/")
        XCTAssertEqual(unknown.server?.choice, "default-server")
        XCTAssertEqual(unknown.server?.entries.first?.reason, "no server_name on 127.0.0.1:8080 matches '127.0.0.1'; this is its default_server")
        XCTAssertEqual(unknown.server?.entries.first?.listens, ["127.0.0.1:8080 default_server"])
    }

    func testNoServerOnThatPort() throws {
        let explanation = try explain("http://127.0.0.1:1/")
        XCTAssertNil(explanation.address)
        XCTAssertNil(explanation.answer.status)
        XCTAssertEqual(explanation.answer.reason, "no server listens on 127.0.0.1:1: the connection is refused")
    }

    func testServerReturnAnswersBeforeAnyLocation() throws {
        let explanation = try explain("http://127.0.0.1:9090/anything")
        XCTAssertEqual(explanation.address?.listen, Values.ListenAddress(host: "*", port: 9090))
        XCTAssertNil(explanation.location)
        XCTAssertEqual(explanation.answer.status, 418)
        XCTAssertEqual(explanation.answer.reason, "the server's 'return 418'")
        XCTAssertTrue(explanation.notes.contains { $0.contains("before any location is chosen") })
    }

    // MARK: locations

    func testEveryCandidateWithWhyItLost() throws {
        let explanation = try explain("http://127.0.0.1:8080/cgi/deep/x.py/extra")
        let location = try XCTUnwrap(explanation.location)
        XCTAssertEqual(location.base?.title, "location ^ /cgi/deep/")
        XCTAssertEqual(location.overlay?.title, "location $ .py")
        XCTAssertEqual(location.scriptPath, "/cgi/deep/x.py")
        XCTAssertEqual(location.pathInfo, "/extra")
        let reasons = Dictionary(uniqueKeysWithValues: location.entries.map { ($0.title, $0.reason) })
        XCTAssertEqual(reasons["location = /exact"], "the path is not exactly '/exact'")
        XCTAssertEqual(reasons["location ^ /"], "matches, but '^ /cgi/deep/' is longer (the longest prefix wins)")
        XCTAssertEqual(reasons["location ^ /cgi/"], "matches, but '^ /cgi/deep/' is longer (the longest prefix wins)")
        XCTAssertEqual(reasons["location ^ /cgi/deep/"], "the longest '^' prefix that matches the path")
        XCTAssertEqual(reasons["location ^ /api/"], "the path does not start with '/api/'")
        XCTAssertEqual(reasons["location $ .py"],
                       "the path has '.py' followed by '/' (PATH_INFO /extra): its directives are laid over the base (the longest matching suffix)")
        XCTAssertEqual(location.entries.first { $0.title == "location ^ /cgi/deep/" }?.place,
                       Explanation.Place(path: configPath, line: 17, column: 9))
        // The overlay's cgi_path over the base's root.
        guard case .script(let interpreter, let script, let file, _, let pathInfo)? = explanation.target else {
            return XCTFail("\(String(describing: explanation.target))")
        }
        XCTAssertEqual(interpreter, "/usr/bin/python3")
        XCTAssertEqual(script, "/cgi/deep/x.py")
        XCTAssertEqual(file, directory + "/other/cgi/deep/x.py")
        XCTAssertEqual(pathInfo, "/extra")
        XCTAssertEqual(explanation.answer.status, 404, "the script does not exist")
    }

    func testExactMatchEndsTheSearch() throws {
        let explanation = try explain("http://127.0.0.1:8080/exact")
        let location = try XCTUnwrap(explanation.location)
        XCTAssertEqual(location.base?.title, "location = /exact")
        XCTAssertEqual(location.base?.reason, "the path is exactly '/exact': an '=' match wins at once")
        XCTAssertEqual(location.entries.first { $0.title == "location ^ /cgi/" }?.reason,
                       "not looked at: the '= /exact' match ended the search")
        XCTAssertEqual(location.entries.first { $0.title == "location $ .py" }?.reason,
                       "not looked at: the '= /exact' match ended the search")
        XCTAssertEqual(explanation.answer.status, 204)
    }

    func testTheSameRouteAsTheRouter() throws {
        let config = try model()
        let router = Router(config: config)
        let server = router.servers[1]
        for path in ["/", "/exact", "/exact/", "/cgi/run.py", "/cgi/deep/a", "/api", "/api/x", "/x.py", "/aliased/x.txt", "/a/../docs/"] {
            let explanation = try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080" + path), config: config).get()
            let route = router.route(try XCTUnwrap(explanation.request.path), in: server)
            let base = explanation.location?.base
            switch route.settings.match {
            case .exact(let pattern): XCTAssertEqual(base?.title, "location = \(pattern)", path)
            case .prefix(let pattern): XCTAssertEqual(base?.title, "location ^ \(pattern)", path)
            case .server: XCTAssertNil(base, path)
            }
            XCTAssertEqual(explanation.location?.scriptPath, route.scriptPath, path)
            XCTAssertEqual(base?.role == "redirect", route.redirectsToSlash, path)
        }
    }

    // MARK: settings and their places

    func testSettingsSayWhereEachWasWritten() throws {
        let explanation = try explain("http://127.0.0.1:8080/x.py")
        let settings = Dictionary(explanation.settings.map { ($0.directive, $0) }, uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(settings["root"]?.value, directory + "/www")
        XCTAssertEqual(settings["root"]?.from, "server")
        XCTAssertEqual(settings["root"]?.place?.line, 12)
        XCTAssertEqual(settings["client_max_body_size"]?.value, "2k")
        XCTAssertEqual(settings["client_max_body_size"]?.from, "http")
        XCTAssertEqual(settings["client_max_body_size"]?.place, Explanation.Place(path: configPath, line: 3, column: 5))
        XCTAssertEqual(settings["cgi_path"]?.value, "/usr/bin/python3")
        XCTAssertEqual(settings["cgi_path"]?.from, "location $")
        XCTAssertEqual(settings["allow_methods"]?.value, "GET POST")
        XCTAssertEqual(settings["allow_methods"]?.from, "location $", "the overlay's, over the base's")
        XCTAssertEqual(settings["index"]?.from, "default")
        XCTAssertEqual(settings["index"]?.value, "index.html")
        XCTAssertNil(settings["index"]?.place)
        XCTAssertEqual(settings["error_page"]?.value, "404 /missing.html")
        XCTAssertNil(settings["alias"])
        XCTAssertNil(settings["proxy_pass"])
    }

    func testAProxyLocationShowsThatItAllowsEveryMethod() throws {
        let explanation = try explain("http://127.0.0.1:8080/api/x", method: "DELETE")
        let setting = try XCTUnwrap(explanation.settings.first { $0.directive == "allow_methods" })
        XCTAssertEqual(setting.value, Values.knownMethods.joined(separator: " "))
        XCTAssertEqual(setting.from, "location, by proxy_pass")
        XCTAssertEqual(setting.place?.line, 18, "the proxy_pass that allows them")
        XCTAssertNotEqual(explanation.answer.status, 405)
    }

    func testAliasReplacesRootInTheSettings() throws {
        let explanation = try explain("http://127.0.0.1:8080/aliased/x.txt")
        XCTAssertEqual(explanation.settings.first { $0.directive == "alias" }?.from, "location")
        XCTAssertNil(explanation.settings.first { $0.directive == "root" })
        guard case .file(let path, let kind, _)? = explanation.target else { return XCTFail() }
        XCTAssertEqual(path, directory + "/other/x.txt")
        XCTAssertEqual(kind, "regular file")
        XCTAssertEqual(explanation.answer.status, 200)
    }

    func testWebservModelRecordsNoOrigins() throws {
        let bytes = Array(site.replacingOccurrences(of: "DIR", with: directory).utf8)
        let config = try ModelBuilder.build(path: configPath, bytes: bytes).get().0
        XCTAssertNil(config.servers[1].origins.block)
        XCTAssertTrue(config.servers[1].base.origins.byName.isEmpty)
        XCTAssertTrue(config.servers[1].locations.allSatisfy { $0.origins.block == nil && $0.origins.byName.isEmpty })
        XCTAssertTrue(config.servers[1].suffixLocations.allSatisfy { $0.patch.origins.byName.isEmpty })
    }

    // MARK: answers the configuration decides

    func testStaticAnswers() throws {
        XCTAssertEqual(try explain("http://127.0.0.1:8080/a.txt").answer.status, 200)
        let index = try explain("http://127.0.0.1:8080/docs/")
        XCTAssertEqual(index.answer.status, 200)
        guard case .file(let path, _, let indexFile)? = index.target else { return XCTFail() }
        XCTAssertEqual(path, directory + "/www/docs/index.html")
        XCTAssertEqual(indexFile, "index.html")
        let slash = try explain("http://127.0.0.1:8080/docs?q=1", headers: [("Host", "Second.Test:8080")])
        XCTAssertEqual(slash.answer.status, 301)
        XCTAssertEqual(slash.answer.headers.first { $0.name == "Location" }?.value, "http://second.test:8080/docs/?q=1")
        XCTAssertEqual(try explain("http://127.0.0.1:8080/empty/").answer.status, 403)
        let missing = try explain("http://127.0.0.1:8080/nothing/here")
        XCTAssertEqual(missing.answer.status, 404)
        XCTAssertEqual(missing.answer.decidedBy, "file system")
    }

    /// A 403 for a directory says which index names were tried and what each was.
    func testADirectoryWithoutIndexSaysWhyEachIndexFailed() throws {
        XCTAssertEqual(symlink("index.html", directory + "/www/empty/index.html"), 0)
        let text = site.replacingOccurrences(of: "server_name first.test;", with: "server_name first.test; index index.html home.htm;")
        let refused = try explain("http://127.0.0.1:8080/empty/", headers: [("Host", "first.test")], config: text)
        XCTAssertEqual(refused.answer.status, 403)
        XCTAssertEqual(refused.answer.reason, "\(directory)/www/empty/ has no index file "
                       + "(index.html: not accessible (Too many levels of symbolic links); home.htm: missing) and autoindex is off")
    }

    /// As nginx: an index name that is a directory answers with its slash redirect.
    func testAnIndexNameThatIsADirectoryIsRedirected() throws {
        try FileManager.default.createDirectory(atPath: directory + "/www/empty/index.html", withIntermediateDirectories: true)
        let redirect = try explain("http://127.0.0.1:8080/empty/?x", headers: [("Host", "first.test")])
        XCTAssertEqual(redirect.answer.status, 301)
        XCTAssertEqual(redirect.answer.headers.first { $0.name == "Location" }?.value, "http://first.test:8080/empty/index.html/?x")
        guard case .file(let path, "directory", "index.html")? = redirect.target else { return XCTFail("\(String(describing: redirect.target))") }
        XCTAssertEqual(path, directory + "/www/empty/index.html")
    }

    func testErrorPageAnswersForTheError() throws {
        let missing = try explain("http://127.0.0.1:8080/nothing")
        XCTAssertEqual(missing.answer.errorPage?.target, "/missing.html")
        XCTAssertEqual(missing.answer.errorPage?.mode, "original")
        XCTAssertEqual(missing.answer.errorPage?.pageStatus, 200)
        XCTAssertEqual(missing.answer.finalStatus, 404)
        let changed = try explain("http://127.0.0.1:8080/nothing", config: site.replacingOccurrences(
            of: "error_page 404 /missing.html;", with: "error_page 404 =200 /missing.html;"))
        XCTAssertEqual(changed.answer.status, 404)
        XCTAssertEqual(changed.answer.finalStatus, 200)
    }

    func testSlashRedirectOfAProxyPrefix() throws {
        let explanation = try explain("http://127.0.0.1:8080/api?x=1")
        XCTAssertEqual(explanation.location?.base?.title, "location ^ /api/")
        XCTAssertEqual(explanation.location?.base?.role, "redirect")
        XCTAssertEqual(explanation.answer.status, 301)
        XCTAssertEqual(explanation.answer.headers.first { $0.name == "Location" }?.value, "http://127.0.0.1:8080/api/?x=1")
    }

    func testProxyTargetAfterThePrefixRewrite() throws {
        let explanation = try explain("http://127.0.0.1:8080/api/users?id=7")
        guard case .upstream(let url, _)? = explanation.target else { return XCTFail() }
        XCTAssertEqual(url, "http://127.0.0.1:9/v1/users?id=7")
        XCTAssertNil(explanation.answer.status)
        XCTAssertEqual(explanation.answer.decidedBy, "upstream")
    }

    /// `proxy_pass http://NAME`: the group, its method and servers (said nothing of them before).
    func testProxyToAnUpstreamGroupNamesItsServers() throws {
        let text = """
        events { }
        http {
            upstream app { server 127.0.0.1:9001 weight=3; server 127.0.0.1:9002 backup; server 127.0.0.1:9003 down; }
            server { listen 127.0.0.1:8080; location /api/ { proxy_pass http://app/v1/; } }
        }
        """
        let path = directory + "/webserv.conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        guard case .success(let (config, _)) = Explainer.model(path: path, bytes: Array(text.utf8)) else { return XCTFail("refused") }
        let explanation = try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080/api/x?y=1", method: "GET", headers: []), config: config).get()
        guard case .upstream(let url, _)? = explanation.target else { return XCTFail() }
        XCTAssertEqual(url, "http://app/v1/x?y=1")
        XCTAssertEqual(explanation.answer.decidedBy, "upstream")
        XCTAssertTrue(explanation.answer.reason.contains("upstream group 'app' (round-robin): 127.0.0.1:9001 weight=3, 127.0.0.1:9002 backup, 127.0.0.1:9003 down"),
                      explanation.answer.reason)
    }

    /// hash $request_uri: the server the key falls on, as webserv chooses it.
    func testProxyToAHashedGroupNamesTheServerForTheKey() throws {
        let text = """
        events { }
        http {
            upstream app { hash $request_uri; server 127.0.0.1:9001; server 127.0.0.1:9002; server 127.0.0.1:9003; }
            server { listen 127.0.0.1:8080; location / { proxy_pass http://app; } }
        }
        """
        let path = directory + "/webserv.conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        guard case .success(let (config, _)) = Explainer.model(path: path, bytes: Array(text.utf8)) else { return XCTFail("refused") }
        let group = try XCTUnwrap(config.upstreams["app"])
        for target in ["/a", "/b?x=1", "/c/d"] {
            let explanation = try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080" + target), config: config).get()
            // nginx's non-consistent hash: (crc32(KEY) >> 16) & 0x7fff over the weights.
            let expected = group.servers[Int((PeerSelection.crc32(Array(target.utf8)) >> 16) & 0x7fff) % 3].address
            XCTAssertTrue(explanation.answer.reason.contains("the key $request_uri = '\(target)' goes to \(expected)"), explanation.answer.reason)
        }
    }

    /// ip_hash: the server the client's network falls on, given --from (the
    /// same choice for a neighbour in its /24), and the fields sent upstream.
    func testProxyNamesTheServerForTheClientAndTheFieldsItSends() throws {
        let text = """
        events { }
        http {
            upstream app { ip_hash; server 127.0.0.1:9001; server 127.0.0.1:9002; server 127.0.0.1:9003; }
            server {
                listen 127.0.0.1:8080;
                server_name example.com;
                location / {
                    proxy_pass http://app;
                    proxy_set_header Host $host;
                    proxy_set_header X-Real-IP $remote_addr;
                    proxy_set_header Accept-Encoding "";
                }
            }
        }
        """
        let path = directory + "/webserv.conf"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        guard case .success(let (config, _)) = Explainer.model(path: path, bytes: Array(text.utf8)) else { return XCTFail("refused") }
        let group = try XCTUnwrap(config.upstreams["app"])
        func server(for address: String) throws -> String? {
            let reason = try Explainer.explain(ExplainRequest(url: "http://example.com:8080/x", clientAddress: address), config: config).get().answer.reason
            return group.servers.map(\.address).first { reason.contains("the client \(address) goes to \($0)") }
        }
        let chosen = try XCTUnwrap(try server(for: "10.1.2.3"))
        XCTAssertEqual(try server(for: "10.1.2.200"), chosen, "ip_hash reads the first three bytes of an IPv4 address")
        XCTAssertNotNil(try server(for: "2001:db8::1"))
        let anyone = try Explainer.explain(ExplainRequest(url: "http://example.com:8080/x"), config: config).get().answer.reason
        XCTAssertTrue(anyone.contains("--from ADDRESS names it"), anyone)
        let fields = try Explainer.explain(ExplainRequest(url: "http://example.com:8080/x", headers: [("X-Forwarded-For", "192.0.2.9")],
                                                          clientAddress: "10.1.2.3"), config: config).get().answer.reason
        for expected in ["Host: example.com", "X-Real-IP: 10.1.2.3", "X-Forwarded-For: 192.0.2.9, 10.1.2.3", "X-Forwarded-Proto: http",
                         "no Accept-Encoding (empty)"] {
            XCTAssertTrue(fields.contains(expected), "\(expected) in \(fields)")
        }
        XCTAssertFalse(fields.contains("Host: app"), "proxy_set_header Host replaces $proxy_host")
    }

    func testMethodAnswers() throws {
        let notAllowed = try explain("http://127.0.0.1:8080/a.txt", method: "DELETE")
        XCTAssertEqual(notAllowed.answer.status, 405)
        XCTAssertEqual(notAllowed.answer.headers.first { $0.name == "Allow" }?.value, "GET, HEAD, POST")
        let unhandled = try explain("http://127.0.0.1:8080/a.txt", method: "POST")
        XCTAssertEqual(unhandled.answer.status, 405)
        XCTAssertTrue(unhandled.answer.reason.contains("nothing handles it"))
        XCTAssertEqual(try explain("http://127.0.0.1:8080/a.txt", method: "BREW").answer.status, 501)
        let upload = try explain("http://127.0.0.1:8080/files/new.txt", method: "PUT")
        XCTAssertEqual(upload.answer.decidedBy, "upload store")
        guard case .uploadStore(let store)? = upload.target else { return XCTFail() }
        XCTAssertEqual(store, directory + "/store")
    }

    func testBodyLimitFromContentLength() throws {
        let small = try explain("http://127.0.0.1:8080/x.py", method: "POST", headers: [("Content-Length", "2048")])
        XCTAssertNotEqual(small.answer.status, 413)
        let large = try explain("http://127.0.0.1:8080/x.py", method: "POST", headers: [("Content-Length", "2049")])
        XCTAssertEqual(large.answer.status, 413)
        XCTAssertEqual(large.answer.reason, "Content-Length 2049 is more than client_max_body_size (2048 bytes); the connection is closed")
    }

    func testReturnRedirectIsAbsolute() throws {
        let explanation = try explain("http://127.0.0.1:8080/moved", headers: [("Host", "second.test")])
        XCTAssertEqual(explanation.answer.status, 301)
        XCTAssertEqual(explanation.answer.headers.first { $0.name == "Location" }?.value, "http://second.test:8080/docs/")
    }

    /// $host as webserv's: the Host field's name, lower case, without its port or a trailing dot.
    func testHostLosesItsTrailingDot() throws {
        let text = """
        events { }
        http {
            server {
                listen 127.0.0.1:8080;
                location / { return 301 https://$host$request_uri; }
            }
        }
        """
        let explanation = try explain("http://127.0.0.1:8080/p?x=1", headers: [("Host", "Example.COM.:8080")], config: text)
        XCTAssertEqual(explanation.answer.headers.first { $0.name == "Location" }?.value, "https://example.com/p?x=1")
    }

    func testPathIsNormalisedAsWebservDoes() throws {
        let explanation = try explain("http://127.0.0.1:8080/x/../cgi/%72un.py")
        XCTAssertEqual(explanation.request.path, "/cgi/run.py")
        XCTAssertEqual(explanation.location?.base?.title, "location ^ /cgi/")
        XCTAssertEqual(try explain("http://127.0.0.1:8080/../x").answer.status, 400)
    }

    // MARK: the request

    func testRequestProblems() {
        XCTAssertNotNil(ExplainRequest(url: "ftp://x/").problem)
        XCTAssertNil(ExplainRequest(url: "https://x/").problem)
        XCTAssertNotNil(ExplainRequest(url: "x/y").problem)
        XCTAssertNotNil(ExplainRequest(url: "http://x:99999/").problem)
        XCTAssertNotNil(ExplainRequest(url: "/", method: "get").problem)
        XCTAssertNotNil(ExplainRequest(url: "/", headers: [("Content-Length", "a lot")]).problem)
        XCTAssertNotNil(ExplainRequest(url: "/", headers: [("Host", "a"), ("host", "b")]).problem)
        XCTAssertNil(ExplainRequest(url: "/a?b#c").problem)
        XCTAssertEqual(try ExplainRequest.header("Host:  example.test ").get().value, "example.test")
        XCTAssertThrowsError(try ExplainRequest.header("no colon").get())
        XCTAssertThrowsError(try ExplainRequest.header("bad name: x").get())
    }

    func testAPathAloneReachesTheFirstAddress() throws {
        let explanation = try explain("/docs/", headers: [("Host", "first.test")])
        XCTAssertEqual(explanation.address?.listen, Values.ListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(explanation.server?.choice, "exact-name")
        XCTAssertEqual(explanation.answer.status, 200)
    }

    // MARK: rendering

    func testTextNamesEveryPart() throws {
        let text = ExplanationRenderer.text(try explain("http://127.0.0.1:8080/cgi/run.py"))
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "GET http://127.0.0.1:8080/cgi/run.py")
        XCTAssertTrue(lines.contains("address 127.0.0.1:8080"), text)
        XCTAssertTrue(lines.contains("server \(configPath):9:5 (server_name second.test *.wild.test; listen 127.0.0.1:8080 default_server)"), text)
        XCTAssertTrue(lines.contains("location ^ /cgi/ (\(configPath):16:9)"), text)
        XCTAssertTrue(lines.contains("  with location $ .py laid over it (\(configPath):22:9)"), text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  chosen ^ /cgi/ ") && $0.hasSuffix("the longest '^' prefix that matches the path") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  lost   = /exact ") && $0.hasSuffix("the path is not exactly '/exact'") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  cgi_path /usr/bin/python3 ") && $0.hasSuffix("\(configPath):22:26 (location $)") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  index index.html ") && $0.hasSuffix(" default") }, text)
        XCTAssertTrue(lines.contains("script /cgi/run.py → \(directory)/www/cgi/run.py: regular file"), text)
        XCTAssertEqual(lines.last, "answer decided by the script: /usr/bin/python3 runs \(directory)/www/cgi/run.py; the script's output is the answer")
    }

    func testJSONForTools() throws {
        let json = ExplanationRenderer.json(try explain("http://127.0.0.1:8080/a.txt", method: "PUT")).serialized(indent: 2)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["version"] as? Int, 1)
        let answer = try XCTUnwrap(object["answer"] as? [String: Any])
        XCTAssertEqual(answer["status"] as? Int, 405)
        XCTAssertEqual(answer["finalStatus"] as? Int, 405)
        XCTAssertEqual((answer["headers"] as? [String: String])?["Allow"], "GET, HEAD, POST")
        XCTAssertEqual(answer["decidedBy"] as? String, "configuration")
        let server = try XCTUnwrap(object["server"] as? [String: Any])
        XCTAssertEqual(server["choice"] as? String, "default-server")
        XCTAssertEqual((server["chosen"] as? [String: Any])?["line"] as? Int, 9)
        let location = try XCTUnwrap(object["location"] as? [String: Any])
        XCTAssertEqual((location["base"] as? [String: Any])?["pattern"] as? String, "/")
        XCTAssertEqual((location["candidates"] as? [[String: Any]])?.count, 9)
        let settings = try XCTUnwrap(object["settings"] as? [[String: Any]])
        let root = try XCTUnwrap(settings.first { $0["directive"] as? String == "root" })
        XCTAssertEqual(root["from"] as? String, "server")
        XCTAssertEqual(root["file"] as? String, configPath)
        XCTAssertEqual(root["line"] as? Int, 12)
        let target = try XCTUnwrap(object["target"])
        XCTAssertTrue(target is NSNull, "405 before any file is looked at")
    }

    // MARK: FastCGI

    func testFastCGITargetNamesTheApplicationScriptAndParameters() throws {
        let explanation = try explain("http://127.0.0.1:8080/blog/index.php/2024?p=1", method: "POST", config: """
        events { }
        http {
            server {
                listen 127.0.0.1:8080;
                root DIR/www;
                location $ .php {
                    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
                    fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                    fastcgi_param HTTPS $https if_not_empty;
                }
            }
        }
        """)
        guard case .fastcgi(let address, let scriptName, let file, let pathInfo, let params)? = explanation.target else {
            return XCTFail("\(String(describing: explanation.target))")
        }
        XCTAssertEqual(address, "unix:/run/php/php8.2-fpm.sock")
        XCTAssertEqual(scriptName, "/blog/index.php")
        XCTAssertEqual(file, directory + "/www/blog/index.php")
        XCTAssertEqual(pathInfo, "/2024")
        XCTAssertEqual(params.map(\.name), ["SCRIPT_FILENAME", "HTTPS"])
        XCTAssertEqual(params.last?.value, "$https if_not_empty")
        XCTAssertNil(explanation.answer.status, "the application decides")
        let text = ExplanationRenderer.text(explanation)
        XCTAssertTrue(text.contains("FastCGI unix:/run/php/php8.2-fpm.sock: script /blog/index.php"), text)
        XCTAssertTrue(text.contains("allow_methods GET HEAD POST PUT DELETE OPTIONS PATCH"), text)
    }

    func testAnIndexFileAFastCGILocationRunsIsExplainedAsRunThere() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/www/docs/index.php", contents: Data("<?php".utf8)))
        let explanation = try explain("http://127.0.0.1:8080/docs/", config: """
        events { }
        http {
            server {
                listen 127.0.0.1:8080;
                root DIR/www;
                index index.php index.html;
                location $ .php { fastcgi_pass 127.0.0.1:9000; }
            }
        }
        """)
        guard case .fastcgi(_, let scriptName, let file, _, _)? = explanation.target else {
            return XCTFail("\(String(describing: explanation.target))")
        }
        XCTAssertEqual(scriptName, "/docs/index.php")
        XCTAssertEqual(file, directory + "/www/docs/index.php")
        XCTAssertTrue(explanation.answer.reason.contains("internal redirect to /docs/index.php"), explanation.answer.reason)
    }
}
