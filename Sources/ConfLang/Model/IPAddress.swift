/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed without the C
/// library so that `confcheck` checks `allow`/`deny` and `--explain --from`
/// reads a client's address exactly as webserv does. Text forms are
/// inet_pton's: dotted quads of decimal numbers, and RFC 4291's colon forms
/// (`::`, a dotted quad at the end); no zone (`%eth0`).
public struct IPAddress: Equatable, Hashable {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    public init?(_ text: some StringProtocol) {
        if let v4 = IPAddress.parseIPv4(Substring(text)) {
            bytes = v4
        } else if let v6 = IPAddress.parseIPv6(Substring(text)) {
            bytes = v6
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// `::ffff:a.b.c.d` as the IPv4 address it carries (nginx's access
    /// module checks such a client against the IPv4 rules).
    public var mappedIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// inet_pton's IPv4: exactly four decimal parts of 0...255, no leading zeros beyond one digit.
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.utf8.allSatisfy({ (48...57).contains($0) }),
                  part.count == 1 || part.first != "0", let value = UInt8(part) else { return nil }
            result.append(value)
        }
        return result
    }

    /// RFC 4291 §2.2: eight groups of up to four hex digits, one `::` for a
    /// run of zero groups, an IPv4 dotted quad in place of the last two.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawGap = false
        // Split at the one `::` (a second one, or a `:::`, is no address).
        var halves = [String(text)]
        let scalars = Array(text.utf8)
        if let gap = scalars.indices.dropLast().first(where: { scalars[$0] == 58 && scalars[$0 + 1] == 58 }) {
            halves = [String(decoding: scalars[..<gap], as: UTF8.self), String(decoding: scalars[(gap + 2)...], as: UTF8.self)]
            if halves[1].hasPrefix(":") || halves[1].contains("::") { return nil }
        }
        func groups(_ part: String, allowsIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowsIPv4, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        if halves.count == 2 {
            sawGap = true
            guard let first = groups(halves[0], allowsIPv4: false), let second = groups(halves[1], allowsIPv4: true) else { return nil }
            head = first
            tail = second
        } else {
            guard let all = groups(halves[0], allowsIPv4: true) else { return nil }
            head = all
        }
        let count = head.count + tail.count
        guard sawGap ? count <= 7 : count == 8 else { return nil }
        let words = head + Array(repeating: 0, count: 8 - count) + tail
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

/// `ADDRESS[/PREFIX]` of `allow`/`deny`: an address and how many of its
/// leading bits a client must share with it.
public struct IPNetwork: Equatable {
    public let address: IPAddress
    public let prefixLength: Int

    /// nil when the text is no network; `hadHostBits` when bits after the
    /// prefix were set (nginx warns "low address bits ... are meaningless" and clears them).
    public static func parse(_ text: String) -> (network: IPNetwork, hadHostBits: Bool)? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ (48...57).contains($0) }), parts[1].count <= 3,
                  let value = Int(parts[1]), value <= bits else { return nil }
            length = value
        }
        let masked = IPNetwork.mask(address.bytes, to: length)
        return (IPNetwork(address: IPAddress(bytes: masked), prefixLength: length), masked != address.bytes)
    }

    static func mask(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, length - index * 8))
            return kept == 8 ? byte : kept == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xff << (8 - kept))
        }
    }

    public func contains(_ client: IPAddress) -> Bool {
        client.bytes.count == address.bytes.count && IPNetwork.mask(client.bytes, to: prefixLength) == address.bytes
    }
}
