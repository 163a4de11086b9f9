// swift-tools-version:5.10
// No package dependencies by design: only the Swift toolchain (stdlib, Foundation, Glibc, XCTest)
// and two C libraries nginx itself uses, from the system: OpenSSL 3 and zlib.
import PackageDescription

let package = Package(
    name: "webserv",
    products: [
        .library(name: "ConfLang", targets: ["ConfLang"]),
        .executable(name: "confcheck", targets: ["confcheck"]),
        .executable(name: "webserv", targets: ["webserv"]),
    ],
    targets: [
        .target(name: "ConfLang"),
        .executableTarget(name: "confcheck", dependencies: ["ConfLang", "TLSInspection"]),
        // Certificate and key files read with OpenSSL for ConfLang's checks (ConfLang links no TLS).
        .target(name: "TLSInspection", dependencies: ["ConfLang", "COpenSSL"]),
        // System headers (epoll, signalfd, sendfile) that Glibc does not import.
        .target(name: "CSystem"),
        // OpenSSL 3 (TLS) and zlib (gzip) from the system: Debian's libssl-dev and
        // zlib1g-dev, which .ci/run installs when missing.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Release builds skip the run-time exclusivity checks in webserv's own
        // code: they cost about a tenth of its instructions per request (counted
        // with bench/instructions.sh; README, Benchmarks). Debug builds, and so `swift test`, keep them.
        // Not in ConfLang: a library with unsafe flags could not be a dependency.
        .executableTarget(name: "webserv", dependencies: ["ConfLang", "CSystem", "COpenSSL", "CZlib", "TLSInspection"],
                          swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .testTarget(name: "ConfLangTests", dependencies: ["ConfLang"]),
        .testTarget(name: "ConfcheckTests", dependencies: ["confcheck", "ConfLang", "TLSInspection"]),
        .testTarget(name: "WebservTests", dependencies: ["webserv", "ConfLang"]),
    ]
)
