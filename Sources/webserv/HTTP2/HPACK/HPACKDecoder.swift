/// Decodes the header blocks a peer sends on one connection (RFC 7541 §3),
/// each whole (HEADERS and its CONTINUATION frames put together by the frame
/// layer), in the order they arrive, since they share the dynamic table.
///
/// Any thrown `HPACKError` is a connection error, COMPRESSION_ERROR (RFC 9113
/// §4.3): the block stopped half-way, so the tables of the two sides may
/// differ from then on. The decoded size is capped as the fields are decoded,
/// before any is copied, so a small block naming a large entry many times (an
/// HPACK bomb) fails at the field that crosses `maxHeaderListSize`.
struct HPACKDecoder {
    private(set) var table: HPACKDynamicTable
    /// What we announced as SETTINGS_HEADER_TABLE_SIZE: the peer's size updates may not exceed it.
    let maxTableSize: Int
    /// The cap on a block's decoded fields, name + value + 32 each (RFC 9113 §6.5.2).
    let maxHeaderListSize: Int

    /// The table starts at HTTP/2's initial 4,096 bytes (RFC 9113 §6.5.2), or
    /// at what we announce when that is less; the peer's size updates move it
    /// up to `maxTableSize`.
    init(maxTableSize: Int = 4096, maxHeaderListSize: Int) {
        self.maxTableSize = max(0, maxTableSize)
        self.maxHeaderListSize = max(0, maxHeaderListSize)
        table = HPACKDynamicTable(maxSize: min(self.maxTableSize, 4096))
    }

    mutating func decode(_ block: ArraySlice<UInt8>) throws -> [HPACKHeaderField] {
        var fields: [HPACKHeaderField] = []
        // A request's usual count at most: one allocation rather than five growths.
        fields.reserveCapacity(min(block.count, 16))
        var listSize = 0
        var index = block.startIndex
        var sizeUpdates = 0
        var atStart = true
        while index < block.endIndex {
            let first = block[index]
            let field: HPACKHeaderField
            if first & 0x80 != 0 {
                // Indexed field (§6.1).
                field = try entry(HPACKInteger.read(block, at: &index, prefixBits: 7))
            } else if first & 0x40 != 0 {
                // Literal with incremental indexing (§6.2.1).
                field = try literal(block, at: &index, prefixBits: 6, listSize: listSize)
                table.insert(field)
            } else if first & 0x20 != 0 {
                // Dynamic table size update (§6.3): only before the first field, at most two (§4.2).
                guard atStart else { throw HPACKError.tableSizeUpdateNotAtStart }
                sizeUpdates += 1
                guard sizeUpdates <= 2 else { throw HPACKError.tooManyTableSizeUpdates }
                let newSize = try HPACKInteger.read(block, at: &index, prefixBits: 5)
                guard newSize <= maxTableSize else { throw HPACKError.tableSizeUpdateTooLarge }
                table.setMaxSize(newSize)
                continue
            } else {
                // Literal without indexing (§6.2.2), or never indexed (§6.2.3).
                field = try literal(block, at: &index, prefixBits: 4, listSize: listSize)
            }
            atStart = false
            listSize += field.size
            guard listSize <= maxHeaderListSize else { throw HPACKError.headerListTooLarge }
            fields.append(field)
        }
        return fields
    }

    /// The entry at a 1-based index: the static table, then the dynamic one.
    private func entry(_ index: Int) throws -> HPACKHeaderField {
        if index >= 1, index <= HPACKStaticTable.count { return HPACKStaticTable.fields[index - 1] }
        let dynamicIndex = index - HPACKStaticTable.count - 1
        guard dynamicIndex >= 0, dynamicIndex < table.count else { throw HPACKError.invalidIndex }
        return table[dynamicIndex]
    }

    /// A literal field: its name by index (not 0) or as a string, then its
    /// value. The list's size so far bounds what its strings may announce.
    private func literal(_ block: ArraySlice<UInt8>, at index: inout Int, prefixBits: Int, listSize: Int) throws -> HPACKHeaderField {
        let neverIndexed = prefixBits == 4 && block[index] & 0x10 != 0
        let nameIndex = try HPACKInteger.read(block, at: &index, prefixBits: prefixBits)
        let name: [UInt8]
        if nameIndex == 0 {
            name = try string(block, at: &index)
        } else {
            name = try entry(nameIndex).name
        }
        // Checked before the value is read, so a too large name costs no value.
        guard listSize + name.count + 32 <= maxHeaderListSize else { throw HPACKError.headerListTooLarge }
        let value = try string(block, at: &index)
        return HPACKHeaderField(name: name, value: value, neverIndexed: neverIndexed)
    }

    /// A string literal (§5.2): a length with a 7-bit prefix whose high bit
    /// says Huffman, then the bytes.
    private func string(_ block: ArraySlice<UInt8>, at index: inout Int) throws -> [UInt8] {
        guard index < block.endIndex else { throw HPACKError.truncated }
        let huffman = block[index] & 0x80 != 0
        let length = try HPACKInteger.read(block, at: &index, prefixBits: 7)
        guard length <= maxHeaderListSize else { throw HPACKError.stringTooLong }
        guard length <= block.endIndex - index else { throw HPACKError.truncated }
        let bytes = block[index..<index + length]
        index += length
        guard huffman else { return Array(bytes) }
        var decoded: [UInt8] = []
        // At most 8 symbols per 5 bits (the shortest code): one allocation.
        decoded.reserveCapacity(length * 8 / 5 + 1)
        try Huffman.decode(bytes, into: &decoded)
        return decoded
    }
}
