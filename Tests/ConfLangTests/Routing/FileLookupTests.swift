import XCTest
import Glibc
@testable import ConfLang

/// The one file lookup (webserv's static files and --explain) against an
/// in-memory file system.
final class FileLookupTests: XCTestCase {
    /// Paths to what they are; anything else is missing (ENOENT).
    private struct FakeFileSystem: LookupFileSystem {
        enum Entry { case file(String), directory, fifo, unreadable, failing(Int32) }
        var entries: [String: Entry]

        func status(of path: String) -> FileStatus<String> {
            switch entries[path] {
            case .file(let contents)?: return .regular(contents)
            case .unreadable?: return .regular("")
            case .directory?: return .directory
            case .fifo?: return .other
            case .failing(let error)?: return .failed(errno: error)
            case nil: return .failed(errno: ENOENT)
            }
        }

        func openFailure(of path: String, info: String) -> Int32? {
            if case .unreadable? = entries[path] { return EACCES }
            return nil
        }
    }

    private func route(_ server: String, path: String) throws -> Router.Route {
        let text = "events { }\nhttp {\nserver { listen 80;\n\(server)\n}\n}\n"
        let result = Linter.lint(path: "/srv/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let router = Router(config: ModelBuilder.build(result.config, baseDirectory: "/srv"))
        let server = try XCTUnwrap(router.server(for: .init(host: "*", port: 80), host: nil))
        return router.route(path, in: server)
    }

    private func lookUp(_ path: String, server: String, files: [String: FakeFileSystem.Entry]) throws -> (FileLookup<String>, [FileLookupTrace.Entry]) {
        var trace = FileLookupTrace()
        let found = try route(server, path: path).lookUpFile(path, in: FakeFileSystem(entries: files), observer: &trace)
        return (found, trace.entries)
    }

    func testAFileIsFoundUnderRoot() throws {
        let (found, tried) = try lookUp("/a/b.txt", server: "root /www;", files: ["/www/a/b.txt": .file("bytes")])
        guard case .file(let path, let info, let index) = found else { return XCTFail("\(found)") }
        XCTAssertEqual(path, "/www/a/b.txt")
        XCTAssertEqual(info, "bytes")
        XCTAssertNil(index)
        XCTAssertEqual(tried, [.init(candidate: .requestPath, path: "/www/a/b.txt", outcome: .found)])
    }

    func testAMissingFileIs404AndAForbiddenOne403() throws {
        let (missing, _) = try lookUp("/gone", server: "root /www;", files: [:])
        guard case .failed(404, "/www/gone", .requestPath, .status(errno: ENOENT)) = missing else { return XCTFail("\(missing)") }
        let (refused, _) = try lookUp("/secret/x", server: "root /www;", files: ["/www/secret/x": .failing(EACCES)])
        guard case .failed(403, "/www/secret/x", .requestPath, .status(errno: EACCES)) = refused else { return XCTFail("\(refused)") }
        let (looping, _) = try lookUp("/loop", server: "root /www;", files: ["/www/loop": .failing(ELOOP)])
        guard case .failed(403, _, _, _) = looping else { return XCTFail("\(looping)") }
        let (broken, _) = try lookUp("/io", server: "root /www;", files: ["/www/io": .failing(EIO)])
        guard case .failed(500, _, _, _) = broken else { return XCTFail("\(broken)") }
    }

    func testAnUnreadableFileIs403() throws {
        let (found, tried) = try lookUp("/locked.html", server: "root /www;", files: ["/www/locked.html": .unreadable])
        guard case .failed(403, "/www/locked.html", .requestPath, .unreadable(errno: EACCES)) = found else { return XCTFail("\(found)") }
        XCTAssertEqual(tried.map(\.outcome), [.unreadable(errno: EACCES)])
    }

    func testNeitherFileNorDirectoryIs404() throws {
        let (found, _) = try lookUp("/pipe", server: "root /www;", files: ["/www/pipe": .fifo])
        guard case .failed(404, "/www/pipe", .requestPath, .notRegular) = found else { return XCTFail("\(found)") }
    }

    func testADirectoryWithoutItsSlashIsRedirected() throws {
        let (found, _) = try lookUp("/docs", server: "root /www;", files: ["/www/docs": .directory, "/www/docs/index.html": .file("")])
        guard case .redirectToSlash(directory: "/www/docs", index: nil) = found else { return XCTFail("\(found)") }
    }

    func testTheFirstIndexThatExistsAnswersInOrder() throws {
        let files: [String: FakeFileSystem.Entry] = [
            "/www/docs/": .directory, "/www/docs/loop.html": .failing(ELOOP), "/www/docs/third.html": .file("third"),
            "/www/docs/fourth.html": .file("fourth"),
        ]
        let (found, tried) = try lookUp("/docs/", server: "root /www; index missing.html loop.html third.html fourth.html;", files: files)
        guard case .file("/www/docs/third.html", "third", "third.html") = found else { return XCTFail("\(found)") }
        XCTAssertEqual(tried, [
            .init(candidate: .requestPath, path: "/www/docs/", outcome: .directory),
            .init(candidate: .index("missing.html"), path: "/www/docs/missing.html", outcome: .failed(errno: ENOENT)),
            .init(candidate: .index("loop.html"), path: "/www/docs/loop.html", outcome: .failed(errno: ELOOP)),
            .init(candidate: .index("third.html"), path: "/www/docs/third.html", outcome: .found),
        ])
    }

    /// As nginx: an index name that is a directory is taken, and answered
    /// with its slash redirect, even when a later name is a file.
    func testAnIndexNameThatIsADirectoryIsRedirectedToItsSlash() throws {
        let files: [String: FakeFileSystem.Entry] = ["/www/": .directory, "/www/index.html": .directory, "/www/index.htm": .file("")]
        let (found, _) = try lookUp("/", server: "root /www; index index.html index.htm;", files: files)
        guard case .redirectToSlash(directory: "/www/index.html", index: "index.html") = found else { return XCTFail("\(found)") }
    }

    func testAnIndexNameThatIsNeitherFileNorDirectoryIs404() throws {
        let files: [String: FakeFileSystem.Entry] = ["/www/": .directory, "/www/index.html": .fifo, "/www/index.htm": .file("")]
        let (found, _) = try lookUp("/", server: "root /www; index index.html index.htm;", files: files)
        guard case .failed(404, "/www/index.html", .index("index.html"), .notRegular) = found else { return XCTFail("\(found)") }
    }

    /// nginx's index module stops at a name it may not look at (403) or that names no file (404).
    func testAnIndexNameNotAllowedOrTooLongStopsTheSearch() throws {
        let server = "root /www; index index.html index.htm;"
        let refused = try lookUp("/", server: server, files: ["/www/": .directory, "/www/index.html": .failing(EACCES), "/www/index.htm": .file("")])
        guard case .failed(403, "/www/index.html", .index("index.html"), .status(errno: EACCES)) = refused.0 else { return XCTFail("\(refused.0)") }
        let long = try lookUp("/", server: server, files: ["/www/": .directory, "/www/index.html": .failing(ENAMETOOLONG), "/www/index.htm": .file("")])
        guard case .failed(404, _, .index("index.html"), .status(errno: ENAMETOOLONG)) = long.0 else { return XCTFail("\(long.0)") }
    }

    func testAnUnreadableIndexIs403AndStopsTheSearch() throws {
        let files: [String: FakeFileSystem.Entry] = ["/www/": .directory, "/www/index.html": .unreadable, "/www/index.htm": .file("")]
        let (found, _) = try lookUp("/", server: "root /www; index index.html index.htm;", files: files)
        guard case .failed(403, "/www/index.html", .index("index.html"), .unreadable(errno: EACCES)) = found else { return XCTFail("\(found)") }
    }

    func testADirectoryWithoutIndexIsAListingOr403() throws {
        let files: [String: FakeFileSystem.Entry] = ["/www/docs/": .directory]
        let (listed, _) = try lookUp("/docs/", server: "root /www; autoindex on;", files: files)
        guard case .autoindex(directory: "/www/docs/") = listed else { return XCTFail("\(listed)") }
        let (refused, tried) = try lookUp("/docs/", server: "root /www;", files: files)
        guard case .failed(403, "/www/docs/", .requestPath, .noIndex) = refused else { return XCTFail("\(refused)") }
        XCTAssertEqual(tried.last, .init(candidate: .index("index.html"), path: "/www/docs/index.html", outcome: .failed(errno: ENOENT)))
    }

    func testAliasReplacesTheMatchedPrefix() throws {
        let files: [String: FakeFileSystem.Entry] = ["/data/pics/a.png": .file("png"), "/data/pics/": .directory, "/data/pics/index.html": .file("i")]
        let server = "root /www; location /images/ { alias /data/pics/; }"
        let (file, _) = try lookUp("/images/a.png", server: server, files: files)
        guard case .file("/data/pics/a.png", "png", nil) = file else { return XCTFail("\(file)") }
        let (index, _) = try lookUp("/images/", server: server, files: files)
        guard case .file("/data/pics/index.html", "i", "index.html") = index else { return XCTFail("\(index)") }
    }

    /// A name with a suffix after it (CGI's PATH_INFO shape) is no file to the
    /// static lookup: ENOTDIR under a regular file is 404, as in nginx.
    func testAPathBelowAFileIs404() throws {
        let (found, _) = try lookUp("/page.html/more", server: "root /www;",
                                    files: ["/www/page.html": .file(""), "/www/page.html/more": .failing(ENOTDIR)])
        guard case .failed(404, "/www/page.html/more", .requestPath, .status(errno: ENOTDIR)) = found else { return XCTFail("\(found)") }
    }
    // MARK: try_files

    private func tryFiles(_ names: [(String, Bool)], files: [String: FakeFileSystem.Entry]) throws -> (String?, [FileLookupTrace.Entry]) {
        var trace = FileLookupTrace()
        let found = try route("root /www;", path: "/").lookUpTryFiles(names.map { (name: $0.0, directory: $0.1) },
                                                                in: FakeFileSystem(entries: files), observer: &trace)
        return (found, trace.entries)
    }

    func testTryFilesTakesTheFirstThatExistsAsNginx() throws {
        let files: [String: FakeFileSystem.Entry] = ["/www/app": .directory, "/www/app.js": .file("js"), "/www/pipe": .fifo]
        // A name without its final / must not be a directory; one with it must be.
        let (found, tried) = try tryFiles([("/app", false), ("/app", true)], files: files)
        XCTAssertEqual(found, "/app")
        XCTAssertEqual(tried, [.init(candidate: .tryFile("/app"), path: "/www/app", outcome: .directory),
                               .init(candidate: .tryFile("/app/"), path: "/www/app", outcome: .directory)])
        XCTAssertEqual(try tryFiles([("/app.js", false)], files: files).0, "/app.js")
        XCTAssertEqual(try tryFiles([("/pipe", false)], files: files).0, "/pipe", "anything but a directory, as nginx")
        let (none, why) = try tryFiles([("/missing", false), ("/app.js", true)], files: files)
        XCTAssertNil(none, "the fallback answers")
        XCTAssertEqual(why.map(\.outcome), [.failed(errno: ENOENT), .notDirectory])
    }

    func testTryFilesUnderAnAlias() throws {
        var trace = FileLookupTrace()
        let route = try route("location /static/ { alias /data/; }", path: "/static/x.css")
        let found = route.lookUpTryFiles([(name: "/static/x.css", directory: false)], in: FakeFileSystem(entries: ["/data/x.css": .file("css")]),
                                         observer: &trace)
        XCTAssertEqual(found, "/static/x.css", "the alias replaces the location's prefix, as for the request path")
        XCTAssertEqual(trace.entries.map(\.path), ["/data/x.css"])
    }

    func testTryFilesParsesItsArguments() {
        let spa = TryFiles(["$uri", "$uri/", "/index.html"])
        XCTAssertEqual(spa.candidates.map(\.directory), [false, true])
        XCTAssertEqual(spa.candidates.map(\.name.source), ["$uri", "$uri"], "the final / is dropped, as nginx")
        XCTAssertEqual(spa.fallback, .uri(VariableTemplate.compiled("/index.html")))
        XCTAssertEqual(TryFiles(["$uri", "=404"]).fallback, .status(404))
    }
}
