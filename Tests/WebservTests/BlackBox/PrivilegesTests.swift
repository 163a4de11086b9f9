import XCTest
import Glibc

/// `user`, `worker_rlimit_nofile` and `env`: a master that stays root,
/// workers and CGI scripts that run as the user, with the limit and the
/// environment the configuration gives them.
final class PrivilegesTests: XCTestCase {
    private func field(_ name: String, of pid: pid_t) -> String? {
        WebservCommand.contents("/proc/\(pid)/status").split(separator: "\n")
            .first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    private func environment(of pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    func testWorkersAndScriptsRunAsTheUserWithTheirLimitAndEnvironment() throws {
        try XCTSkipUnless(geteuid() == 0, "user takes effect only when started as root")
        setenv("WEBSERV_TEST_KEPT", "kept value", 1)
        setenv("WEBSERV_TEST_DROPPED", "dropped", 1)
        defer { unsetenv("WEBSERV_TEST_KEPT"); unsetenv("WEBSERV_TEST_DROPPED") }
        let server = try ServerProcess(config: """
        user nobody nogroup;
        worker_rlimit_nofile 2048;
        env WEBSERV_TEST_KEPT;
        env WEBSERV_TEST_SET=set=here;
        error_log DIR/logs/error.log notice;
        events { }
        http { access_log DIR/logs/access.log; server { listen 127.0.0.1:PORT0; root DIR/www;
            location $ .sh { cgi_path /bin/sh; } } }
        """, files: ["www/who.sh": """
        body="uid=$(id -u) gid=$(id -g) kept=$WEBSERV_TEST_KEPT set=$WEBSERV_TEST_SET dropped=$WEBSERV_TEST_DROPPED"
        printf 'Content-Type: text/plain\\r\\nContent-Length: %s\\r\\n\\r\\n%s' "${#body}" "$body"
        """])
        defer { server.stop() }
        let master = server.process.processIdentifier
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.children(of: master).count == 1 }, "with user, a master and its worker")
        let worker = try XCTUnwrap(WebservCommand.children(of: master).first)
        XCTAssertTrue(WebservCommand.waitFor { self.field("Uid", of: worker)?.hasPrefix("65534\t65534") == true },
                      field("Uid", of: worker) ?? "")
        XCTAssertEqual(field("Gid", of: worker)?.split(separator: "\t").first, "65534")
        XCTAssertEqual(field("Uid", of: master)?.split(separator: "\t").first, "0", "the master stays root")
        XCTAssertTrue(WebservCommand.contents("/proc/\(worker)/limits").contains("Max open files            2048                 2048"),
                      WebservCommand.contents("/proc/\(worker)/limits"))
        let workerEnvironment = environment(of: worker)
        XCTAssertTrue(workerEnvironment.contains("WEBSERV_TEST_KEPT=kept value"), "\(workerEnvironment)")
        XCTAssertFalse(workerEnvironment.contains { $0.hasPrefix("WEBSERV_TEST_DROPPED=") }, "\(workerEnvironment)")

        let answer = try server.get("/who.sh")
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.bodyText, "uid=65534 gid=65534 kept=kept value set=set=here dropped=")

        // A reopen still works for workers that are no longer root.
        let logs = server.directory + "/logs/"
        XCTAssertEqual(rename(logs + "access.log", logs + "access.log.1"), 0)
        server.signal(SIGUSR1)
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(logs + "error.log").contains("\(worker)#0: reopening logs: done") })
        XCTAssertEqual(try server.get("/who.sh").status, 200)
        XCTAssertTrue(WebservCommand.waitFor { WebservCommand.contents(logs + "access.log").contains("GET /who.sh") })
    }

    func testUserNeedsRootAndAnAccountThatExists() throws {
        try XCTSkipUnless(geteuid() == 0, "the test runs the check as another user")
        let directory = try WebservCommand.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertEqual(chmod(directory, 0o777), 0)
        let config = directory + "/webserv.conf"
        func write(_ user: String) {
            XCTAssertTrue(FileManager.default.createFile(atPath: config, contents: Data(
                "\(user)\nerror_log \(directory)/error.log;\npid \(directory)/webserv.pid;\nevents { }\nhttp { access_log off; server { listen 127.0.0.1:1; } }\n".utf8),
                attributes: [.posixPermissions: 0o644]))
        }
        write("user nobody-such-user;")
        let missing = try WebservCommand.run(["-t", config])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("getpwnam(\"nobody-such-user\") failed"), missing.errors)
        write("user nobody;")
        let noGroup = try WebservCommand.run(["-t", config])
        XCTAssertEqual(noGroup.status, getgrnam("nobody") == nil ? 1 : 0, "as nginx, the group named as the user")

        // Not root: a warning, and the user is ignored. (The checks above, as
        // root, created the error log: nobody could not open it.)
        write("user root;")
        unlink(directory + "/error.log")
        let asNobody = try WebservCommand.run(["--reuid=65534", "--regid=65534", "--clear-groups", ServerProcess.binary, "-t", config],
                                              executable: "/usr/bin/setpriv")
        XCTAssertEqual(asNobody.status, 0, asNobody.errors)
        XCTAssertTrue(asNobody.errors.contains("the \"user\" directive has an effect only when webserv is started as root"), asNobody.errors)
    }
}
