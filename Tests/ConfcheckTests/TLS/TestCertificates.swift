import Foundation
import XCTest

/// Certificates made at test time with the `openssl` command line, in a
/// fresh directory: a root CA, an intermediate, leaves with subjectAltNames
/// signed by it for any dates (`openssl ca -startdate/-enddate`, so an
/// expired one needs no fake clock), and keys. Each call makes what it names;
/// files are named `NAME.pem` and `NAME.key`.
final class TestCertificates {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "certificates-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                     "-days", "3650", "-subj", "/CN=Test Root CA",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "intermediate.key",
                     "-out", "intermediate.csr", "-subj", "/CN=Test Intermediate CA"])
        try write("intermediate.ext", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
        try openssl(["x509", "-req", "-in", "intermediate.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
                     "-days", "1825", "-extfile", "intermediate.ext", "-out", "intermediate.pem"])
        try write("index.txt", "")
        try write("serial", "1000\n")
        try write("ca.cnf", """
            [ ca ]
            default_ca = test
            [ test ]
            database = \(directory)/index.txt
            new_certs_dir = \(directory)
            serial = \(directory)/serial
            default_md = sha256
            policy = any
            copy_extensions = copy
            unique_subject = no
            [ any ]
            commonName = supplied

            """)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func path(_ name: String) -> String { directory + "/" + name }

    /// A leaf for `names` (the first is the CN) signed by the intermediate,
    /// valid from `notBefore` to `notAfter`; `NAME.pem` is the leaf alone,
    /// `NAME.full.pem` the leaf then the intermediate.
    func leaf(_ name: String, names: [String], notBefore: Date = Date(timeIntervalSinceNow: -86_400),
              notAfter: Date = Date(timeIntervalSinceNow: 90 * 86_400)) throws {
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                     "-out", "\(name).csr", "-subj", "/CN=\(names[0])",
                     "-addext", "subjectAltName=" + names.map { "DNS:" + $0 }.joined(separator: ",")])
        try openssl(["ca", "-batch", "-config", "ca.cnf", "-cert", "intermediate.pem", "-keyfile", "intermediate.key",
                     "-in", "\(name).csr", "-out", "\(name).pem", "-notext",
                     "-startdate", Self.stamp(notBefore), "-enddate", Self.stamp(notAfter)])
        let leaf = try String(contentsOfFile: path("\(name).pem"), encoding: .utf8)
        let intermediate = try String(contentsOfFile: path("intermediate.pem"), encoding: .utf8)
        try write("\(name).full.pem", leaf + intermediate)
        chmod(path("\(name).key"), 0o600)
    }

    /// A key that belongs to no certificate.
    func strayKey(_ name: String) throws {
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(name).key"])
        chmod(path("\(name).key"), 0o600)
    }

    /// `name` in DER, as some CAs hand certificates out.
    func der(_ name: String) throws {
        try openssl(["x509", "-in", "\(name).pem", "-outform", "der", "-out", "\(name).der"])
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// `openssl ca`'s date form, UTC: YYYYMMDDHHMMSSZ.
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: date)
    }

    private func openssl(_ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { throw XCTSkip("no openssl command line") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }
}
