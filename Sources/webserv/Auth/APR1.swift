/// Apache's MD5 crypt, `$apr1$SALT$HASH` (`htpasswd -m`, `openssl passwd
/// -apr1`): Poul-Henning Kamp's FreeBSD MD5 crypt with the magic `$apr1$`.
enum APR1 {
    static let magic = Array("$apr1$".utf8)

    /// The hash of `password` in `setting`'s form; nil when it is not an apr1 hash.
    static func hash(password: [UInt8], setting: String) -> String? {
        guard setting.hasPrefix("$apr1$") else { return nil }
        // At most 8 bytes of salt, up to the next `$`.
        let salt = Array(setting.dropFirst(6).prefix { $0 != "$" }.utf8.prefix(8))
        let alternate = Digest.hash(.md5, password + salt + password)
        var context = password + magic + salt
        var remaining = password.count
        while remaining > 0 {
            context += alternate.prefix(min(16, remaining))
            remaining -= 16
        }
        // The bits of the length pick a NUL byte or the password's first byte.
        var length = password.count
        while length > 0 {
            context.append(length & 1 == 1 ? 0 : (password.first ?? 0))
            length >>= 1
        }
        var current = Digest.hash(.md5, context)
        for round in 0..<1000 {
            var next: [UInt8] = round & 1 == 1 ? password : current
            if round % 3 != 0 { next += salt }
            if round % 7 != 0 { next += password }
            next += round & 1 == 1 ? current : password
            current = Digest.hash(.md5, next)
        }
        let order: [[Int]] = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5], [11]]
        return "$apr1$" + String(decoding: salt, as: UTF8.self) + "$" + CryptBase64.encode(order.map { $0.map { current[$0] } })
    }
}
