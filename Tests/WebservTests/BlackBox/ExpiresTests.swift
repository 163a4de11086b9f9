import Foundation
import XCTest
@testable import webserv

/// `expires`, as nginx's headers filter: Expires and Cache-Control on
/// 2xx/3xx answers of every kind, inherited from http down to a location.
/// Each value, inheritance and framing are ExpiresLoopTests' (in-process); here a
/// script's own fields, replaced.
final class ExpiresTests: XCTestCase {
    private var server: ServerProcess!

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            expires 1h;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                location /off/ { expires off; }
                location /epoch/ { expires epoch; }
                location /max/ { expires max; }
                location /past/ { expires -1; }
                location /modified/ { expires modified 1h; }
                location /moved { return 301 /a.txt; }
                location /cgi/ { cgi_path /usr/bin/python3; expires 30s; }
            }
        }
        """, files: [
            "www/a.txt": "A", "www/off/a.txt": "off", "www/epoch/a.txt": "epoch", "www/max/a.txt": "max",
            "www/past/a.txt": "past", "www/modified/old.txt": "old",
            "www/cgi/own.py": "print('Content-Type: text/plain'); print('Cache-Control: private'); print('Expires: 0'); print(); print('own')",
        ])
        // Last-Modified two hours ago: 'modified 1h' ran out an hour ago.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)],
                                              ofItemAtPath: server.directory + "/www/modified/old.txt")
    }

    override func tearDown() { server.stop() }

    /// Expires minus Date, in seconds.
    private func lifetime(_ response: HTTPTestResponse) throws -> Int {
        let expires = try XCTUnwrap(response.header("Expires").flatMap(HTTPDate.parse), response.head)
        let date = try XCTUnwrap(response.header("Date").flatMap(HTTPDate.parse), response.head)
        return expires - date
    }

    func testAScriptsOwnFieldsAreReplaced() throws {
        let script = try server.get("/cgi/own.py")
        XCTAssertEqual(script.status, 200, script.head)
        XCTAssertEqual(script.head.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("cache-control:") },
                       ["Cache-Control: max-age=30"])
        XCTAssertEqual(script.head.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("expires:") }.count, 1)
        XCTAssertTrue((29...30).contains(try lifetime(script)), script.head)
        XCTAssertEqual(script.bodyText, "own\n")
    }
}
