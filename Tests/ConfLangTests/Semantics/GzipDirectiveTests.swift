import XCTest
import Foundation
@testable import ConfLang

/// nginx's gzip directives, each through its table entry: the model at every
/// level with nginx's defaults and inheritance, the checks, hover and completion.
final class GzipDirectiveTests: XCTestCase {
    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testDefaultsAreNginxs() throws {
        let gzip = try model("http { server { location / { } } }").servers[0].locations[0].gzip
        XCTAssertEqual(gzip.types, ["text/html"])
        XCTAssertFalse(gzip.enabled)
        XCTAssertEqual(gzip.minLength, 20)
        XCTAssertEqual(gzip.level, 1)
        XCTAssertEqual(gzip.minimumHTTPMinorVersion, 1)
        XCTAssertEqual(gzip.proxied, .off)
        XCTAssertEqual(gzip.staticFiles, .off)
        XCTAssertTrue(gzip.compresses(contentType: "text/html; charset=utf-8"), "text/html always")
        XCTAssertFalse(gzip.compresses(contentType: "text/css"))
    }

    func testEachSettingIsInheritedOnItsOwn() throws {
        let config = try model("""
        http {
            gzip on;
            gzip_types text/css application/JSON;
            gzip_comp_level 6;
            gzip_min_length 1k;
            gzip_vary on;
            gzip_proxied expired no-cache auth;
            gzip_disable msie6;
            gzip_http_version 1.0;
            gzip_buffers 16 8k;
            server {
                listen 8080;
                gzip_comp_level 9;
                location /plain/ { gzip off; }
                location /all/ { gzip_types *; gzip_static always; }
                location $ .js { gzip_types application/javascript; }
            }
        }
        """)
        let server = config.servers[0]
        let base = server.base.gzip
        XCTAssertTrue(base.enabled)
        XCTAssertEqual(base.types, ["text/css", "application/json"])
        XCTAssertEqual(base.level, 9, "the server's own")
        XCTAssertEqual(base.minLength, 1024)
        XCTAssertTrue(base.vary)
        XCTAssertEqual(base.proxied, [.expired, .noCache, .auth])
        XCTAssertTrue(base.disableMSIE6)
        XCTAssertEqual(base.minimumHTTPMinorVersion, 0)
        XCTAssertTrue(base.compresses(contentType: "Application/Json"))
        let plain = server.locations[0].gzip, all = server.locations[1].gzip
        XCTAssertFalse(plain.enabled)
        XCTAssertEqual(plain.level, 9, "only gzip itself is the location's")
        XCTAssertTrue(all.enabled)
        XCTAssertTrue(all.anyType)
        XCTAssertTrue(all.compresses(contentType: "image/png"))
        XCTAssertEqual(all.staticFiles, .always)
        XCTAssertEqual(all.level, 9)
        let overlays = VirtualServer(server).overlays
        // overlays[0] is over the server's own settings, [2] over /all/.
        XCTAssertEqual(overlays[2].map(\.settings.gzip.types), [["application/javascript"]])
        XCTAssertEqual(overlays[2].map(\.settings.gzip.anyType), [false], "a `$` location's types replace the base's")
        XCTAssertEqual(overlays[2].map(\.settings.gzip.staticFiles), [.always], "the rest is the base's")
        XCTAssertEqual(overlays[0].map(\.settings.gzip.staticFiles), [.off])
    }

