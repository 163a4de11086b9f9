import ConfLang
import COpenSSL
import CZlib

/// What `-v` and `-V` print (nginx prints them to standard error too).
enum BuildInfo {
    static let version = "webserv version: webserv/\(ConfLangVersion.current)\n"

    /// `-V`: the facts of this build a bug report needs.
    static var details: String {
        version + "built with Swift \(swiftVersion), \(configuration) build, for \(architecture)-linux\n"
            + "no package dependencies; system calls: epoll, signalfd, inotify, sendfile, posix_spawn\n"
            + "running with \(String(cString: OpenSSL_version(OPENSSL_VERSION)))" + ", zlib \(String(cString: zlibVersion()))\n"
    }

    private static var configuration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    private static var swiftVersion: String {
        #if compiler(>=6.3)
        return "6.3 or later"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #elseif compiler(>=6.0)
        return "6.0"
        #else
        return "5.10"
        #endif
    }

    private static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "aarch64"
        #else
        return "unknown"
        #endif
    }
}
