import XCTest
@testable import ConfLang

/// map, set, add_header, log_format and access_log's format through their
/// table entries: the model (inheritance as nginx's), hover and completion,
/// and `--explain` (a return's variables with the request's values).
final class VariableDirectiveTests: XCTestCase {
    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return ModelBuilder.build(result.config, baseDirectory: "/srv/conf")
    }

    func testTheModel() throws {
        let config = try model("""
        http {
            map $uri $m { default d; }
            log_format main '$uri $status';
            add_header X-A 1;
            server {
                listen 8080;
                set $s server;
                access_log logs/a.log main;
                location /own/ { add_header X-B $uri always; set $l location; access_log logs/b.log; }
                location /inherits/ { }
            }
        }
        """)
        let server = config.servers[0]
        XCTAssertEqual(server.base.addedHeaders.map(\.name), ["X-A"], "from http")
        let own = server.locations[0], inherits = server.locations[1]
        XCTAssertEqual(own.addedHeaders, [AddedHeader(name: "X-B", value: VariableTemplate.compiled("$uri"), always: true)],
                       "a level with any add_header replaces its parent's list")
        XCTAssertEqual(inherits.addedHeaders.map(\.name), ["X-A"])
        XCTAssertEqual(own.setVariables.map(\.name), ["s", "l"], "a location's set comes after the server's, in the order nginx runs them")
        XCTAssertEqual(inherits.setVariables.map(\.name), ["s"])
        XCTAssertEqual(inherits.variableMaps.byName["m"]?.defaultValue.source, "d")
        XCTAssertEqual(inherits.accessLogFormat?.name, "main")
        XCTAssertEqual(inherits.accessLogFormat?.template.segments, [.variable(.uri), .literal(" "), .variable(.status)])
        XCTAssertNil(own.accessLogFormat, "access_log without a format: combined")
        XCTAssertEqual(server.base.returnAction, nil)
    }

    func testReturnCompilesItsText() throws {
        let config = try model("http { server { listen 8080; return 301 https://$host$request_uri; } }")
        XCTAssertEqual(config.servers[0].base.returnAction?.template?.segments,
                       [.literal("https://"), .variable(.host), .variable(.requestURI)])
    }

    func testHoverAndCompletionComeFromTheEntries() throws {
        let (file, offset) = parsedAtCursor("http {\n    add_he|ader X-A 1;\n}\n")
        let (markdown, _) = try XCTUnwrap(DirectiveReference.hover(at: offset, in: file))
        XCTAssertTrue(markdown.contains("add_header TEXT TEXT [always];"), markdown)
        XCTAssertTrue(markdown.contains("**Inherited:** yes"), markdown)
        let (valueFile, at) = parsedAtCursor("http { server { add_header X-A 1 | } }")
        XCTAssertEqual(Completion.candidates(at: CursorContext.at(at, in: valueFile, topContext: .main), mimeTypes: []).map(\.label), ["always"])
        let (nameFile, nameAt) = parsedAtCursor("http { ma| }")
        let names = Completion.candidates(at: CursorContext.at(nameAt, in: nameFile, topContext: .main), mimeTypes: []).map(\.label)
        XCTAssertTrue(names.contains("map") && names.contains("log_format"), "\(names)")
    }

    func testExplainEvaluatesAReturnsVariables() throws {
        let text = """
        http {
            map $http_x_env $target { default www.example.com; staging staging.example.com; }
            server {
                listen 8080;
                location /go/ { return 302 https://$target$request_uri; }
                location /who/ { add_header X-Who $remote_addr; return 301 http://$host/$remote_addr; }
            }
        }
        """
        guard case .success(let (config, _)) = Explainer.model(path: "/srv/conf/test.conf", bytes: Array(text.utf8)) else { return XCTFail("refused") }
        func location(_ url: String, _ headers: [(name: String, value: String)] = []) throws -> String? {
            try Explainer.explain(ExplainRequest(url: url, headers: headers), config: config).get().answer.headers.first { $0.name == "Location" }?.value
        }
        XCTAssertEqual(try location("http://127.0.0.1:8080/go/a?b=1"), "https://www.example.com/go/a?b=1")
        XCTAssertEqual(try location("http://127.0.0.1:8080/go/a", [("X-Env", "staging")]), "https://staging.example.com/go/a")
        // What only a connection knows stays as written.
        XCTAssertEqual(try location("http://Example.ORG:8080/who/"), "http://example.org/$remote_addr")
        let settings = try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080/who/"), config: config).get().settings
        XCTAssertEqual(settings.first { $0.directive == "add_header" }?.value, "X-Who $remote_addr")
        let who = try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080/who/"), config: config).get().answer
        XCTAssertEqual(who.headers.map(\.name), ["Location", "X-Who"], "add_header's fields on the answer, as sent")
        XCTAssertEqual(who.headers.last?.value, "$remote_addr", "what only a connection knows stays as written")
        XCTAssertEqual(settings.first { $0.directive == "map" }?.from, "http")
    }

    func testExplainShowsEachTryFilesCandidate() throws {
        let directory = NSTemporaryDirectory() + "conflang-tryfiles-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/www/dir", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/www/a.txt", contents: Data("A".utf8))
        FileManager.default.createFile(atPath: directory + "/www/dir/index.html", contents: Data("I".utf8))
        let text = """
        http { server { listen 8080; root \(directory)/www;
            location / { try_files $uri $uri/ /index.html; }
            location /strict/ { try_files $uri.txt =404; } } }
        """
        guard case .success(let (config, _)) = Explainer.model(path: directory + "/webserv.conf", bytes: Array(text.utf8)) else { return XCTFail("refused") }
        func answer(_ path: String) throws -> Explanation.Answer {
            try Explainer.explain(ExplainRequest(url: "http://127.0.0.1:8080" + path), config: config).get().answer
        }
        let file = try answer("/a.txt")
        XCTAssertEqual(file.status, 200)
        XCTAssertTrue(file.reason.hasPrefix("try_files took /a.txt [/a.txt (\(directory)/www/a.txt): a regular file]"), file.reason)
        let index = try answer("/dir/")
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(index.reason.contains("/dir/ (\(directory)/www/dir/): a directory; /dir/ (\(directory)/www/dir/): a directory]"), index.reason)
        XCTAssertTrue(index.reason.contains("index file \(directory)/www/dir/index.html"), index.reason)
        let fallback = try answer("/app/route")
        XCTAssertNil(fallback.status)
        XCTAssertTrue(fallback.reason.contains("/app/route (\(directory)/www/app/route): missing; /app/route/ (\(directory)/www/app/route): missing]; an internal redirect to /index.html"), fallback.reason)
        let strict = try answer("/strict/x")
        XCTAssertEqual(strict.status, 404)
        XCTAssertTrue(strict.reason.contains("its last argument =404 answers"), strict.reason)
    }
}
