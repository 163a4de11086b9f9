import XCTest
@testable import webserv

/// Bytes written as the RFC writes them: hexadecimal, spaces ignored.
func hpackBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") })
    return stride(from: 0, to: digits.count - 1, by: 2).map { offset in
        UInt8(String(decoding: digits[offset...offset + 1], as: UTF8.self), radix: 16) ?? 0
    }
}

/// The error `body` throws, as an HPACKError (nil: it threw none, or another kind).
func hpackError(_ body: () throws -> Void) -> HPACKError? {
    do {
        try body()
        return nil
    } catch {
        return error as? HPACKError
    }
}

/// A seeded generator (SplitMix64), so a random test fails the same way every run.
struct HPACKTestRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
