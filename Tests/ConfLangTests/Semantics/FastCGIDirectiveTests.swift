import XCTest
@testable import ConfLang

/// The `fastcgi_*` directives: Debian's fastcgi_params and fastcgi.conf lint
/// as they ship, the model (inheritance, defaults, methods), the checks, and
/// what `--explain` shows.
final class FastCGIDirectiveTests: XCTestCase {
    private var debian: String { packageRoot + "/Tests/Fixtures/debian-nginx" }

    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertEqual(result.diagnostics.map(\.message), [])
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testDebiansFastcgiParamsAndFastcgiConfLintAsTheyShip() {
        for file in ["fastcgi-params/fastcgi_params", "snippets-fastcgi-php/fastcgi.conf"] {
            let text = site("location $ .php { fastcgi_pass unix:/run/php/php8.2-fpm.sock; include \(debian)/\(file); }")
            XCTAssertEqual(findings(text), [], file)
        }
        // As a fragment included in a location, as confcheck --context location checks it.
        let fragment = (try? String(contentsOfFile: debian + "/snippets-fastcgi-php/fastcgi.conf", encoding: .utf8)) ?? ""
        XCTAssertFalse(fragment.isEmpty)
        XCTAssertEqual(findings(fragment, context: .location), [])
    }

    func testPassParamsAndSettingsReachTheModel() throws {
        let config = try model(site("""
        fastcgi_param APP_ENV production;
        fastcgi_read_timeout 5s;
        location $ .php {
            fastcgi_pass 127.0.0.1:9000;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param HTTPS $https if_not_empty;
            fastcgi_index index.php;
            fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
            fastcgi_keep_conn on;
            fastcgi_connect_timeout 2s;
        }
        location /app/ { fastcgi_pass unix:/run/php.sock; }
        location /static/ { }
        """))
        let server = try XCTUnwrap(config.servers.first)
        let php = try XCTUnwrap(server.suffixLocations.first).patch
        let overlaid = server.base.applying(php)
        XCTAssertEqual(overlaid.fastcgi.pass, .tcp(host: "127.0.0.1", port: 9000))
        // A block with any fastcgi_param replaces the inherited list, as nginx.
        XCTAssertEqual(overlaid.fastcgi.params, [FastCGIParam(name: "SCRIPT_FILENAME", value: "$document_root$fastcgi_script_name", ifNotEmpty: false),
                                                 FastCGIParam(name: "HTTPS", value: "$https", ifNotEmpty: true)])
        XCTAssertEqual(overlaid.fastcgi.index, "index.php")
        XCTAssertEqual(overlaid.fastcgi.splitPathInfo?.pattern, "^(.+?\\.php)(/.*)$", "compiled once, with the configuration")
        XCTAssertTrue(overlaid.fastcgi.keepConnection)
        XCTAssertEqual(overlaid.fastcgi.connectTimeoutMilliseconds, 2000)
        XCTAssertEqual(overlaid.fastcgi.readTimeoutMilliseconds, 5000, "inherited from the server")
        XCTAssertEqual(overlaid.fastcgi.sendTimeoutMilliseconds, 60_000, "nginx's default")
        let app = try XCTUnwrap(server.locations.first { $0.match == .prefix("/app/") })
        XCTAssertEqual(app.fastcgi.pass, .unix(path: "/run/php.sock"))
        XCTAssertEqual(app.fastcgi.params, [FastCGIParam(name: "APP_ENV", value: "production", ifNotEmpty: false)], "inherited")
        XCTAssertFalse(app.fastcgi.keepConnection)
        // Every method passes to the application, as nginx; a static location keeps GET.
        XCTAssertEqual(app.allowedMethods, Set(Values.knownMethods))
        let statics = try XCTUnwrap(server.locations.first { $0.match == .prefix("/static/") })
        XCTAssertEqual(statics.allowedMethods, ["GET", "HEAD"])
        XCTAssertNil(statics.fastcgi.pass)
    }

    func testChecks() {
        XCTAssertEqual(findings(site("location / { fastcgi_pass php_backend; }")), ["4:27 error value.address"])
        let group = diagnostics(site("location / { fastcgi_pass php_backend; }")).first?.message ?? ""
        XCTAssertTrue(group.contains("upstream groups are not supported"), group)
        XCTAssertEqual(findings(site("location / { fastcgi_pass unix:run/php.sock; }")), ["4:27 error value.address"])
        XCTAssertEqual(findings(site("location / { fastcgi_pass 127.0.0.1:70000; }")), ["4:27 error value.address"])
        XCTAssertEqual(findings(site("fastcgi_pass 127.0.0.1:9000;")).first, "4:1 error directive.context")
        XCTAssertEqual(findings(site("location / { fastcgi_param A b c; }")), ["4:32 error directive.arguments"])
        XCTAssertEqual(findings(site("location / { fastcgi_split_path_info ^(.+\\.php)$; }")), ["4:38 error directive.arguments"])
        XCTAssertEqual(findings(site("location / { fastcgi_split_path_info \"^(.+\\.php)(/.*$\"; }")), ["4:38 error directive.arguments"])
        XCTAssertEqual(findings(site("location / { fastcgi_keep_conn yes; }")), ["4:32 error value.on-off"])
    }

