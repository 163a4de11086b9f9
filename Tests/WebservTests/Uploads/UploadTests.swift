import XCTest
@testable import webserv

/// Uploads and DELETE against the built binary.
final class UploadTests: XCTestCase {
    private var server: ServerProcess!
    private var store: String { server.directory + "/store" }

    override func setUpWithError() throws {
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            server {
                listen 127.0.0.1:PORT0;
                root DIR/www;
                client_body_timeout 1s;
                location /up/ {
                    allow_methods GET POST PUT DELETE;
                    alias DIR/store/;
                    upload_store DIR/store;
                    client_max_body_size 1k;
                }
            }
        }
        """, files: ["www/index.html": "x", "store/existing.txt": "old"])
    }

    override func tearDown() { server.stop() }

    private func storeFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []).sorted()
    }

    /// The store's files once they are `expected`, or after about three
    /// seconds (the server removes a partial file a moment after the client goes).
    private func storeFiles(settlingAt expected: [String]) -> [String] {
        for _ in 0..<30 where storeFiles() != expected { usleep(100_000) }
        return storeFiles()
    }

    private func content(_ name: String) -> String? {
        try? String(contentsOfFile: store + "/" + name, encoding: .utf8)
    }

    /// A name longer than the file system takes (255 bytes here) is the
    /// client's error, 414, said before the body is read; the next request
    /// on the connection is answered intact and nothing is left in the store.
    func testPutOfANameTooLongForTheFileSystemIs414() throws {
        let long = String(repeating: "n", count: 300)
        let client = try RawClient(port: server.ports[0], timeoutSeconds: 10)
        client.send("PUT /up/\(long).txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                    + "PUT /up/\(long)/inside.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /up/existing.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(client.readResponse()?.status, 414, "a file name too long")
        XCTAssertEqual(client.readResponse()?.status, 414, "a directory name too long")
        let next = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(next.status, 200)
        XCTAssertEqual(next.bodyText, "old")
        XCTAssertEqual(storeFiles(), ["existing.txt"])
    }

    func testPostRawGetsAUniqueNameAndLocation() throws {
        let response = try server.request("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndata")
        XCTAssertEqual(response.status, 201)
        let location = try XCTUnwrap(response.header("Location"))
        let prefix = "http://x:\(server.ports[0])/up/"
        XCTAssertTrue(location.hasPrefix(prefix + "upload-"), location)
        XCTAssertEqual(content(String(location.dropFirst(prefix.count))), "data")
    }

    func testMultipartSavesFilePartsWithSafeNames() throws {
        let body = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../escape.txt\"\r\n\r\nfile one\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"g\"; filename=\"existing.txt\"\r\n\r\nsecond\r\n--B--\r\n"
        let response = try server.request("POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(content("escape.txt"), "file one")
        XCTAssertEqual(content("existing.txt"), "old", "an existing file is not overwritten by POST")
        XCTAssertEqual(content("existing-1.txt"), "second")
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.directory + "/escape.txt"))
    }

    func testTooLargeBodiesAre413AndLeaveNothing() throws {
        XCTAssertEqual(try server.request("PUT /up/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n").status, 413)
        let chunk = String(repeating: "z", count: 600)
        let chunked = "PUT /up/big2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
        XCTAssertEqual(try server.request(chunked).status, 413)
        usleep(100_000)
        XCTAssertEqual(storeFiles(settlingAt: ["existing.txt"]), ["existing.txt"])
    }

    func testClientThatDisconnectsMidUploadLeavesNoFile() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("PUT /up/partial HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n" + String(repeating: "p", count: 300))
        usleep(200_000)
        client.close()
        XCTAssertEqual(storeFiles(settlingAt: ["existing.txt"]), ["existing.txt"])
    }

    func testStalledUploadTimesOutAndLeavesNoFile() throws {
        let client = try RawClient(port: server.ports[0])
        client.send("PUT /up/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\nabc")
        let answer = String(decoding: client.readAll(), as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
        XCTAssertEqual(storeFiles(settlingAt: ["existing.txt"]), ["existing.txt"])
    }

    func testDelete() throws {
        XCTAssertEqual(try server.request("DELETE /up/existing.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 204)
        XCTAssertEqual(try server.request("DELETE /up/existing.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 404)
        XCTAssertEqual(try server.request("DELETE /up/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 403)
        XCTAssertEqual(try server.request("DELETE /up/../www/index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 405,
                       "normalised to /www/index.html: outside the upload location")
        XCTAssertTrue(FileManager.default.fileExists(atPath: server.directory + "/www/index.html"))
    }
}
