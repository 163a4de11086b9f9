/// One header field as HPACK carries it (RFC 7541 §1.3): bytes, not strings.
/// What bytes a name or value may hold is HTTP/2's rule (RFC 9113 §8.2.1),
/// checked by the layer above; HPACK carries any octets.
struct HPACKHeaderField: Equatable {
    var name: [UInt8]
    var value: [UInt8]
    /// The literal's "never indexed" bit (§6.2.3): the field must stay a
    /// literal on every hop, so no table anywhere holds it.
    var neverIndexed: Bool

    init(name: [UInt8], value: [UInt8], neverIndexed: Bool = false) {
        self.name = name
        self.value = value
        self.neverIndexed = neverIndexed
    }

    init(_ name: String, _ value: String) {
        self.init(name: Array(name.utf8), value: Array(value.utf8))
    }

    /// The field's size as an entry of the dynamic table (§4.1), also the unit
    /// of SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2).
    var size: Int { name.count + value.count + 32 }
}
