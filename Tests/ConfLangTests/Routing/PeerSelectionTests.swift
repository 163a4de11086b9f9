import XCTest
@testable import ConfLang

/// How a server of an upstream group is chosen, without sockets: nginx's
/// algorithms fed a clock and outcomes.
final class PeerSelectionTests: XCTestCase {
    private func group(_ servers: [(String, Int)], _ balancing: UpstreamGroup.Balancing = .roundRobin,
                       edit: (inout UpstreamGroup.Server, Int) -> Void = { _, _ in }) -> UpstreamGroup {
        var group = UpstreamGroup(name: "app")
        group.balancing = balancing
        for (index, (host, weight)) in servers.enumerated() {
            var server = UpstreamGroup.Server(host: host, port: 80)
            server.weight = weight
            edit(&server, index)
            group.servers.append(server)
        }
        return group
    }

    /// One request that succeeds; returns the server's index.
    private func pick(_ selection: inout PeerSelection, address: [UInt8] = [10, 0, 0, 1], key: String = "", now: Int = 0) -> Int? {
        var attempt = PeerSelection.Attempt()
        let peer = selection.select(&attempt, clientAddress: address, key: Array(key.utf8), now: now)
        if let peer { selection.finished(peer, failed: false, now: now) }
        return peer
    }

    /// nginx's smooth weighted round-robin: 5, 1, 1 gives a a b a c a a.
    func testSmoothWeightedRoundRobin() {
        var selection = PeerSelection(group([("a", 5), ("b", 1), ("c", 1)]))
        let order = (0..<14).compactMap { _ in pick(&selection) }
        XCTAssertEqual(order, [0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0])
    }

    func testWeightsOverManyRequests() {
        var selection = PeerSelection(group([("a", 3), ("b", 2), ("c", 1)]))
        var counts = [0, 0, 0]
        for _ in 0..<600 { if let peer = pick(&selection) { counts[peer] += 1 } }
        XCTAssertEqual(counts, [300, 200, 100])
    }

    func testDownIsNeverChosenAndBackupOnlyWhenPrimariesAreOut() {
        var selection = PeerSelection(group([("a", 1), ("b", 1), ("c", 1)]) { server, index in
            server.down = index == 1
            server.backup = index == 2
        })
        XCTAssertEqual((0..<4).compactMap { _ in pick(&selection) }, [0, 0, 0, 0])
        // a fails once (max_fails 1): it sits out, and the backup takes its place.
        var attempt = PeerSelection.Attempt()
        XCTAssertEqual(selection.select(&attempt, clientAddress: [], key: [], now: 1_000), 0)
        selection.finished(0, failed: true, now: 1_000)
        XCTAssertEqual(selection.select(&attempt, clientAddress: [], key: [], now: 1_000), 2, "the next upstream: the backup")
        selection.finished(2, failed: false, now: 1_000)
        XCTAssertEqual(pick(&selection, now: 5_000), 2, "a is out for fail_timeout (10s)")
        XCTAssertEqual(pick(&selection, now: 11_001), 0, "back after fail_timeout")
    }

    /// max_fails failures within fail_timeout take a server out; fewer do not.
    func testMaxFailsAndFailTimeout() {
        var selection = PeerSelection(group([("a", 1), ("b", 1)]) { server, _ in
            server.maxFails = 2
            server.failTimeoutMilliseconds = 5_000
        })
        var attempt = PeerSelection.Attempt()
        XCTAssertEqual(selection.select(&attempt, clientAddress: [], key: [], now: 0), 0)
        selection.finished(0, failed: true, now: 0)
        XCTAssertFalse(selection.unavailable(0, now: 0), "one failure of two")
        attempt = PeerSelection.Attempt()
        XCTAssertEqual(selection.select(&attempt, clientAddress: [], key: [], now: 100), 1)
        selection.finished(1, failed: false, now: 100)
        attempt = PeerSelection.Attempt()
        XCTAssertEqual(selection.select(&attempt, clientAddress: [], key: [], now: 200), 0)
        selection.finished(0, failed: true, now: 200)
        XCTAssertTrue(selection.justDisabled(0))
        XCTAssertTrue(selection.unavailable(0, now: 5_200))
        XCTAssertEqual((0..<3).compactMap { _ in pick(&selection, now: 3_000) }, [1, 1, 1])
        XCTAssertFalse(selection.unavailable(0, now: 5_201))
    }

