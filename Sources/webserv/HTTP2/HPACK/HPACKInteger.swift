/// Integers with an N-bit prefix (RFC 7541 §5.1): a value below 2^N - 1 fits
/// in the prefix; a larger one fills it and continues 7 bits a byte, least
/// significant first.
enum HPACKInteger {
    /// The largest value decoded: nothing in HTTP/2 needs more, and a bound
    /// here keeps every length and index that follows far from overflow.
    static let maximum = Int(Int32.max)

    /// Appends `value` (not negative) with a `prefixBits`-bit prefix; `flags`
    /// are the first byte's bits above the prefix (the representation's pattern).
    static func append(_ value: Int, prefixBits: Int, flags: UInt8, into out: inout [UInt8]) {
        let limit = (1 << prefixBits) - 1
        if value < limit {
            out.append(flags | UInt8(truncatingIfNeeded: value))
            return
        }
        out.append(flags | UInt8(truncatingIfNeeded: limit))
        var rest = value - limit
        while rest >= 128 {
            out.append(UInt8(truncatingIfNeeded: rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: rest))
    }

    /// Reads an integer whose prefix is the low `prefixBits` bits of
    /// `bytes[index]`; `index` moves past it.
    static func read(_ bytes: ArraySlice<UInt8>, at index: inout Int, prefixBits: Int) throws -> Int {
        guard index < bytes.endIndex else { throw HPACKError.truncated }
        let limit = (1 << prefixBits) - 1
        var value = Int(bytes[index]) & limit
        index += 1
        if value < limit { return value }
        var shift = 0
        while true {
            guard index < bytes.endIndex else { throw HPACKError.truncated }
            let byte = bytes[index]
            index += 1
            // 31 bits take at most five continuation bytes (shifts 0 to 28).
            guard shift <= 28 else { throw HPACKError.integerOverflow }
            value += Int(byte & 0x7F) << shift
            guard value <= maximum else { throw HPACKError.integerOverflow }
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }
}
