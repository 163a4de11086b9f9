import XCTest
@testable import ConfLang

/// Seeded random and mutated inputs: the front end never crashes or hangs,
/// and every diagnostic points inside its file.
final class RobustnessTests: XCTestCase {
    private struct Xorshift {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
    }

    private func check(_ bytes: [UInt8], _ label: String) {
        let config = ConfigLoader().load(path: "/nonexistent-dir/fuzz.conf", bytes: bytes)
        for diagnostic in config.diagnostics + SemanticChecker(baseDirectory: "/nonexistent-dir").check(config) {
            let range = diagnostic.range
            XCTAssertTrue(0 <= range.start && range.start <= range.end && range.end <= range.file.bytes.count, label)
            XCTAssertGreaterThanOrEqual(diagnostic.location.line, 1, label)
            XCTAssertGreaterThanOrEqual(diagnostic.location.column, 1, label)
        }
        if !config.diagnostics.hasErrors {
            _ = Formatter.format(config.main)
        }
    }

    func testRandomBytesFromTheLanguagesAlphabet() {
        let alphabet = Array("{};\"'#\\$ \n\t\rab/=^~*.é€".utf8) + [0xF6, 0x00]
        var random = Xorshift(state: 0x9E3779B97F4A7C15)
        for round in 0..<4000 {
            let count = random.below(80)
            let bytes = (0..<count).map { _ in alphabet[random.below(alphabet.count)] }
            check(bytes, "random round \(round)")
        }
    }

    func testMutatedFixtures() throws {
        let names = ["016-crossplane-messy/nginx.conf", "017-crossplane-comments-between-args/nginx.conf",
                     "020-crossplane-quoted-right-brace/nginx.conf", "030-nginx-upstream-nginx-conf/nginx.conf"]
        var random = Xorshift(state: 42)
        for name in names {
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: fixturePath("nginx-real/" + name))))
            for round in 0..<300 {
                var bytes = original
                for _ in 0..<(1 + random.below(4)) {
                    let start = random.below(bytes.count)
                    let length = min(random.below(12), bytes.count - start)
                    switch random.below(3) {
                    case 0: bytes.removeSubrange(start..<(start + length))
                    case 1: bytes.insert(contentsOf: bytes[start..<(start + length)], at: random.below(bytes.count))
                    default: bytes.insert(Array("{};\"'#\\".utf8)[random.below(7)], at: start)
                    }
                }
                check(bytes, "\(name) round \(round)")
            }
        }
    }
}
