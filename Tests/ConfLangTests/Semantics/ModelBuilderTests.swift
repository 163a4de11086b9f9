import XCTest
@testable import ConfLang

final class ModelBuilderTests: XCTestCase {
    private func model(_ text: String) -> WebservConfig? {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testDefaultsAreNginxs() throws {
        let config = try XCTUnwrap(model("events { }\nhttp { server { } }\n"))
        XCTAssertEqual(config.workerProcesses, 1)
        XCTAssertEqual(config.workerConnections, 512)
        let server = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(server.listens, [.init(host: "*", port: 80)])
        XCTAssertEqual(server.base.clientMaxBodySize, 1 << 20)
        XCTAssertEqual(server.base.keepaliveTimeoutMilliseconds, 75_000)
        XCTAssertEqual(server.base.index, ["index.html"])
        XCTAssertEqual(server.base.root, "/srv/conf/html")
        XCTAssertFalse(server.base.autoindex)
        XCTAssertNil(server.base.charset, "charset off, as nginx")
        XCTAssertEqual(config.pidPath, "/srv/conf/logs/webserv.pid", "as nginx's logs/nginx.pid")
        XCTAssertEqual(config.errorLog, LogTarget(path: "/srv/conf/logs/error.log", level: "error"))
        XCTAssertEqual(server.base.accessLog, "/srv/conf/logs/access.log")
        XCTAssertEqual(server.base.cgiTimeoutMilliseconds, 60_000)
        XCTAssertEqual(server.base.sendTimeoutMilliseconds, 60_000)
        XCTAssertEqual(server.base.clientBodyTimeoutMilliseconds, 60_000)
        XCTAssertEqual(server.base.defaultType, "text/plain")
        XCTAssertEqual(server.largeHeaderBufferCount, 4)
        XCTAssertEqual(server.base.allowedMethods, ["GET", "HEAD"])
        XCTAssertEqual(server.headerTimeoutMilliseconds, 60_000)
        XCTAssertEqual(server.largeHeaderBufferSize, 8192)
    }

    func testInheritanceAndOverride() throws {
        let config = try XCTUnwrap(model("""
        events { worker_connections 64; }
        http {
            client_max_body_size 2m;
            root /var/www;
            error_page 404 /404.html;
            types { text/html html; }
            server {
                listen 8080 default_server;
                server_name Example.COM;
                client_header_timeout 5s;
                location /up/ { client_max_body_size 0; allow_methods GET POST; upload_store uploads; }
                location = /x { root other; error_page 500 =200 /e.html; }
                location $ .py { cgi_path /usr/bin/python3; allow_methods GET POST; }
            }
        }
        """))
        XCTAssertEqual(config.workerConnections, 64)
        let server = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(server.names, ["example.com"])
        XCTAssertEqual(server.defaultFor, [.init(host: "*", port: 8080)])
        XCTAssertEqual(server.headerTimeoutMilliseconds, 5000)
        XCTAssertEqual(server.base.clientMaxBodySize, 2 << 20)
        XCTAssertEqual(server.base.mimeTypes.type(forExtension: "HTML"), "text/html")
        XCTAssertEqual(server.locations.count, 2)
        let upload = server.locations[0]
        XCTAssertEqual(upload.match, .prefix("/up/"))
        XCTAssertEqual(upload.clientMaxBodySize, 0)
        XCTAssertEqual(upload.root, "/var/www")
        XCTAssertEqual(upload.uploadStore, "/srv/conf/uploads")
        XCTAssertEqual(upload.allowedMethods, ["GET", "HEAD", "POST"])
        XCTAssertEqual(upload.errorPages[404], ErrorPage(target: "/404.html", response: .original))
        let exact = server.locations[1]
        XCTAssertEqual(exact.match, .exact("/x"))
        XCTAssertEqual(exact.root, "/srv/conf/other")
        // error_page at a lower level replaces the inherited ones, as in nginx.
        XCTAssertNil(exact.errorPages[404])
        XCTAssertEqual(exact.errorPages[500], ErrorPage(target: "/e.html", response: .code(200)))
        let suffix = try XCTUnwrap(server.suffixLocations.first)
        XCTAssertEqual(suffix.suffix, ".py")
        let overlaid = upload.applying(suffix.patch)
        XCTAssertEqual(overlaid.cgiPath, "/usr/bin/python3")
        XCTAssertEqual(overlaid.uploadStore, "/srv/conf/uploads")
        XCTAssertEqual(overlaid.clientMaxBodySize, 0)
    }

    func testServerReturnIsNotCopiedIntoLocations() throws {
        let config = try XCTUnwrap(model("events { }\nhttp { server { return 301 https://x.test/; location /a { } } }\n"))
        let server = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(server.base.returnAction, ReturnAction(code: 301, text: "https://x.test/"))
        XCTAssertNil(server.locations[0].returnAction)
    }

    func testAliasReplacedByOverlayRoot() throws {
        let config = try XCTUnwrap(model("events { }\nhttp { server { location /a/ { alias /data/; } location $ .txt { root /txt; } } }\n"))
        let server = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(server.locations[0].alias, "/data/")
        let overlaid = server.locations[0].applying(server.suffixLocations[0].patch)
        XCTAssertNil(overlaid.alias)
        XCTAssertEqual(overlaid.root, "/txt")
    }

    func testBuildFromPathRefusesInvalidConfiguration() {
        let directory = NSTemporaryDirectory() + "conflang-model-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/bad.conf"
        _ = FileManager.default.createFile(atPath: path, contents: Data("events { }\nhttp { server { listen 99999; } }\n".utf8))
        guard case .failure(.invalid(let diagnostics)) = ModelBuilder.build(path: path) else {
            return XCTFail("an invalid configuration must not build")
        }
        XCTAssertEqual(diagnostics.map(\.summary), ["2:24 error value.port"])
    }

    func testCharsetIsInheritedAndOff() throws {
        let config = try XCTUnwrap(model("""
        events { }
        http { charset utf-8; server { location /a/ { } location /b/ { charset off; } location /c/ { charset koi8-r; } } }
        """))
        let server = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(server.base.charset, "utf-8")
        XCTAssertEqual(server.locations.map(\.charset), ["utf-8", nil, "koi8-r"])
    }

    /// Every default the table states is the one the model starts from: the
    /// model reads the table's default text with the same code as a written directive.
    func testEveryTableDefaultIsTheModelsDefault() throws {
        let plain = try XCTUnwrap(model("events { }\nhttp { server { location /a/ { } } }\n"))
        var explicit = "events { worker_connections \(DirectiveTable.spec(named: "worker_connections")!.defaultValue); }\n"
        for spec in DirectiveTable.all where spec.contexts.contains(.main) && spec.body == .none && !spec.defaultValue.isEmpty {
            explicit += "\(spec.name) \(spec.defaultValue);\n"
        }
        explicit += "http { server { location /a/ {\n"
        for spec in DirectiveTable.all where spec.contexts.contains(.location) && spec.body == .none && !spec.defaultValue.isEmpty {
            explicit += "\(spec.name) \(spec.defaultValue);\n"
        }
        explicit += "} } }\n"
        let spelled = try XCTUnwrap(model(explicit))
        XCTAssertEqual(plain.workerProcesses, spelled.workerProcesses)
        XCTAssertEqual(plain.workerConnections, spelled.workerConnections)
        XCTAssertEqual(plain.pidPath, spelled.pidPath)
        XCTAssertEqual(plain.errorLog, spelled.errorLog)
        let (a, b) = (plain.servers[0].locations[0], spelled.servers[0].locations[0])
        XCTAssertEqual(a.root, b.root)
        XCTAssertEqual(a.index, b.index)
        XCTAssertEqual(a.autoindex, b.autoindex)
        XCTAssertEqual(a.clientMaxBodySize, b.clientMaxBodySize)
        XCTAssertEqual(a.clientBodyTimeoutMilliseconds, b.clientBodyTimeoutMilliseconds)
        XCTAssertEqual(a.keepaliveTimeoutMilliseconds, b.keepaliveTimeoutMilliseconds)
        XCTAssertEqual(a.sendTimeoutMilliseconds, b.sendTimeoutMilliseconds)
        XCTAssertEqual(a.defaultType, b.defaultType)
        XCTAssertEqual(a.charset, b.charset)
        XCTAssertEqual(a.accessLog, b.accessLog)
        XCTAssertEqual(a.errorLog, b.errorLog)
        XCTAssertEqual(a.allowedMethods, b.allowedMethods)
        XCTAssertEqual(a.cgiTimeoutMilliseconds, b.cgiTimeoutMilliseconds)
    }
}
