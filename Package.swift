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
        .executableTarget(name: "webserv", dependencies: ["ConfLang", "CSystem"]),
        .testTarget(name: "ConfLangTests", dependencies: ["ConfLang"]),
        .testTarget(name: "ConfcheckTests", dependencies: ["confcheck", "ConfLang"]),
        .testTarget(name: "WebservTests", dependencies: ["webserv", "ConfLang"]),
    ]
)
