/// Encodes the header blocks we send on one connection, in the order they
/// go out (they share the dynamic table with the peer's decoder).
///
/// Choices, per field: a full match in the static or the dynamic table is an
/// index; otherwise a literal naming the matched name by index. A literal is
/// added to the dynamic table when the field is worth it: not a value that
/// changes with every answer (date, last-modified, etag, content-length...),
/// not a sensitive one (set-cookie, cookie, authorization and
/// proxy-authorization are never indexed, §7.1.3), not larger than half the
/// table. Strings are Huffman-coded unless that is longer (as the RFC's
/// examples: C.6.2's "307" takes three bytes either way).
struct HPACKEncoder {
    /// How the encoder chooses. The default is the server's; the RFC's
    /// examples (Appendix C) index every field and C.3/C.5 code no string
    /// with Huffman, which tests ask for to compare bytes.
    struct Choices {
        var indexesEveryField = false
        var usesHuffman = true
    }

    var choices = Choices()
    private(set) var table: HPACKDynamicTable
    /// The most table we use, whatever the peer allows.
    private let tableLimit: Int
    /// The smallest table size since the last block, when it changed: the
    /// next block starts with it, then the final size (§4.2).
    private var smallestUnsignalledSize: Int?

    /// The peer's decoder starts with a 4,096-byte table (RFC 9113 §6.5.2);
    /// a smaller `maxTableSize` is signalled at the first block's start.
    init(maxTableSize: Int = 4096) {
        tableLimit = max(0, maxTableSize)
        table = HPACKDynamicTable(maxSize: 4096)
        setMaxTableSize(4096)
    }

    /// The peer's SETTINGS_HEADER_TABLE_SIZE. The table shrinks at once (the
    /// peer's decoder evicts the same entries when it reads the update at the
    /// next block's start).
    mutating func setMaxTableSize(_ n: Int) {
        let newSize = min(tableLimit, max(0, n))
        guard newSize != table.maxSize else { return }
        smallestUnsignalledSize = min(smallestUnsignalledSize ?? newSize, newSize)
        table.setMaxSize(newSize)
    }

    mutating func encode(_ fields: [HPACKHeaderField], into out: inout [UInt8]) {
        if let smallest = smallestUnsignalledSize {
            if smallest < table.maxSize { HPACKInteger.append(smallest, prefixBits: 5, flags: 0x20, into: &out) }
            HPACKInteger.append(table.maxSize, prefixBits: 5, flags: 0x20, into: &out)
            smallestUnsignalledSize = nil
        }
        for field in fields { encode(field, into: &out) }
    }

    private mutating func encode(_ field: HPACKHeaderField, into out: inout [UInt8]) {
        let staticName = HPACKStaticTable.lookUp(name: field.name)
        let sensitive = field.neverIndexed || (!choices.indexesEveryField && Self.isSensitive(staticName?.first))
        if !sensitive {
            if let group = staticName {
                for index in group.first..<group.first + group.count
                where HPACKStaticTable.fields[index - 1].value == field.value {
                    HPACKInteger.append(index, prefixBits: 7, flags: 0x80, into: &out)
                    return
                }
            }
        }
        let dynamic: (full: Int?, name: Int?) = sensitive ? (nil, nil) : table.match(field)
        if let full = dynamic.full {
            HPACKInteger.append(HPACKStaticTable.count + 1 + full, prefixBits: 7, flags: 0x80, into: &out)
            return
        }
        // The static table's name first: its index never changes and is usually shorter.
        let nameIndex = staticName?.first ?? dynamic.name.map { HPACKStaticTable.count + 1 + $0 } ?? 0
        if sensitive {
            HPACKInteger.append(nameIndex, prefixBits: 4, flags: 0x10, into: &out)
        } else if choices.indexesEveryField || worthIndexing(field, staticName: staticName?.first) {
            HPACKInteger.append(nameIndex, prefixBits: 6, flags: 0x40, into: &out)
            table.insert(field)
        } else {
            HPACKInteger.append(nameIndex, prefixBits: 4, flags: 0x00, into: &out)
        }
        if nameIndex == 0 { appendString(field.name, into: &out) }
        appendString(field.value, into: &out)
    }

    /// Set-Cookie, Cookie and the credentials: never in a table, here or on a later hop (§7.1.3).
    private static func isSensitive(_ staticIndex: Int?) -> Bool {
        guard let staticIndex else { return false }
        switch staticIndex {
        case HPACKStaticTable.authorization, HPACKStaticTable.proxyAuthorization,
             HPACKStaticTable.cookie, HPACKStaticTable.setCookie: return true
        default: return false
        }
    }

    /// Not a value that differs from one answer to the next, and small
    /// enough not to push most of the table out.
    private func worthIndexing(_ field: HPACKHeaderField, staticName: Int?) -> Bool {
        switch staticName ?? 0 {
        case HPACKStaticTable.path, HPACKStaticTable.age, HPACKStaticTable.contentLength,
             HPACKStaticTable.contentRange, HPACKStaticTable.date, HPACKStaticTable.etag,
             HPACKStaticTable.expires, HPACKStaticTable.ifModifiedSince, HPACKStaticTable.ifNoneMatch,
             HPACKStaticTable.lastModified, HPACKStaticTable.location: return false
        default: return field.size * 2 <= table.maxSize
        }
    }

    /// A string literal (§5.2), Huffman-coded unless that is longer.
    private func appendString(_ bytes: [UInt8], into out: inout [UInt8]) {
        if choices.usesHuffman {
            let codedCount = Huffman.encodedCount(bytes)
            if codedCount <= bytes.count {
                HPACKInteger.append(codedCount, prefixBits: 7, flags: 0x80, into: &out)
                Huffman.encode(bytes, into: &out)
                return
            }
        }
        HPACKInteger.append(bytes.count, prefixBits: 7, flags: 0x00, into: &out)
        out.append(contentsOf: bytes)
    }
}
