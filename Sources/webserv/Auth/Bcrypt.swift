/// bcrypt (Provos and Mazières, 1999; OpenBSD's `bcrypt.c`): `$2b$COST$`
/// then 22 characters of salt and 31 of hash in bcrypt's own base64. `$2a$`
/// and `$2y$` (PHP's name for `$2b$`) are computed the same way here: they
/// differ only for passwords of 256 bytes or more, beyond the 72 bcrypt reads.
/// Written here, not taken from a library: OpenSSL has no bcrypt.
enum Bcrypt {
    /// The hash of `password` in `setting`'s form (its prefix, cost and
    /// salt); nil when `setting` is not a bcrypt hash.
    static func hash(password: [UInt8], setting: String) -> String? {
        let text = Array(setting.utf8)
        // $2?$NN$ + 22 salt characters at least.
        guard text.count >= 29, text[0] == 36, text[1] == 50, [97, 98, 121].contains(text[2]), text[3] == 36,
              text[6] == 36, let tens = digit(text[4]), let ones = digit(text[5]) else { return nil }
        let cost = tens * 10 + ones
        guard (4...31).contains(cost), let salt = BcryptBase64.decode(text[7..<29], count: 16) else { return nil }
        let digest = raw(password: password, salt: salt, cost: cost)
        return String(decoding: text[0..<7], as: UTF8.self) + BcryptBase64.encode(salt) + BcryptBase64.encode(Array(digest.prefix(23)))
    }

    private static func digit(_ byte: UInt8) -> Int? { (48...57).contains(byte) ? Int(byte - 48) : nil }

    /// The 24 bytes of "OrpheanBeholderScryDoubt" encrypted 64 times under
    /// the expensive key schedule.
    static func raw(password: [UInt8], salt: [UInt8], cost: Int) -> [UInt8] {
        // The key is the password and its terminating NUL, at most 72 bytes.
        let key = Array((password + [0]).prefix(72))
        var cipher = Blowfish()
        cipher.expensiveKeySchedule(key: key, salt: salt, cost: cost)
        var words: [UInt32] = [0x4F72_7068, 0x6561_6E42, 0x6568_6F6C, 0x6465_7253, 0x6372_7944, 0x6F75_6274]
        for _ in 0..<64 {
            for index in stride(from: 0, to: 6, by: 2) {
                (words[index], words[index + 1]) = cipher.encrypt(words[index], words[index + 1])
            }
        }
        return words.flatMap { word in [UInt8(word >> 24), UInt8(word >> 16 & 0xff), UInt8(word >> 8 & 0xff), UInt8(word & 0xff)] }
    }
}

/// Blowfish's state and cipher, with eksblowfish's key schedule. The
/// state lives in one buffer: bcrypt's cost is millions of lookups into it,
/// and an array's checks would multiply that in a debug build.
struct Blowfish {
    private var state: [UInt32] = BlowfishConstants.initialState

    /// Encrypts one 64-bit block given as two big-endian words.
    func encrypt(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        state.withUnsafeBufferPointer { Blowfish.encrypt(left, right, in: $0) }
    }

    @inline(__always)
    private static func encrypt(_ left: UInt32, _ right: UInt32, in state: UnsafeBufferPointer<UInt32>) -> (UInt32, UInt32) {
        var left = left, right = right
        for round in 0..<16 {
            left ^= state[round]
            // F: the four S-boxes follow the 18 words of the P-array.
            let f = ((state[18 + Int(left >> 24)] &+ state[18 + 256 + Int(left >> 16 & 0xff)])
                     ^ state[18 + 512 + Int(left >> 8 & 0xff)]) &+ state[18 + 768 + Int(left & 0xff)]
            right ^= f
            swap(&left, &right)
        }
        swap(&left, &right)
        return (left ^ state[17], right ^ state[16])
    }

    /// eksblowfish: the key and salt mixed in, then 2^cost rounds of the key and the salt alone.
    mutating func expensiveKeySchedule(key: [UInt8], salt: [UInt8], cost: Int) {
        state.withUnsafeMutableBufferPointer { state in
            Blowfish.expand(state, key: key, salt: salt)
            for _ in 0..<(1 << cost) {
                Blowfish.expand(state, key: key, salt: nil)
                Blowfish.expand(state, key: salt, salt: nil)
            }
        }
    }

    /// Blowfish's key expansion: the key XORed over the P-array, then every
    /// subkey replaced by the encryption of the previous block, with the
    /// salt (when there is one) XORed into each block first.
    private static func expand(_ state: UnsafeMutableBufferPointer<UInt32>, key: [UInt8], salt: [UInt8]?) {
        var keyPosition = 0
        for index in 0..<18 { state[index] ^= streamWord(key, &keyPosition) }
        var left: UInt32 = 0, right: UInt32 = 0
        var saltPosition = 0
        for index in stride(from: 0, to: state.count, by: 2) {
            if let salt {
                left ^= streamWord(salt, &saltPosition)
                right ^= streamWord(salt, &saltPosition)
            }
            (left, right) = encrypt(left, right, in: UnsafeBufferPointer(state))
            state[index] = left
            state[index + 1] = right
        }
    }

    /// The next four bytes of `data` as a big-endian word, `data` read cyclically.
    @inline(__always)
    private static func streamWord(_ data: [UInt8], _ position: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            word = word << 8 | UInt32(data[position])
            position = position + 1 == data.count ? 0 : position + 1
        }
        return word
    }
}

/// bcrypt's base64: its own alphabet, no padding.
enum BcryptBase64 {
    static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let first = bytes[index]
            output.append(alphabet[Int(first >> 2)])
            var carry = (first & 0x03) << 4
            guard index + 1 < bytes.count else { output.append(alphabet[Int(carry)]); break }
            let second = bytes[index + 1]
            output.append(alphabet[Int(carry | second >> 4)])
            carry = (second & 0x0f) << 2
            guard index + 2 < bytes.count else { output.append(alphabet[Int(carry)]); break }
            let third = bytes[index + 2]
            output.append(alphabet[Int(carry | third >> 6)])
            output.append(alphabet[Int(third & 0x3f)])
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The first `count` bytes that `text` encodes; nil for a character outside the alphabet.
    static func decode(_ text: ArraySlice<UInt8>, count: Int) -> [UInt8]? {
        var bits: UInt32 = 0, bitCount = 0
        var output: [UInt8] = []
        for character in text {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            bits = bits << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
            if output.count == count { return output }
        }
        return output.count == count ? output : nil
    }
}
