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
        .executableTarget(name: "webserv", dependencies: ["ConfLang"]),
        .testTarget(name: "ConfLangTests", dependencies: ["ConfLang"]),
        .testTarget(name: "ConfcheckTests", dependencies: ["confcheck", "ConfLang"]),
        .testTarget(name: "WebservTests", dependencies: ["webserv", "ConfLang"]),
    ]
)
