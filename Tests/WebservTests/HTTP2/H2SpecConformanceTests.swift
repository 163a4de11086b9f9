import Foundation
import XCTest

/// h2spec's conformance cases over the wire: `Tests/HTTP2Conformance/h2spec.py`
/// (h2spec's cases ported to Python's h2 packages, case for case) against the
/// built webserv, h2c with prior knowledge on a plain `http2 on` listener, and
/// a run of the generic cases over TLS with ALPN h2. One test per h2spec
/// section: a failure names the section and lists each failing case's id,
/// what h2spec accepts and what came. The in-process conformance tests
/// (`HTTP2ConnectionConformanceTests`, `HTTP2StreamConformanceTests`) check the
/// session alone; these go through the whole server.
final class H2SpecConformanceTests: XCTestCase {
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("HTTP2Conformance/h2spec.py").path

    /// One server for the class: every case opens a connection of its own.
    private static var server: ServerProcess?

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private static let configuration = """
        error_log DIR/logs/error.log info;
        events { }
        http {
            access_log DIR/logs/access.log;
            server {
                listen 127.0.0.1:PORT0;
                http2 on;
                root DIR/www;
            }
        }
        """

    /// GET / answers this (h2spec's flow-control cases need 5 bytes of body or more).
    private static let files = ["www/index.html": "h2spec conformance: the answer to GET /\n"]

    struct CaseResult: Decodable {
        let id: String
        let description: String
        let result: String
        let expected: [String]?
        let actual: String?
        let reason: String?
    }

    private struct Report: Decodable {
        let cases: [CaseResult]
    }

    /// Runs the cases of `sections` against the plain listener and fails for each that failed.
    private func check(_ sections: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        try Self.skipWithoutH2()
        if Self.server == nil {
            Self.server = try ServerProcess(config: Self.configuration, files: Self.files)
        }
        let server = try XCTUnwrap(Self.server)
        try check(run(["--port", String(server.ports[0])] + sections), sections, file: file, line: line)
    }

    private func check(_ results: [CaseResult], _ sections: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(results.isEmpty, "no case of \(sections) ran", file: file, line: line)
        for result in results {
            switch result.result {
            case "passed":
                break
            case "skipped":
                print("h2spec \(result.id) skipped: \(result.actual ?? "")")
            case "differs":
                print("h2spec \(result.id) differs on purpose: \(result.reason ?? "")")
            default:
                XCTFail("""
                    h2spec \(result.id) \(result.description)
                        expected: \((result.expected ?? []).joined(separator: " or "))
                        actual:   \(result.actual ?? "")
                    """, file: file, line: line)
            }
        }
    }

    private func run(_ arguments: [String]) throws -> [CaseResult] {
        // Each wait for a frame is cut after 3 s (h2spec: 2): a missing answer costs that, a loaded machine no false failure.
        let output = try runCommand("/usr/bin/python3", [Self.script, "--json", "--timeout", "3"] + arguments)
        guard let start = output.output.firstIndex(of: "{") else {
            throw NSError(domain: "H2SpecConformanceTests", code: Int(output.status), userInfo: [NSLocalizedDescriptionKey: output.output])
        }
        return try JSONDecoder().decode(Report.self, from: Data(output.output[start...].utf8)).cases
    }

    /// Debian's python3 with h2 (and its hyperframe and hpack); .ci/run installs python3-h2.
    private static func skipWithoutH2() throws {
        guard (try? runCommand("/usr/bin/python3", ["-c", "import h2, hyperframe, hpack"]))?.status == 0 else {
            throw XCTSkip("/usr/bin/python3 has no h2 package (python3-h2)")
        }
    }

    // MARK: generic: the ordinary exchanges

    func testGeneric1StartingHTTP2() throws { try check("generic/1") }
    func testGeneric2StreamsAndMultiplexing() throws { try check("generic/2") }
    func testGeneric3FrameDefinitions() throws { try check("generic/3") }
    func testGeneric4HTTPMessageExchanges() throws { try check("generic/4") }
    func testGeneric5HPACK() throws { try check("generic/5") }

    // MARK: http2: RFC 9113 (h2spec's section numbers are RFC 7540's, which RFC 9113 kept for these)

    func testHTTP2Section3_5ConnectionPreface() throws { try check("http2/3.5") }
    func testHTTP2Section4_1FrameFormat() throws { try check("http2/4.1") }
    func testHTTP2Section4_2FrameSize() throws { try check("http2/4.2") }
    func testHTTP2Section4_3HeaderCompression() throws { try check("http2/4.3") }
    func testHTTP2Section5_1StreamStatesIdentifiersAndConcurrency() throws { try check("http2/5.1") }
    func testHTTP2Section5_3Priority() throws { try check("http2/5.3") }
    func testHTTP2Section5_4ErrorHandling() throws { try check("http2/5.4") }
    func testHTTP2Section5_5Extensions() throws { try check("http2/5.5") }
    func testHTTP2Section6_1Data() throws { try check("http2/6.1") }
    func testHTTP2Section6_2Headers() throws { try check("http2/6.2") }
    func testHTTP2Section6_3Priority() throws { try check("http2/6.3") }
    func testHTTP2Section6_4RSTStream() throws { try check("http2/6.4") }
    func testHTTP2Section6_5Settings() throws { try check("http2/6.5") }
    func testHTTP2Section6_7Ping() throws { try check("http2/6.7") }
    func testHTTP2Section6_8GoAway() throws { try check("http2/6.8") }
    func testHTTP2Section6_9WindowUpdateAndFlowControl() throws { try check("http2/6.9") }
    func testHTTP2Section6_10Continuation() throws { try check("http2/6.10") }
    func testHTTP2Section7ErrorCodes() throws { try check("http2/7") }
    func testHTTP2Section8_1MessagesAndHeaderFields() throws { try check("http2/8.1") }
    func testHTTP2Section8_2ServerPush() throws { try check("http2/8.2") }

    // MARK: hpack: RFC 7541

    func testHPACKSection2_3IndexAddressSpace() throws { try check("hpack/2.3") }
    func testHPACKSection4_2MaximumTableSize() throws { try check("hpack/4.2") }
    func testHPACKSection5_2StringLiterals() throws { try check("hpack/5.2") }
    func testHPACKSection6_1IndexedField() throws { try check("hpack/6.1") }
    func testHPACKSection6_3TableSizeUpdate() throws { try check("hpack/6.3") }

    // MARK: over TLS

    /// The generic cases and the preface's over TLS, h2 chosen by ALPN (the script checks it did).
    func testGenericCasesOverTLSWithALPN() throws {
        try Self.skipWithoutH2()
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try certificates.leaf("a", names: ["a.test"])
        let config = Self.configuration.replacingOccurrences(of: "listen 127.0.0.1:PORT0;", with: """
            listen 127.0.0.1:PORT0 ssl;
                    server_name a.test;
                    ssl_certificate \(certificates.path("a.pem"));
                    ssl_certificate_key \(certificates.path("a.key"));
            """)
        let server = try ServerProcess(config: config, files: Self.files)
        defer { server.stop() }
        let sections = ["generic", "http2/3.5"]
        try check(run(["--port", String(server.ports[0]), "--tls", "--cafile", certificates.path("ca.pem"), "--server-name", "a.test"] + sections),
                  sections)
    }
}
