import Foundation
import Glibc
import XCTest

/// curl, the nghttp2 client most users try first, loading the example site's
/// pages and assets (conf-examples/html, served where it lies) over HTTP/2:
/// `--http2-prior-knowledge` on a plain `http2 on` listener and `--http2` over
/// TLS (ALPN h2), each body compared byte for byte with its file. Over TLS
/// every URL goes in one command, on one connection, in parallel (`-Z`:
/// concurrent streams); with prior knowledge one command per URL, as Debian's
/// curl 7.88 cannot reuse such a connection (curl/curl#10634, fixed in 8.0:
/// "Error in the HTTP2 framing layer" before it sends the second request).
final class HTTP2CurlSiteTests: XCTestCase {
    private static let site = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("conf-examples").path

    /// Request path → the file its body must be, and its status.
    private static let pages: [(path: String, file: String, status: Int)] = [
        ("/", "index.html", 200), ("/files.html", "files.html", 200), ("/upload.html", "upload.html", 200),
        ("/form.html", "form.html", 200), ("/style.css", "style.css", 200), ("/site.js", "site.js", 200),
        ("/favicon.ico", "favicon.ico", 200), ("/files/data.json", "files/data.json", 200),
        ("/files/readme.txt", "files/readme.txt", 200), ("/files/docs/notes.md", "files/docs/notes.md", 200),
        ("/404.html", "404.html", 200), ("/no-such-page", "404.html", 404),
    ]

    private func configuration(listen: String) -> String {
        """
        error_log DIR/logs/error.log info;
        events { }
        http {
            include \(Self.site)/mime.types;
            charset utf-8;
            access_log DIR/logs/access.log;
            server {
                \(listen)
                http2 on;
                root \(Self.site)/html;
                index index.html;
                error_page 404 /404.html;
                location ^ /files/ { autoindex on; }
            }
        }
        """
    }

    func testCurlWithPriorKnowledgeLoadsThePagesAndAssetsOverH2C() throws {
        let server = try ServerProcess(config: configuration(listen: "listen 127.0.0.1:PORT0;"))
        defer { server.stop() }
        try fetchAndCompare(["--http2-prior-knowledge"], base: "http://127.0.0.1:\(server.ports[0])", server: server, oneConnection: false)
    }

    func testCurlOverTLSNegotiatesH2AndLoadsThePagesAndAssets() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("site", names: ["site.test"])
        let server = try ServerProcess(config: configuration(listen: """
            listen 127.0.0.1:PORT0 ssl;
                    server_name site.test;
                    ssl_certificate \(certificates.path("site.pem"));
                    ssl_certificate_key \(certificates.path("site.key"));
            """))
        defer { server.stop() }
        try fetchAndCompare(["--http2", "--cacert", certificates.path("ca.pem"), "--resolve", "site.test:\(server.ports[0]):127.0.0.1"],
                            base: "https://site.test:\(server.ports[0])", server: server, oneConnection: true)
    }

    /// One curl for every page, in parallel on one connection (or one curl
    /// per page); each answer's protocol, status and bytes checked, and the
    /// access log's protocol.
    private func fetchAndCompare(_ options: [String], base: String, server: ServerProcess, oneConnection: Bool) throws {
        let output = server.directory + "/curl"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let common = ["-sS"] + options + ["-w", "%{http_version} %{response_code} %{url_effective}\\n"]
        let targets = Self.pages.enumerated().map { ["-o", "\(output)/\($0.offset)", base + $0.element.path] }
        let commands = oneConnection ? [common + ["-Z", "--parallel-max", "6"] + targets.joined()] : targets.map { common + $0 }
        var transcript = ""
        for arguments in commands {
            let result = try runCommand("/usr/bin/curl", arguments)
            XCTAssertEqual(result.status, 0, result.output)
            transcript += result.output
        }
        // -w's lines come in the order the transfers end: one per URL.
        var seen: [String: (version: String, status: Int)] = [:]
        for line in transcript.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let status = Int(parts[1]) else { continue }
            seen[String(parts[2].dropFirst(base.count))] = (String(parts[0]), status)
        }
        for (index, page) in Self.pages.enumerated() {
            let expected = try Data(contentsOf: URL(fileURLWithPath: "\(Self.site)/html/\(page.file)"))
            let body = try? Data(contentsOf: URL(fileURLWithPath: "\(output)/\(index)"))
            XCTAssertEqual(seen[page.path]?.version, "2", "\(page.path): \(transcript)")
            XCTAssertEqual(seen[page.path]?.status, page.status, page.path)
            XCTAssertEqual(body?.count, expected.count, page.path)
            XCTAssertTrue(body == expected, "\(page.path): the body is not html/\(page.file)")
        }
        // The log line is written as the answer ends, which may be a moment after curl has it.
        var log = ""
        for _ in 0..<50 {
            log = (try? String(contentsOfFile: server.directory + "/logs/access.log", encoding: .utf8)) ?? ""
            if log.contains("\"GET /style.css HTTP/2.0\" 200") { break }
            usleep(100_000)
        }
        XCTAssertTrue(log.contains("\"GET /style.css HTTP/2.0\" 200"), log)
    }
}
