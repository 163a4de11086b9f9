/// An htpasswd file as nginx reads it: `USER:HASH[:COMMENT]` lines, `#`
/// comments and empty lines skipped; the first line naming a user counts.
struct Htpasswd: Equatable {
    /// User name to hash, first line wins.
    private(set) var hashes: [String: String] = [:]

    init(_ bytes: [UInt8]) {
        for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
            var line = line[...]
            if line.last == 13 { line = line.dropLast() }
            guard let first = line.first, first != 35, let colon = line.firstIndex(of: 58) else { continue }
            let user = String(decoding: line[..<colon], as: UTF8.self)
            let rest = line[(colon + 1)...]
            // nginx ends the hash at the next ':' (a comment field may follow).
            let hash = String(decoding: rest.prefix { $0 != 58 }, as: UTF8.self)
            if hashes[user] == nil { hashes[user] = hash }
        }
    }

    func hash(for user: String) -> String? { hashes[user] }
}

/// `Authorization: Basic BASE64(USER:PASSWORD)` (RFC 7617), as nginx reads
/// it: the scheme case-insensitive, the user up to the first ':'.
enum BasicCredentials {
    static func parse(_ field: String?) -> (user: String, password: [UInt8])? {
        guard let field else { return nil }
        let bytes = Array(field.utf8)
        guard bytes.count > 6, String(decoding: bytes[0..<5], as: UTF8.self).lowercased() == "basic", bytes[5] == 32 else { return nil }
        let encoded = bytes[6...].drop { $0 == 32 }
        guard let decoded = decodeBase64(encoded), let colon = decoded.firstIndex(of: 58) else { return nil }
        return (String(decoding: decoded[..<colon], as: UTF8.self), Array(decoded[(colon + 1)...]))
    }

    /// RFC 4648 base64 with optional padding; nil on any other character.
    static func decodeBase64(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        var bits: UInt32 = 0, bitCount = 0
        var padding = 0
        for character in text {
            let value: UInt32
            switch character {
            case 65...90: value = UInt32(character - 65)
            case 97...122: value = UInt32(character - 97 + 26)
            case 48...57: value = UInt32(character - 48 + 52)
            case 43: value = 62
            case 47: value = 63
            case 61: padding += 1; continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            bits = bits << 6 | value
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
        }
        return padding <= 2 ? output : nil
    }
}
