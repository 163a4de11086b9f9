/// The Huffman code of HPACK's string literals (RFC 7541 §5.2, Appendix B).
/// Encoding writes each byte's code through a 64-bit accumulator; decoding
/// walks a table-driven automaton 4 bits at a time, as nghttp2 and nginx do,
/// rather than the code tree bit by bit.
enum Huffman {
    /// How many bytes `bytes` take Huffman-coded, padding included.
    static func encodedCount(_ bytes: [UInt8]) -> Int {
        HuffmanTable.lengths.withUnsafeBufferPointer { lengths in
            var bits = 0
            for byte in bytes { bits += Int(lengths[Int(byte)]) }
            return (bits + 7) >> 3
        }
    }

    /// Appends `bytes` Huffman-coded, padded with the most significant bits of EOS (ones).
    static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        HuffmanTable.codes.withUnsafeBufferPointer { codes in
            HuffmanTable.lengths.withUnsafeBufferPointer { lengths in
                var accumulator: UInt64 = 0
                var pending = 0
                for byte in bytes {
                    let length = Int(lengths[Int(byte)])
                    accumulator = accumulator << UInt64(length) | UInt64(codes[Int(byte)])
                    pending += length
                    while pending >= 8 {
                        pending -= 8
                        out.append(UInt8(truncatingIfNeeded: accumulator >> UInt64(pending)))
                    }
                }
                if pending > 0 {
                    let padding = 8 - pending
                    out.append(UInt8(truncatingIfNeeded: accumulator << UInt64(padding)) | UInt8(0xFF >> pending))
                }
            }
        }
    }

    /// Appends the bytes `coded` decodes to.
    static func decode(_ coded: ArraySlice<UInt8>, into out: inout [UInt8]) throws {
        try HuffmanDecodingTable.transitions.withUnsafeBufferPointer { transitions in
            var state = 0
            var accepting = true
            for byte in coded {
                // The high nibble, then the low one.
                let high = transitions[state << 4 | Int(byte >> 4)]
                if high & HuffmanDecodingTable.failure != 0 { throw HPACKError.huffmanEOS }
                if high & HuffmanDecodingTable.emits != 0 { out.append(UInt8(truncatingIfNeeded: high >> 8)) }
                let low = transitions[Int(high & 0xFF) << 4 | Int(byte & 0x0F)]
                if low & HuffmanDecodingTable.failure != 0 { throw HPACKError.huffmanEOS }
                if low & HuffmanDecodingTable.emits != 0 { out.append(UInt8(truncatingIfNeeded: low >> 8)) }
                state = Int(low & 0xFF)
                accepting = low & HuffmanDecodingTable.accepting != 0
            }
            guard accepting else { throw HPACKError.huffmanPadding }
        }
    }
}

/// The decoding automaton, built once from the code table. A state is an
/// inner node of the code tree (256 of them for 257 symbols; 0 is the root,
/// where every symbol starts). For each state and each 4-bit nibble, one
/// transition: the state reached, the symbol completed on the way if any (a
/// nibble completes at most one: the shortest code has 5 bits), whether the
/// string may end there (the bits since the last symbol are at most 7 ones,
/// a prefix of EOS) and whether the nibble runs into EOS itself.
enum HuffmanDecodingTable {
    /// Bits 0-7: the next state; 8-15: the symbol; then the flags.
    static let emits: UInt32 = 1 << 16
    static let accepting: UInt32 = 1 << 17
    static let failure: UInt32 = 1 << 18

    static let transitions: [UInt32] = build()

    private static func build() -> [UInt32] {
        // The code tree: children of inner nodes, a leaf being -(symbol + 1).
        var children: [[Int]] = [[0, 0]]
        // For each inner node, its depth when reached by ones only, else -1.
        var onesDepth: [Int] = [0]
        let eos = 256
        for symbol in 0...eos {
            let code = symbol == eos ? UInt32(0x3FFF_FFFF) : HuffmanTable.codes[symbol]
            let length = symbol == eos ? 30 : Int(HuffmanTable.lengths[symbol])
            var node = 0
            for position in stride(from: length - 1, through: 0, by: -1) {
                let bit = Int(code >> UInt32(position) & 1)
                if position == 0 {
                    children[node][bit] = -(symbol + 1)
                } else {
                    if children[node][bit] == 0 {
                        children.append([0, 0])
                        onesDepth.append(bit == 1 && onesDepth[node] >= 0 ? onesDepth[node] + 1 : -1)
                        children[node][bit] = children.count - 1
                    }
                    node = children[node][bit]
                }
            }
        }
        var transitions = [UInt32](repeating: 0, count: children.count * 16)
        for state in 0..<children.count {
            for nibble in 0..<16 {
                var node = state
                var transition: UInt32 = 0
                for position in stride(from: 3, through: 0, by: -1) {
                    let next = children[node][nibble >> position & 1]
                    if next >= 0 {
                        node = next
                        continue
                    }
                    let symbol = -next - 1
                    if symbol == eos {
                        transition |= failure
                        break
                    }
                    transition |= emits | UInt32(symbol) << 8
                    node = 0
                }
                if transition & failure == 0, (0...7).contains(onesDepth[node]) { transition |= accepting }
                transitions[state << 4 | nibble] = transition | UInt32(node)
            }
        }
        return transitions
    }
}
