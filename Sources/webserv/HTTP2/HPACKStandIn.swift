// STAND-IN, to be deleted when branch h-hpack (the real RFC 7541 HPACK) is
// merged: the same declarations, enough for the HTTP/2 frame layer's tests.
// It encodes every field as a literal without indexing (or never indexed)
// with a new name and no Huffman, and decodes only that; anything else in a
// block (indexed fields, Huffman strings, table updates) is an error here.

struct HPACKHeaderField: Equatable {
    var name: [UInt8]
    var value: [UInt8]
    var neverIndexed: Bool

    init(name: [UInt8], value: [UInt8], neverIndexed: Bool = false) {
        self.name = name
        self.value = value
        self.neverIndexed = neverIndexed
    }

    init(_ name: String, _ value: String) {
        self.init(name: Array(name.utf8), value: Array(value.utf8))
    }
}

enum HPACKError: Error, Equatable {
    case truncated
    case unsupportedRepresentation
    case integerOverflow
    case headerListTooLarge
}

struct HPACKDecoder {
    private let maxHeaderListSize: Int

    init(maxTableSize: Int = 4096, maxHeaderListSize: Int) {
        self.maxHeaderListSize = maxHeaderListSize
    }

    mutating func decode(_ block: ArraySlice<UInt8>) throws -> [HPACKHeaderField] {
        var fields: [HPACKHeaderField] = []
        var index = block.startIndex
        var listSize = 0
        while index < block.endIndex {
            let first = block[index]
            // 0000 0000: without indexing, new name; 0001 0000: never indexed, new name.
            guard first == 0x00 || first == 0x10 else { throw HPACKError.unsupportedRepresentation }
            index += 1
            let name = try Self.string(block, &index)
            let value = try Self.string(block, &index)
            // RFC 7541 §4.1's size: the lengths plus 32 per field.
            listSize += name.count + value.count + 32
            guard listSize <= maxHeaderListSize else { throw HPACKError.headerListTooLarge }
            fields.append(HPACKHeaderField(name: name, value: value, neverIndexed: first == 0x10))
        }
        return fields
    }

    private static func string(_ block: ArraySlice<UInt8>, _ index: inout Int) throws -> [UInt8] {
        guard index < block.endIndex else { throw HPACKError.truncated }
        guard block[index] & 0x80 == 0 else { throw HPACKError.unsupportedRepresentation }
        var length = Int(block[index] & 0x7F)
        index += 1
        if length == 0x7F {
            var shift = 0
            while true {
                guard index < block.endIndex else { throw HPACKError.truncated }
                guard shift <= 21 else { throw HPACKError.integerOverflow }
                let byte = block[index]
                index += 1
                length += Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
        }
        guard block.endIndex - index >= length else { throw HPACKError.truncated }
        defer { index += length }
        return Array(block[index..<index + length])
    }
}

struct HPACKEncoder {
    init(maxTableSize: Int = 4096) {}

    mutating func setMaxTableSize(_ n: Int) {}

    mutating func encode(_ fields: [HPACKHeaderField], into out: inout [UInt8]) {
        for field in fields {
            out.append(field.neverIndexed ? 0x10 : 0x00)
            Self.appendString(field.name, into: &out)
            Self.appendString(field.value, into: &out)
        }
    }

    private static func appendString(_ bytes: [UInt8], into out: inout [UInt8]) {
        if bytes.count < 0x7F {
            out.append(UInt8(bytes.count))
        } else {
            out.append(0x7F)
            var rest = bytes.count - 0x7F
            while rest >= 0x80 {
                out.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            out.append(UInt8(rest))
        }
        out += bytes
    }
}
