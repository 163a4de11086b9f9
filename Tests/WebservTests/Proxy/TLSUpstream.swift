import Foundation

/// Tests/Fixtures/proxy/tls_upstream.py on a free port: an HTTPS upstream
/// (Python's `ssl`) whose answers say which server name it was sent, which
/// of its connections answered, and whether the handshake resumed a session;
/// `garbage`: one that answers a ClientHello with plain text.
final class TLSUpstream {
    private let fixture: FixtureServer
    var port: Int { fixture.port }

    /// `mode`: tls, garbage, silent (never answers), or client (requires a client certificate `clientCA` issued).
    init(certificate: String, key: String, mode: String = "tls", clientCA: String? = nil) throws {
        fixture = try FixtureServer(script: "tls_upstream.py", arguments: [certificate, key, mode] + (clientCA.map { [$0] } ?? []))
    }

    func stop() { fixture.stop() }
}
