// swift-tools-version:5.10
// No package dependencies by design: only the Swift toolchain (stdlib, Foundation, Glibc, XCTest).
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
        .executableTarget(name: "confcheck", dependencies: ["ConfLang"]),
        // System headers (epoll, signalfd, sendfile) that Glibc does not import.
        .target(name: "CSystem"),
        // Release builds skip the run-time exclusivity checks in webserv's own
        // code: they cost about a tenth of its instructions per request (counted
        // with bench/instructions.sh; README, Benchmarks). Debug builds, and so `swift test`, keep them.
        // Not in ConfLang: a library with unsafe flags could not be a dependency.
        .executableTarget(name: "webserv", dependencies: ["ConfLang", "CSystem"],
                          swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .testTarget(name: "ConfLangTests", dependencies: ["ConfLang"]),
        .testTarget(name: "ConfcheckTests", dependencies: ["confcheck", "ConfLang"]),
        .testTarget(name: "WebservTests", dependencies: ["webserv", "ConfLang"]),
    ]
)
