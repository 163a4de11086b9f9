import Glibc

enum Clock {
    /// Milliseconds on a clock that never jumps (for timeouts).
    static func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }

    static func wallSeconds() -> Int { Int(time(nil)) }
}
