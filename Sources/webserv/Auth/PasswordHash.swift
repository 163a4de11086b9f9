/// Checks a password against one hash of an htpasswd file, by the hash's
/// scheme: bcrypt (`$2y$`, `$2b$`, `$2a$`), SHA-512/256 crypt (`$6$`, `$5$`),
/// apr1 (`$apr1$`) and `{SHA}`. nginx hands the same schemes to crypt(3),
/// `{SHA}` and `$apr1$` to its own code; crypt(3)'s DES, glibc's plain MD5
/// crypt (`$1$`) and `{PLAIN}` are refused here (`unsupported`).
enum PasswordHash {
    enum Scheme: Equatable {
        case bcrypt, sha512Crypt, sha256Crypt, apr1, sha1
        /// What the hash looks like, for the error log; never matches.
        case unsupported(String)
    }

    static func scheme(of hash: String) -> Scheme {
        if hash.hasPrefix("$2y$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") { return .bcrypt }
        if hash.hasPrefix("$6$") { return .sha512Crypt }
        if hash.hasPrefix("$5$") { return .sha256Crypt }
        if hash.hasPrefix("$apr1$") { return .apr1 }
        if hash.hasPrefix("{SHA}") { return .sha1 }
        if hash.hasPrefix("$1$") { return .unsupported("MD5 crypt ($1$); use htpasswd -B (bcrypt) or openssl passwd -6") }
        if hash.hasPrefix("{PLAIN}") { return .unsupported("a plain-text password ({PLAIN})") }
        if hash.count == 13 { return .unsupported("crypt(3) DES (eight characters of the password at most)") }
        return .unsupported("an unknown hash scheme")
    }

    /// Whether `password` hashes to `hash`; the comparison takes the same time
    /// wherever the two differ.
    static func verify(password: [UInt8], hash: String) -> Bool {
        let computed: String?
        switch scheme(of: hash) {
        case .bcrypt: computed = Bcrypt.hash(password: password, setting: hash)
        case .sha512Crypt, .sha256Crypt: computed = SHACrypt.hash(password: password, setting: hash)
        case .apr1: computed = APR1.hash(password: password, setting: hash)
        case .sha1: computed = "{SHA}" + base64(Digest.hash(.sha1, password))
        case .unsupported: return false
        }
        guard let computed else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
    }

    /// Compares every byte of the longer input, whatever the first difference.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count) | (left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0, b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }

    /// RFC 4648 base64, with padding (`{SHA}`'s form).
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << UInt32(16 - offset * 8) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int(value >> UInt32(18 - position * 6) & 0x3f)] : 61)
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
