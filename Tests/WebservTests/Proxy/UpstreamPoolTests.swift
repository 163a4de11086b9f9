@testable import webserv
import XCTest

/// The keep-alive pool's limit holds between turns: connections freed in a
/// turn stay for the requests of that turn, and the turn's end closes the
/// oldest beyond `keepalive N`.
final class UpstreamPoolTests: XCTestCase {
    func testConnectionsFreedInATurnStayUntilItsEndAndTheOldestBeyondTheLimitAreClosedThen() {
        var pool = UpstreamPool()
        pool.limits["a"] = .init(idle: 2, timeoutMilliseconds: 60_000)
        for fd in Int32(10)...14 { pool.put(fd, for: "a", now: Int(fd)) }
        XCTAssertTrue(pool.needsTrim)
        XCTAssertEqual(pool.count, 5, "nothing closed while the turn goes on")
        XCTAssertEqual(pool.take("a"), 14, "the newest first")
        XCTAssertEqual(pool.trim().sorted(), [10, 11], "the oldest beyond the limit of 2")
        XCTAssertFalse(pool.needsTrim)
        XCTAssertEqual(pool.take("a"), 13)
        XCTAssertEqual(pool.take("a"), 12)
        XCTAssertNil(pool.take("a"))
    }

    func testAKeyWithinItsLimitIsNotTrimmedAndOthersKeepTheDefault() {
        var pool = UpstreamPool()
        pool.limits["a"] = .init(idle: 3, timeoutMilliseconds: 60_000)
        for fd in Int32(1)...3 { pool.put(fd, for: "a", now: 0) }
        XCTAssertFalse(pool.needsTrim)
        for fd in Int32(20)..<Int32(21 + UpstreamPool.maxIdlePerUpstream) { pool.put(fd, for: "b", now: 0) }
        XCTAssertEqual(pool.trim(), [20], "one beyond the default limit")
        XCTAssertEqual(pool.count, 3 + UpstreamPool.maxIdlePerUpstream)
    }
}