    /// Every server out: none (nginx's "no live upstreams", a 502).
    func testAllUnavailableGivesNone() {
        var selection = PeerSelection(group([("a", 1), ("b", 1)]))
        var attempt = PeerSelection.Attempt()
        for _ in 0..<2 {
            guard let peer = selection.select(&attempt, clientAddress: [], key: [], now: 0) else { return XCTFail("a server") }
            selection.finished(peer, failed: true, now: 0)
        }
        XCTAssertNil(selection.select(&attempt, clientAddress: [], key: [], now: 0), "each tried")
        attempt = PeerSelection.Attempt()
        XCTAssertNil(selection.select(&attempt, clientAddress: [], key: [], now: 1), "each out for fail_timeout")
    }

    /// One server alone: nginx never counts its failures.
    func testASingleServerIsAlwaysTried() {
        var selection = PeerSelection(group([("a", 1)]))
        var attempt = PeerSelection.Attempt()
        XCTAssertEqual(selection.select(&attempt, clientAddress: [], key: [], now: 0), 0)
        selection.finished(0, failed: true, now: 0)
        XCTAssertEqual(pick(&selection, now: 1), 0)
    }

    func testLeastConnectionsPrefersTheIdleServer() {
        var selection = PeerSelection(group([("a", 1), ("b", 1), ("c", 2)], .leastConnections))
        var attempts = [PeerSelection.Attempt](repeating: .init(), count: 4)
        let busy = (0..<4).compactMap { selection.select(&attempts[$0], clientAddress: [], key: [], now: 0) }
        // c has twice the weight: it takes two of the four open requests.
        XCTAssertEqual(busy.filter { $0 == 2 }.count, 2)
        XCTAssertEqual(Set(busy), [0, 1, 2])
        selection.finished(busy.firstIndex(of: 0).map { busy[$0] } ?? 0, failed: false, now: 0)
        var next = PeerSelection.Attempt()
        XCTAssertEqual(selection.select(&next, clientAddress: [], key: [], now: 0), 0, "a has no request left")
    }

    /// ip_hash: one client network, one server; IPv4 by its first three octets.
    func testIPHashSticks() {
        var selection = PeerSelection(group([("a", 1), ("b", 1), ("c", 1)], .ipHash))
        var seen = Set<Int>()
        for last in [1, 2, 200] as [UInt8] {
            let first = pick(&selection, address: [192, 168, 7, last])
            XCTAssertNotNil(first)
            for _ in 0..<5 { XCTAssertEqual(pick(&selection, address: [192, 168, 7, last]), first) }
            seen.insert(first ?? -1)
        }
        XCTAssertEqual(seen.count, 1, "one /24, one server")
        let spread = Set((0..<64).compactMap { pick(&selection, address: [10, UInt8($0), 3, 4]) })
        XCTAssertEqual(spread, [0, 1, 2], "different networks over every server")
    }

    /// nginx's numbers: for 192.168.7.x, hash = ((89*113+192)%6271*113+168)%6271*113+7)%6271.
    func testIPHashIsNginxs() {
        var hash = 89
        for byte in [192, 168, 7] { hash = (hash * 113 + byte) % 6271 }
        var selection = PeerSelection(group([("a", 1), ("b", 1), ("c", 1)], .ipHash))
        XCTAssertEqual(pick(&selection, address: [192, 168, 7, 9]), hash % 3)
    }

    func testHashSticksAndFollowsTheKey() {
        var selection = PeerSelection(group([("a", 1), ("b", 1), ("c", 1)], .hash(key: "$request_uri", consistent: false)))
        for uri in ["/a", "/b?x=1", "/c/d"] {
            let first = pick(&selection, key: uri)
            for _ in 0..<5 { XCTAssertEqual(pick(&selection, key: uri), first) }
            // nginx: (crc32(KEY) >> 16) & 0x7fff over the total weight.
            XCTAssertEqual(first, Int((PeerSelection.crc32(Array(uri.utf8)) >> 16) & 0x7fff) % 3)
        }
        XCTAssertEqual(Set((0..<64).compactMap { pick(&selection, key: "/page/\($0)") }), [0, 1, 2])
    }

    /// The ring moves few keys when a server leaves: only those that were on it.
    func testConsistentHashMovesOnlyTheLeavingServersKeys() {
        let three = group([("10.0.0.1", 1), ("10.0.0.2", 1), ("10.0.0.3", 1)], .hash(key: "$request_uri", consistent: true))
        var selection = PeerSelection(three)
        let keys = (0..<300).map { "/item/\($0)" }
        let before = keys.map { pick(&selection, key: $0) }
        XCTAssertEqual(Set(before.compactMap { $0 }), [0, 1, 2])
        var withoutThird = three
        withoutThird.servers[2].down = true
        var after = PeerSelection(withoutThird)
        for (key, earlier) in zip(keys, before) {
            let now = pick(&after, key: key)
            if earlier != 2 { XCTAssertEqual(now, earlier, key) } else { XCTAssertNotEqual(now, 2, key) }
        }
    }
}