    /// fastcgi_param's value is a variable argument of the one engine: every
    /// variable there is, and an unknown one is the checker's usual error.
    func testFastcgiParamTakesEveryVariableAndAnUnknownOneIsAnError() {
        XCTAssertEqual(findings(site("location / { fastcgi_param A $query_string$http_x_y${uri}; fastcgi_param B $path_info; }")),
                       ["4:76 error variable.unknown"])
        XCTAssertEqual(findings(site("location / { fastcgi_param ID $request_id; fastcgi_param U $cookie_user$arg_p; set $app blog; fastcgi_param APP $app; }")),
                       [], "the engine's variables, set's too")
        let typo = diagnostics(site("location / { fastcgi_param SCRIPT_NAME $fastcgi_script_nme; }")).map(\.message)
        XCTAssertEqual(typo.count, 1)
        XCTAssertTrue(typo.first?.contains("did you mean '$fastcgi_script_name'") ?? false, typo.description)
        // The FastCGI module's variables are nginx's, usable wherever variables are.
        XCTAssertEqual(findings(site("location / { add_header X-Script $fastcgi_script_name$fastcgi_path_info; return 200 $nginx_version; }")), [])
    }

    /// Debian's snippets/fastcgi-php.conf (split_path_info, `try_files $fastcgi_script_name =404`,
    /// `set $path_info $fastcgi_path_info`) names the FastCGI module's variables outside fastcgi_param.
    func testDebiansFastcgiPhpSnippetLintsAsItShips() {
        let text = site("location $ .php { include \(debian)/snippets-fastcgi-php/fastcgi-php.conf; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }")
        XCTAssertEqual(findings(text), [])
    }

    /// nginx's PCRE takes named captures; the two captures are counted whatever their form.
    func testSplitPathInfoWithNamedCaptures() throws {
        let pattern = "^(?<script>/n/.+?\\.php)(?<info>/.*)$"
        XCTAssertEqual(findings(site("location /n/ { fastcgi_pass unix:/run/php.sock; fastcgi_split_path_info \"\(pattern)\"; }")), [])
        XCTAssertEqual(findings(site("location / { fastcgi_split_path_info \"^(?<script>.+\\.php)(?:/.*)$\"; }")), ["4:38 error directive.arguments"],
                       "a non-capturing group is no capture")
        let config = try model(site("root /srv/www; location /n/ { fastcgi_pass unix:/run/php.sock; fastcgi_split_path_info \"\(pattern)\"; }"))
        let router = Router(config: config)
        let server = try XCTUnwrap(router.servers.first)
        let route = router.route("/n/a.php/x/y", in: server)
        XCTAssertEqual(route.fastcgiScript(for: "/n/a.php/x/y").scriptName, "/n/a.php")
        XCTAssertEqual(route.fastcgiScript(for: "/n/a.php/x/y").pathInfo, "/x/y")
    }

    /// nginx passes every method to a proxied server or a FastCGI application: a
    /// location that has proxy_pass or fastcgi_pass allows them all unless it says
    /// which, a `$` one laid over a base that allows GET too.
    func testEveryMethodPassesWhereAProxyOrFastCGIApplicationAnswers() throws {
        let config = try model(site("""
        root /srv/www;
        location /app/ { allow_methods GET; }
        location $ .php { fastcgi_pass unix:/run/php.sock; }
        location $ .phtml { fastcgi_pass unix:/run/php.sock; allow_methods GET POST; }
        location /api/ { proxy_pass http://127.0.0.1:9000; }
        """))
        let router = Router(config: config)
        let server = try XCTUnwrap(router.servers.first)
        func decision(_ method: String, _ path: String) -> RequestDecision {
            RequestDecision.decide(method: method, contentLength: nil, server: server, route: router.route(path, in: server))
        }
        for method in Values.knownMethods {
            XCTAssertEqual(decision(method, "/app/x.php"), .fastcgi(.unix(path: "/run/php.sock")), method)
            XCTAssertEqual(decision(method, "/x.php"), .fastcgi(.unix(path: "/run/php.sock")), method)
            if case .proxy = decision(method, "/api/x") {} else { XCTFail("\(method) /api/x: \(decision(method, "/api/x"))") }
        }
        XCTAssertEqual(decision("DELETE", "/app/x.phtml"), .methodNotAllowed, "its own allow_methods still limits")
        XCTAssertEqual(decision("DELETE", "/app/x.html"), .methodNotAllowed, "a static location keeps GET")
    }

    func testScriptNameAndPathInfo() throws {
        let config = try model(site("""
        root /srv/www;
        location $ .php { fastcgi_pass unix:/run/php.sock; fastcgi_index index.php; }
        location /split/ { fastcgi_pass unix:/run/php.sock; fastcgi_split_path_info ^(/split/.+?\\.php)(/.*)$; }
        location /front/ { fastcgi_pass unix:/run/php.sock; fastcgi_index index.php; }
        """))
        let router = Router(config: config)
        let server = try XCTUnwrap(router.servers.first)
        func script(_ path: String) -> [String] {
            let route = router.route(path, in: server)
            let (name, info) = route.fastcgiScript(for: path)
            return [name, info, route.filesystemPath(for: name)]
        }
        XCTAssertEqual(script("/blog/index.php/2024/post"), ["/blog/index.php", "/2024/post", "/srv/www/blog/index.php"])
        XCTAssertEqual(script("/split/a.php/x/y"), ["/split/a.php", "/x/y", "/srv/www/split/a.php"])
        XCTAssertEqual(script("/split/none"), ["/split/none", "", "/srv/www/split/none"], "no match: the path, no PATH_INFO")
        XCTAssertEqual(script("/front/"), ["/front/index.php", "", "/srv/www/front/index.php"])
        let decision = RequestDecision.decide(method: "DELETE", contentLength: nil, server: server, route: router.route("/front/x", in: server))
        XCTAssertEqual(decision, .fastcgi(.unix(path: "/run/php.sock")))
    }
}
