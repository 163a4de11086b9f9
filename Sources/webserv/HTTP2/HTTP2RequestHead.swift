/// A request's head as HTTP/2 carries it (RFC 9113 §8.3.1): the pseudo-header
/// fields taken out, the regular fields kept in order as bytes. A head that
/// breaks §8.2 or §8.3 is malformed (nil): the stream is reset with
/// PROTOCOL_ERROR (§8.1.1).
struct HTTP2RequestHead: Equatable {
    var method: [UInt8]
    /// Empty for CONNECT, the only method without it.
    var scheme: [UInt8]
    var authority: [UInt8]?
    /// Empty for CONNECT.
    var path: [UInt8]
    /// The regular fields as received (`cookie` may come in pieces, §8.2.3:
    /// the driver joins them with "; " for an HTTP/1.1 head).
    var fields: [HPACKHeaderField]
    /// content-length, when given: the DATA received must add up to it (§8.1.1).
    var contentLength: Int?

    init?(_ decoded: [HPACKHeaderField]) {
        var method: [UInt8]?, scheme: [UInt8]?, authority: [UInt8]?, path: [UInt8]?
        var regular: [HPACKHeaderField] = []
        regular.reserveCapacity(decoded.count)
        var contentLength: Int?
        for field in decoded {
            guard HTTP2FieldRules.validValue(field.value) else { return nil }
            if field.name.first == UInt8(ascii: ":") {
                // Pseudo-header fields come first, once each, and only the request's four (§8.3).
                guard regular.isEmpty else { return nil }
                if field.name.isBytes(":method") {
                    guard method == nil else { return nil }
                    method = field.value
                } else if field.name.isBytes(":scheme") {
                    guard scheme == nil else { return nil }
                    scheme = field.value
                } else if field.name.isBytes(":authority") {
                    guard authority == nil else { return nil }
                    authority = field.value
                } else if field.name.isBytes(":path") {
                    guard path == nil else { return nil }
                    path = field.value
                } else {
                    return nil
                }
                continue
            }
            guard HTTP2FieldRules.validRegularField(field) else { return nil }
            if field.name.isBytes("content-length") {
                guard let length = HTTP2FieldRules.decimal(field.value), contentLength == nil || contentLength == length else { return nil }
                contentLength = length
            }
            regular.append(field)
        }
        guard let method else { return nil }
        if method.isBytes("CONNECT") {
            // §8.5: only :method and :authority.
            guard scheme == nil, path == nil, let authority, !authority.isEmpty else { return nil }
            self.scheme = []
            self.path = []
        } else {
            guard let scheme, !scheme.isEmpty, let path, !path.isEmpty else { return nil }
            self.scheme = scheme
            self.path = path
        }
        self.method = method
        self.authority = authority
        self.fields = regular
        self.contentLength = contentLength
    }

    /// Trailers (§8.1): regular fields only, under the same rules.
    static func validTrailers(_ fields: [HPACKHeaderField]) -> Bool {
        fields.allSatisfy { HTTP2FieldRules.validValue($0.value) && HTTP2FieldRules.validRegularField($0) }
    }
}

/// §8.2's rules for a field's bytes, and §8.2.2's connection-specific fields.
enum HTTP2FieldRules {
    /// A regular field: a lower-case name of visible bytes without ':', not
    /// one of HTTP/1.1's connection fields, `te` only "trailers".
    static func validRegularField(_ field: HPACKHeaderField) -> Bool {
        let name = field.name
        guard !name.isEmpty, name.allSatisfy(isNameByte) else { return false }
        if isConnectionSpecific(name) { return false }
        if name.isBytes("te") { return field.value.isBytes("trailers") }
        return true
    }

    /// Lower case, visible ASCII, not ':' (§8.2.1; a pseudo-header is checked by name).
    static func isNameByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) && byte != UInt8(ascii: ":")
    }

    /// No NUL, CR or LF; no white space at either end (§8.2.1).
    static func validValue(_ value: [UInt8]) -> Bool {
        if let first = value.first, first == 0x20 || first == 0x09 { return false }
        if let last = value.last, last == 0x20 || last == 0x09 { return false }
        return !value.contains { $0 == 0 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Fields that mean something to one HTTP/1.1 connection only (§8.2.2):
    /// refused in a request, left out of an answer.
    static func isConnectionSpecific(_ lowerCaseName: [UInt8]) -> Bool {
        switch lowerCaseName.count {
        case 7: return lowerCaseName.isBytes("upgrade")
        case 10: return lowerCaseName.isBytes("connection") || lowerCaseName.isBytes("keep-alive")
        case 16: return lowerCaseName.isBytes("proxy-connection")
        case 17: return lowerCaseName.isBytes("transfer-encoding")
        default: return false
        }
    }

    /// A content-length: digits only, at most 18 of them.
    static func decimal(_ bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

extension Array where Element == UInt8 {
    /// Byte comparison with a literal, without making a String.
    func isBytes(_ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { self.elementsEqual($0) }
    }
}
