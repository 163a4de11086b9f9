/// SHA-256 and SHA-512 crypt (Drepper, "Unix crypt using SHA-256 and
/// SHA-512", as glibc's crypt(3) and `openssl passwd -5/-6`):
/// `$5$[rounds=N$]SALT$HASH` and `$6$...`.
enum SHACrypt {
    /// The hash of `password` in `setting`'s form; nil when it is not a `$5$` or `$6$` hash.
    static func hash(password: [UInt8], setting: String) -> String? {
        let algorithm: Digest.Algorithm
        if setting.hasPrefix("$5$") { algorithm = .sha256 } else if setting.hasPrefix("$6$") { algorithm = .sha512 } else { return nil }
        var rest = Substring(setting.dropFirst(3))
        var rounds = 5000
        var customRounds = false
        if rest.hasPrefix("rounds=") {
            let digits = rest.dropFirst(7).prefix { $0 != "$" }
            guard !digits.isEmpty, digits.count < 11, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
            rounds = min(max(value, 1000), 999_999_999)
            customRounds = true
            rest = rest.dropFirst(7 + digits.count + 1)
        }
        // At most 16 bytes of salt, up to the next `$`.
        let salt = Array(rest.prefix { $0 != "$" }.utf8.prefix(16))
        let result = digest(algorithm, password: password, salt: salt, rounds: rounds)
        let prefix = algorithm == .sha256 ? "$5$" : "$6$"
        return prefix + (customRounds ? "rounds=\(rounds)$" : "") + String(decoding: salt, as: UTF8.self) + "$"
            + encode(result, order: algorithm == .sha256 ? sha256Order : sha512Order)
    }

    static func digest(_ algorithm: Digest.Algorithm, password: [UInt8], salt: [UInt8], rounds: Int) -> [UInt8] {
        let hash = { (bytes: [UInt8]) in Digest.hash(algorithm, bytes) }
        let alternate = hash(password + salt + password)
        let size = alternate.count
        var a = password + salt
        var remaining = password.count
        while remaining > size { a += alternate; remaining -= size }
        a += alternate.prefix(remaining)
        var length = password.count
        while length > 0 {
            a += length & 1 == 1 ? alternate : password
            length >>= 1
        }
        var current = hash(a)
        let passwordDigest = hash(Array([[UInt8]](repeating: password, count: password.count).joined()))
        let p = repeated(passwordDigest, to: password.count)
        let saltDigest = hash(Array([[UInt8]](repeating: salt, count: 16 + Int(current[0])).joined()))
        let s = repeated(saltDigest, to: salt.count)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(size * 2 + p.count * 2 + s.count)
        for round in 0..<rounds {
            buffer.removeAll(keepingCapacity: true)
            buffer += round & 1 == 1 ? p : current
            if round % 3 != 0 { buffer += s }
            if round % 7 != 0 { buffer += p }
            buffer += round & 1 == 1 ? current : p
            current = hash(buffer)
        }
        return current
    }

    private static func repeated(_ bytes: [UInt8], to count: Int) -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count { result += bytes.prefix(count - result.count) }
        return result
    }

    /// The digest's bytes in the order the scheme writes them, three at a time
    /// (the last group shorter), as glibc's b64_from_24bit calls.
    static let sha512Order: [[Int]] = [
        [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7],
        [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57],
        [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41], [63],
    ]
    static let sha256Order: [[Int]] = [
        [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17],
        [18, 28, 8], [9, 19, 29], [31, 30],
    ]

    /// crypt's base64 (`./0-9A-Za-z`), least significant six bits first.
    static func encode(_ digest: [UInt8], order: [[Int]]) -> String {
        CryptBase64.encode(order.map { group in group.map { digest[$0] } })
    }
}

/// The base64 of crypt(3)'s hashes: `./0-9A-Za-z`, each group of up to three
/// bytes read as one number (the first byte the most significant) and written
/// six bits at a time from the least significant: 4 characters for 3 bytes,
/// 3 for 2, 2 for 1.
enum CryptBase64 {
    static let alphabet = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    static func encode(_ groups: [[UInt8]]) -> String {
        var output: [UInt8] = []
        for group in groups {
            var value: UInt32 = 0
            for byte in group { value = value << 8 | UInt32(byte) }
            for _ in 0...group.count {
                output.append(alphabet[Int(value & 0x3f)])
                value >>= 6
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
