import XCTest
@testable import webserv

/// The keep-alive pool's key: a TLS connection is kept for requests that
/// would have made it alike (name, settings), under its server's limits.
final class UpstreamPoolKeyTests: XCTestCase {
    func testATLSKeyNamesTheServerTheNameAndTheSettings() {
        XCTAssertEqual(UpstreamTransport.poolKey("127.0.0.1:8443", tlsName: nil, settings: nil), "127.0.0.1:8443")
        let a = UpstreamTransport.poolKey("127.0.0.1:8443", tlsName: "a.test", settings: "verify|x")
        let b = UpstreamTransport.poolKey("127.0.0.1:8443", tlsName: "b.test", settings: "verify|x")
        let c = UpstreamTransport.poolKey("127.0.0.1:8443", tlsName: "a.test", settings: "noverify|x")
        XCTAssertEqual(Set([a, b, c, "127.0.0.1:8443"]).count, 4)
        XCTAssertEqual(UpstreamPool.address(ofKey: a), "127.0.0.1:8443")
    }

    func testAGroupsKeepaliveLimitHoldsForItsTLSConnections() {
        var pool = UpstreamPool()
        pool.limits["127.0.0.1:8443"] = .init(idle: 1, timeoutMilliseconds: 5_000)
        let key = UpstreamTransport.poolKey("127.0.0.1:8443", tlsName: "a.test", settings: "s")
        pool.put(10, for: key, now: 0)
        pool.put(11, for: key, now: 0)
        XCTAssertEqual(pool.trim(), [10], "keepalive 1: the older one goes at the turn's end")
        XCTAssertNil(pool.take("127.0.0.1:8443"), "a plain request never takes a TLS connection")
        XCTAssertEqual(pool.expire(now: 5_000), [11], "the group's keepalive_timeout")
    }
}
