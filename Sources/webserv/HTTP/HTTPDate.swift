import Glibc
import CSystem

/// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    static func format(_ time: Int) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
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
