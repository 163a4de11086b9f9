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

extension Clock {
    /// Milliseconds since the epoch, for `$msec`.
    static func wallMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }
}
