import XCTest
import Glibc
@testable import ConfLang

/// `user`, `worker_rlimit_nofile`, `env` (nginx's main-level directives), and
/// the warning when `worker_connections` exceeds the open-file limit.
final class ProcessDirectiveTests: XCTestCase {
    private func model(_ text: String) throws -> WebservConfig {
        let result = Linter.lint(path: "/srv/conf/test.conf", bytes: Array(text.utf8))
        XCTAssertFalse(result.diagnostics.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        return try XCTUnwrap(ModelBuilder.build(result.config, baseDirectory: "/srv/conf"))
    }

    func testTheDirectivesReachTheModel() throws {
        let config = try model("user www-data;\nworker_rlimit_nofile 4096;\nenv TZ;\nenv MODE=test=1;\nevents { }\nhttp { }\n")
        XCTAssertEqual(config.user?.name, "www-data")
        XCTAssertEqual(config.user?.group, "www-data", "as nginx: a group named as the user")
        XCTAssertEqual(config.workerRlimitNofile, 4096)
        XCTAssertEqual(config.environment.map(\.name), ["TZ", "MODE"])
        XCTAssertEqual(config.environment.map(\.value), [nil, "test=1"])
        let other = try model("user nobody nogroup;\nevents { }\nhttp { }\n")
        XCTAssertEqual(other.user?.group, "nogroup")
        let none = try model("events { }\nhttp { }\n")
        XCTAssertNil(none.user)
        XCTAssertNil(none.workerRlimitNofile)
        XCTAssertTrue(none.environment.isEmpty)
    }

    func testTheirContextsAndArguments() {
        XCTAssertEqual(findings("user a b;\nworker_rlimit_nofile 1024;\nenv A;\nenv B=1;\nevents { }\n"), [])
        XCTAssertEqual(findings("user a b c;\nevents { }\n"), ["1:10 error directive.arguments"], "at the extra argument")
        XCTAssertEqual(findings("worker_rlimit_nofile many;\nevents { }\n"), ["1:22 error value.number"])
        XCTAssertEqual(findings("events { }\nhttp { env A; }\n"), ["2:8 error directive.context"])
        XCTAssertEqual(findings("user a;\nuser b;\nevents { }\n"), ["2:1 error directive.duplicate"])
    }

    func testWorkerConnectionsOverTheOpenFileLimit() {
        XCTAssertEqual(findings("worker_rlimit_nofile 1024;\nevents { worker_connections 4096; }\n"),
                       ["2:29 warning limit.worker-connections"])
        XCTAssertEqual(findings("worker_rlimit_nofile 4096;\nevents { worker_connections 4096; }\n"), [])
        // Without worker_rlimit_nofile, the limit the workers inherit: this process's.
        var current = rlimit()
        XCTAssertEqual(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &current), 0)
        guard current.rlim_cur < 1_000_000 else { return }
        let limit = Int(current.rlim_cur)
        XCTAssertEqual(findings("events { worker_connections \(limit + 1); }\n"), ["1:29 warning limit.worker-connections"])
        XCTAssertEqual(findings("events { worker_connections \(limit); }\n"), [])
    }
}
