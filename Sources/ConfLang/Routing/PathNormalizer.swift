/// Turns a request path into the one the server looks up: percent-decoded
/// once, `.` and `..` resolved, `//` collapsed. nil means 400: a bad escape, a
/// NUL, or a path that would climb above `/`. In ConfLang so that
/// `confcheck --explain` routes the path webserv routes.
public enum PathNormalizer {
    public static func normalize(_ rawPath: String) -> String? {
        isAlreadyNormal(rawPath) ? rawPath : resolve(rawPath)
    }

    /// The full work: decode, then resolve segments.
    public static func resolve(_ rawPath: String) -> String? {
        guard let decoded = percentDecode(rawPath) else { return nil }
        guard decoded.first == UInt8(ascii: "/"), !decoded.contains(0) else { return nil }
        var segments: [ArraySlice<UInt8>] = []
        var endsWithSlash = false
        for part in decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            endsWithSlash = false
            if part.isEmpty || part.elementsEqual([UInt8(ascii: ".")]) {
                endsWithSlash = true
            } else if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard !segments.isEmpty else { return nil }
                segments.removeLast()
                endsWithSlash = true
            } else {
                segments.append(part)
            }
        }
        var result: [UInt8] = []
        for segment in segments {
            result.append(UInt8(ascii: "/"))
            result.append(contentsOf: segment)
        }
        if result.isEmpty || endsWithSlash { result.append(UInt8(ascii: "/")) }
        return String(decoding: result, as: UTF8.self)
    }

    /// The common case, checked without copying: starts with `/`, no escape,
    /// no `//`, and no segment that starts with `.` (so no `.` or `..`).
    public static func isAlreadyNormal(_ path: String) -> Bool {
        // Over the contiguous bytes (a native string's): this runs for every request.
        path.utf8.withContiguousStorageIfAvailable(isAlreadyNormal) ?? isAlreadyNormal(Array(path.utf8))
    }

    private static func isAlreadyNormal<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "%") || byte == 0 { return false }
            if previous == UInt8(ascii: "/") && (byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".")) { return false }
            previous = byte
        }
        return true
    }

    public static func percentDecode(_ text: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { result.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            result.append(high << 4 | low)
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
