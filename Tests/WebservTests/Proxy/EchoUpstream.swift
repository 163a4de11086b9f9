import Foundation

/// Tests/Fixtures/proxy/upstream.py on a free port (it binds port 0 and
/// says which it got, so no other process can take it in between): the
/// upstream the proxy tests talk to (it echoes requests; see the script for
/// its special paths).
final class EchoUpstream {
    private let fixture: FixtureServer
    var port: Int { fixture.port }

    /// `idleSeconds`: how long the upstream keeps an idle connection open.
    init(idleSeconds: Double = 5) throws {
        fixture = try FixtureServer(script: "upstream.py", arguments: [String(idleSeconds)])
    }

    func stop() { fixture.stop() }
}