    func testValuesAreChecked() {
        func location(_ line: String) -> String { "http {\n    server {\n        location / {\n            \(line)\n        }\n    }\n}\n" }
        for good in ["gzip on;", "gzip_types text/css *;", "gzip_comp_level 9;", "gzip_min_length 256;", "gzip_vary off;",
                     "gzip_proxied no_last_modified no_etag private no-store any;", "gzip_disable msie6;",
                     "gzip_http_version 1.0;", "gzip_buffers 32 4k;", "gzip_static always;"] {
            XCTAssertEqual(findings(location(good)).filter { !$0.contains("no-effect") }, [], good)
        }
        XCTAssertEqual(findings(location("gzip yes;")), ["4:18 error value.on-off"])
        XCTAssertEqual(findings(location("gzip_comp_level 10;")), ["4:29 error value.number"])
        XCTAssertEqual(findings(location("gzip_comp_level 0;")), ["4:29 error value.number"])
        XCTAssertEqual(findings(location("gzip_types text;")), ["4:24 error value.mime-type"])
        XCTAssertEqual(findings(location("gzip_min_length lots;")), ["4:29 error value.size"])
        XCTAssertEqual(findings(location("gzip_proxied sometimes;")), ["4:26 error directive.arguments"])
        XCTAssertEqual(findings(location("gzip_http_version 2.0;")), ["4:31 error directive.arguments"])
        XCTAssertEqual(findings(location("gzip_static maybe;")), ["4:25 error value.on-off"])
        XCTAssertEqual(findings(location("gzip_disable \"MSIE [1-6]\\.\";")), ["4:26 error directive.arguments"])
        XCTAssertTrue(diagnostics(location("gzip_disable \"MSIE [1-6]\\.\";")).first?.message.contains("msie6") == true)
        XCTAssertEqual(findings(location("gzip_buffers 16;")), ["4:13 error directive.arguments"])
        XCTAssertEqual(findings(location("gzip_buffers 16 8k;")), ["4:13 note directive.no-effect"])
        XCTAssertEqual(findings("gzip on;\n").map { String($0.split(separator: " ")[2]) }, ["directive.context"])
        XCTAssertEqual(findings(location("gzip on; gzip off;")).map { String($0.split(separator: " ")[2]) }, ["directive.duplicate"])
    }

    func testUnsupportedGzipRelativesSayWhatToDo() {
        for name in ["gunzip on;", "brotli on;", "gzip_window 4k;"] {
            XCTAssertEqual(diagnostics("http { \(name) }\n").map(\.id), [.directiveUnsupported], name)
        }
    }

    func testHoverAndCompletionComeFromTheEntries() throws {
        let (file, offset) = parsedAtCursor("http {\n    gzip_pro|xied any;\n}\n")
        let (markdown, _) = try XCTUnwrap(DirectiveReference.hover(at: offset, in: file))
        XCTAssertTrue(markdown.contains("**Default:** `off`"), markdown)
        XCTAssertTrue(markdown.contains("no_last_modified"), markdown)
        let (valueFile, at) = parsedAtCursor("http { server { location / { gzip_static | } } }")
        XCTAssertEqual(Completion.candidates(at: CursorContext.at(at, in: valueFile, topContext: .main), mimeTypes: []).map(\.label),
                       ["on", "off", "always"])
        let (nameFile, nameAt) = parsedAtCursor("http { server { location / { gzip_c| } } }")
        let names = Completion.candidates(at: CursorContext.at(nameAt, in: nameFile, topContext: .main), mimeTypes: []).map(\.label)
        XCTAssertTrue(names.contains("gzip_comp_level"), "\(names)")
    }

    func testExplainShowsTheGzipSettingsWhereTheyAreSet() throws {
        let directory = NSTemporaryDirectory() + "conflang-gzip-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/webserv.conf"
        let text = """
        http {
            gzip on;
            server {
                listen 8080;
                root \(directory);
                location /css/ { gzip_types text/css; gzip_comp_level 6; }
            }
        }
        """
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        guard case .success(let (config, _)) = Explainer.model(path: path, bytes: Array(text.utf8)) else { return XCTFail("refused") }
        let settings = try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080/css/a.css"), config: config).get().settings
        let gzip = try XCTUnwrap(settings.first { $0.directive == "gzip" })
        XCTAssertEqual(gzip.value, "on")
        XCTAssertEqual(gzip.from, "http")
        XCTAssertEqual(settings.first { $0.directive == "gzip_types" }?.value, "text/css")
        XCTAssertEqual(settings.first { $0.directive == "gzip_comp_level" }?.from, "location")
    }
}
