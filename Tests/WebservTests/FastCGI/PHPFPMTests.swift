import Foundation
import XCTest

/// FastCGI against a real PHP-FPM (Debian's php-fpm, started by the test):
/// Debian's fastcgi.conf and fastcgi_params included as they ship, answers, bodies, uploads,
/// errors, keep-alive to the application and its failures.
final class PHPFPMTests: XCTestCase {
    private var fpm: PHPFPMProcess!
    private var server: ServerProcess!

    private static let scripts: [String: String] = [
        "hi.php": #"<?php echo "hi";"#,
        "index.php": #"<?php echo "front controller for ", $_SERVER["REQUEST_URI"], " as ", $_SERVER["SCRIPT_NAME"];"#,
        "env.php": #"""
        <?php
        foreach (["REQUEST_METHOD", "QUERY_STRING", "SCRIPT_NAME", "SCRIPT_FILENAME", "PATH_INFO", "REQUEST_URI", "DOCUMENT_URI",
                  "DOCUMENT_ROOT", "SERVER_PROTOCOL", "GATEWAY_INTERFACE", "REMOTE_ADDR", "SERVER_PORT", "SERVER_ADDR",
                  "REDIRECT_STATUS", "HTTP_HOST", "HTTP_X_TEST", "CONTENT_TYPE", "CONTENT_LENGTH", "HTTPS"] as $name) {
            echo $name, "=", $_SERVER[$name] ?? "(unset)", "\n";
        }
        echo "get=", json_encode($_GET), "\n";
        """#,
        "form.php": #"<?php echo $_SERVER["REQUEST_METHOD"], " ", json_encode($_POST);"#,
        "upload.php": #"""
        <?php
        $file = $_FILES["f"] ?? null;
        if ($file === null) { http_response_code(400); echo "no file"; exit; }
        echo $file["name"], " ", $file["size"], " ", $file["error"], " ", md5_file($file["tmp_name"]), " ", $_POST["title"] ?? "";
        """#,
        "fatal.php": #"<?php echo "before"; undefined_function_here();"#,
        "redirect.php": #"<?php header("Location: /x"); echo "moved";"#,
        "missing.php": #"<?php http_response_code(404); echo "nope";"#,
        "slow.php": #"<?php sleep(4); echo "late";"#,
        "sockets.php": #"""
        <?php
        $sockets = [];
        foreach (scandir("/proc/self/fd") as $fd) {
            $link = @readlink("/proc/self/fd/$fd");
            if ($link !== false && str_starts_with($link, "socket:")) $sockets[] = $link;
        }
        sort($sockets);
        echo getmypid(), " ", implode(",", $sockets);
        """#,
    ]

    private static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/debian-nginx").path
    }

    override func setUpWithError() throws {
        fpm = try PHPFPMProcess(scripts: PHPFPMTests.scripts)
        let fastcgiConf = PHPFPMTests.fixtures + "/snippets-fastcgi-php/fastcgi.conf"
        let fastcgiParams = PHPFPMTests.fixtures + "/fastcgi-params/fastcgi_params"
        let fastcgiPHP = PHPFPMTests.fixtures + "/snippets-fastcgi-php/fastcgi-php.conf"
        // PORT0: the unix pool with fastcgi_keep_conn and fastcgi.conf; PORT1: the TCP pool with
        // fastcgi_params (no SCRIPT_FILENAME: webserv's own is sent), short read timeout;
        // PORT2: nothing listens on its socket; PORT3: Debian's snippets/fastcgi-php.conf as sites-available/default has it.
        server = try ServerProcess(config: """
        events { }
        http {
            access_log off;
            error_log DIR/logs/error.log;
            root \(fpm.wwwDirectory);
            index index.html index.php;
            server {
                listen 127.0.0.1:PORT0;
                location $ .php {
                    fastcgi_pass unix:\(fpm.socketPath);
                    fastcgi_keep_conn on;
                    include \(fastcgiConf);
                }
            }
            server {
                listen 127.0.0.1:PORT1;
                location $ .php {
                    fastcgi_pass 127.0.0.1:\(fpm.port);
                    fastcgi_read_timeout 2s;
                    include \(fastcgiParams);
                }
            }
            server {
                listen 127.0.0.1:PORT2;
                location $ .php { fastcgi_pass unix:DIR/nobody-listens.sock; }
            }
            server {
                listen 127.0.0.1:PORT3;
                location $ .php {
                    include \(fastcgiPHP);
                    fastcgi_pass unix:\(fpm.socketPath);
                }
            }
        }
        """, portCount: 4)
    }

    override func tearDown() {
        server?.stop()
        fpm?.stop()
    }

    private var errorLog: String { (try? String(contentsOfFile: server.directory + "/logs/error.log", encoding: .utf8)) ?? "" }

    private func get(_ path: String, port: Int = 0, headers: String = "") throws -> HTTPTestResponse {
        try server.request("GET \(path) HTTP/1.1\r\nHost: example.test\r\n\(headers)Connection: close\r\n\r\n", port: server.ports[port])
    }

    private func fields(_ response: HTTPTestResponse) -> [String: String] {
        var result: [String: String] = [:]
        for line in response.bodyText.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    func testHelloOverTheUnixSocketAndTCP() throws {
        for port in [0, 1] {
            let response = try get("/hi.php", port: port)
            XCTAssertEqual(response.status, 200, "port \(port): \(response.head)")
            XCTAssertEqual(response.bodyText, "hi")
            XCTAssertTrue(response.header("Content-Type")?.hasPrefix("text/html") ?? false, response.head)
        }
    }

    func testParametersFromDebiansFastcgiConf() throws {
        let response = try get("/env.php/more/info?a=1&b=two", headers: "X-Test: yes\r\n")
        XCTAssertEqual(response.status, 200, response.head)
        let env = fields(response)
        XCTAssertEqual(env["REQUEST_METHOD"], "GET")
        XCTAssertEqual(env["QUERY_STRING"], "a=1&b=two")
        XCTAssertEqual(env["SCRIPT_NAME"], "/env.php")
        XCTAssertEqual(env["SCRIPT_FILENAME"], fpm.wwwDirectory + "/env.php")
        XCTAssertEqual(env["PATH_INFO"], "/more/info")
        XCTAssertEqual(env["REQUEST_URI"], "/env.php/more/info?a=1&b=two")
        XCTAssertEqual(env["DOCUMENT_URI"], "/env.php/more/info")
        XCTAssertEqual(env["DOCUMENT_ROOT"], fpm.wwwDirectory)
        XCTAssertEqual(env["SERVER_PROTOCOL"], "HTTP/1.1")
        XCTAssertEqual(env["GATEWAY_INTERFACE"], "CGI/1.1")
        XCTAssertEqual(env["REMOTE_ADDR"], "127.0.0.1")
        XCTAssertEqual(env["SERVER_ADDR"], "127.0.0.1")
        XCTAssertEqual(env["SERVER_PORT"], String(server.ports[0]))
        XCTAssertEqual(env["REDIRECT_STATUS"], "200")
        XCTAssertEqual(env["HTTP_HOST"], "example.test")
        XCTAssertEqual(env["HTTP_X_TEST"], "yes")
        XCTAssertEqual(env["HTTPS"], "(unset)", "fastcgi.conf's 'HTTPS $https if_not_empty' on plain HTTP")
        XCTAssertEqual(env["get"], #"{"a":"1","b":"two"}"#)
    }

    /// Debian's snippet: `try_files $fastcgi_script_name =404` changes $uri to
    /// the script before the content phase, so it keeps PATH_INFO in a `set`,
    /// which nginx runs in the rewrite phase, before try_files.
    func testDebiansFastcgiPHPSnippetKeepsThePathInfo() throws {
        let response = try get("/env.php/more/info?a=1", port: 3)
        XCTAssertEqual(response.status, 200, response.head)
        let env = fields(response)
        XCTAssertEqual(env["PATH_INFO"], "/more/info")
        XCTAssertEqual(env["SCRIPT_NAME"], "/env.php")
        XCTAssertEqual(env["SCRIPT_FILENAME"], fpm.wwwDirectory + "/env.php")
        XCTAssertEqual(env["REQUEST_URI"], "/env.php/more/info?a=1")
        XCTAssertEqual(try get("/none.php/x", port: 3).status, 404, "try_files' =404 for a script that is not there")
    }

    func testAnIndexFileThatIsAScriptRunsAsNginxsIndexModuleRedirectsToIt() throws {
        for method in ["GET", "HEAD"] {
            let response = try server.request("\(method) /?page=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", headRequest: method == "HEAD")
            XCTAssertEqual(response.status, 200, response.head)
            XCTAssertFalse(response.bodyText.contains("<?php"), "the script's source is never sent")
            if method == "GET" { XCTAssertEqual(response.bodyText, "front controller for /?page=2 as /index.php") }
        }
    }

    func testPostedForm() throws {
        let body = "a=1&b=two+words"
        let response = try server.request("POST /form.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                          + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        XCTAssertEqual(response.status, 200, response.head)
        XCTAssertEqual(response.bodyText, #"POST {"a":"1","b":"two words"}"#)
    }

    func testChunkedBodyReachesTheApplicationWithItsLength() throws {
        // As nginx, which buffers it: PHP reads a form only with CONTENT_LENGTH.
        let big = String(repeating: "x", count: 200_000)
        for port in [0, 1] {
            let response = try server.request("POST /form.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                              + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\na=1&\r\n"
                                              + "\(String(2 + big.utf8.count, radix: 16))\r\nb=\(big)\r\n0\r\n\r\n", port: server.ports[port])
            XCTAssertEqual(response.status, 200, response.head)
            XCTAssertEqual(response.bodyText, #"POST {"a":"1","b":"\#(big)"}"#, "port \(port)")
        }
    }

    func testMultipartUploadIsSeenInFiles() throws {
        let content = String(repeating: "0123456789abcdef", count: 20_000)   // 320,000 bytes: several STDIN records
        let boundary = "XyZzy42"
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\n"
            + content + "\r\n--\(boundary)--\r\n"
        let response = try server.request("POST /upload.php HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
                                          + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)", port: server.ports[1])
        XCTAssertEqual(response.status, 200, response.head + response.bodyText)
        let md5 = try XCTUnwrap(md5Hex(content))
        XCTAssertEqual(response.bodyText, "notes.txt 320000 0 \(md5) holiday")
    }

    func testFatalErrorIs500WithTheStderrLineInTheErrorLog() throws {
        let response = try get("/fatal.php")
        XCTAssertEqual(response.status, 500, response.head)
        let log = errorLog
        XCTAssertTrue(log.contains("FastCGI sent in stderr: \"PHP message: PHP Fatal error:"), log)
        XCTAssertTrue(log.contains("undefined_function_here"), log)
        XCTAssertTrue(log.contains("request: \"GET /fatal.php HTTP/1.1\""), log)
    }

    func testLocationAndStatusSetByPHP() throws {
        let redirect = try get("/redirect.php")
        XCTAssertEqual(redirect.status, 302, redirect.head)
        XCTAssertTrue(redirect.header("Location")?.hasSuffix("/x") ?? false, redirect.head)
        let missing = try get("/missing.php")
        XCTAssertEqual(missing.status, 404, missing.head)
        XCTAssertEqual(missing.bodyText, "nope")
        // A script PHP-FPM does not find: its own 404.
        XCTAssertEqual(try get("/absent.php").status, 404)
    }

    func testKeptConnectionCarriesTheNextRequestsWithKeepConnAndNotWithout() throws {
        let first = try get("/sockets.php"), second = try get("/sockets.php"), third = try get("/sockets.php")
        XCTAssertEqual(first.status, 200, first.head)
        XCTAssertEqual(first.bodyText, second.bodyText, "fastcgi_keep_conn on: the same worker on the same connection")
        XCTAssertEqual(second.bodyText, third.bodyText)
        let apart = try get("/sockets.php", port: 1), again = try get("/sockets.php", port: 1)
        XCTAssertEqual(apart.status, 200, apart.head)
        XCTAssertNotEqual(apart.bodyText, again.bodyText, "without fastcgi_keep_conn each request has its connection")
        // A body after a kept connection, then another request: both on the one worker.
        let posted = try server.request("POST /form.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                        + "Content-Length: 3\r\nConnection: close\r\n\r\na=b")
        XCTAssertEqual(posted.bodyText, #"POST {"a":"b"}"#)
        XCTAssertEqual(try get("/sockets.php").bodyText, first.bodyText)
    }

    func testTwoRequestsOnOneClientConnection() throws {
        for port in [0, 1] {
            let client = try RawClient(port: server.ports[port], timeoutSeconds: 10)
            client.send("GET /hi.php HTTP/1.1\r\nHost: x\r\n\r\nGET /missing.php HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let first = try XCTUnwrap(client.readResponse())
            let second = try XCTUnwrap(client.readResponse())
            XCTAssertEqual(first.status, 200, first.head)
            XCTAssertEqual(first.bodyText, "hi")
            XCTAssertEqual(second.status, 404, second.head)
            XCTAssertEqual(second.bodyText, "nope")
            XCTAssertTrue(client.readAll().isEmpty, "nothing after the second answer")
        }
    }

    func testApplicationDownIs502() throws {
        let response = try get("/hi.php", port: 2)
        XCTAssertEqual(response.status, 502, response.head)
        XCTAssertTrue(errorLog.contains("connect() to unix:\(server.directory)/nobody-listens.sock failed (2: No such file or directory)"), errorLog)
    }

    func testSlowScriptPastTheReadTimeoutIs504() throws {
        let response = try get("/slow.php", port: 1)
        XCTAssertEqual(response.status, 504, response.head)
        XCTAssertTrue(errorLog.contains("timed out"), errorLog)
        // The server goes on answering.
        XCTAssertEqual(try get("/hi.php", port: 1).bodyText, "hi")
    }

    private func md5Hex(_ text: String) -> String? {
        let pipe = Pipe(), input = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
        process.standardInput = input
        process.standardOutput = pipe
        try? process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return output.split(separator: " ").first.map(String.init)
    }
}
