import Glibc
import CSystem

/// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    static func format(_ time: Int) -> String {
        formatted(time, "%a, %d %b %Y %H:%M:%S GMT")
    }

    /// strftime(3) of a Unix time, in UTC or in local time; the one place
    /// times become text (HTTP dates, listings, logs).
    static func formatted(_ time: Int, _ pattern: String, localTime: Bool = false) -> String {
        var seconds = time_t(time)
        var parts = tm()
        if localTime { localtime_r(&seconds, &parts) } else { gmtime_r(&seconds, &parts) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Accepts IMF-fixdate and the two obsolete forms recipients must accept
    /// (RFC 850 and asctime); nil for anything else.
    static func parse(_ text: String) -> Int? {
        for pattern in ["%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"] {
            var parts = tm()
            let end = text.withCString { strptime($0, pattern, &parts) }
            if let end, end.pointee == 0 { return Int(timegm(&parts)) }
        }
        return nil
    }
}
