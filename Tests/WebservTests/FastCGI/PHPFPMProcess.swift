import Foundation
import Glibc
import XCTest

/// Debian's PHP-FPM, started by a test on a generated php-fpm.conf in a
/// temporary folder: one pool on a unix socket (one worker, so that a kept
/// connection is seen to be the same), one on 127.0.0.1:`port` (two workers),
/// both with the environment kept, in the foreground, logging into the
/// folder, as the current user (root needs `-R`).
final class PHPFPMProcess {
    let directory: String
    let socketPath: String
    let port: Int
    let process: SpawnedProcess

    /// The binary, or nil (the test is then skipped with this message).
    static var binary: String? {
        ["/usr/sbin/php-fpm8.2", "/usr/sbin/php-fpm"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static let missing = "php-fpm is not installed (apt-get install php-fpm): the PHP-FPM tests are skipped"

    /// `scripts` are written under `directory/www`.
    init(scripts: [String: String]) throws {
        guard let binary = PHPFPMProcess.binary else { throw XCTSkip(PHPFPMProcess.missing) }
        directory = NSTemporaryDirectory() + "php-fpm-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
        for (name, content) in scripts {
            try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/www/" + name))
        }
        socketPath = directory + "/php.sock"
        port = ServerProcess.freePort()
        let root = getuid() == 0
        let user = root ? "user = root\ngroup = root\n" : ""
        // Errors go to the FastCGI stderr stream (log_errors, no error_log), never into the page.
        let pool = "pm = static\nclear_env = no\n\(user)php_admin_flag[display_errors] = off\nphp_admin_flag[log_errors] = on\n"
            + "php_admin_value[upload_tmp_dir] = \(directory)\n"
        let config = """
        [global]
        pid = \(directory)/php-fpm.pid
        error_log = \(directory)/php-fpm.log
        daemonize = no
        [unix]
        listen = \(socketPath)
        pm.max_children = 1
        \(pool)
        [tcp]
        listen = 127.0.0.1:\(port)
        pm.max_children = 2
        \(pool)
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/php-fpm.conf"))
        process = try SpawnedProcess(executable: binary, arguments: ["--nodaemonize", "-y", directory + "/php-fpm.conf"] + (root ? ["-R"] : []),
                                     environment: ProcessInfo.processInfo.environment, inherited: [], errorPath: directory + "/stderr")
        // Up to 10 s for both pools to listen.
        for _ in 0..<500 {
            if FileManager.default.fileExists(atPath: socketPath), let client = try? RawClient(port: port) {
                client.close()
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: directory + "/php-fpm.log", encoding: .utf8)) ?? ""
        stop()
        throw NSError(domain: "PHPFPMProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "php-fpm did not start: \(log)"])
    }

    var wwwDirectory: String { directory + "/www" }

    /// SIGQUIT (graceful), then SIGKILL if it lingers; the folder is removed.
    func stop() {
        kill(process.processIdentifier, SIGQUIT)
        for _ in 0..<250 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
