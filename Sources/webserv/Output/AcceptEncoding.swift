/// Whether a request's `Accept-Encoding` (RFC 9110 §12.5.3) takes gzip:
/// `gzip` with a q-value above 0 (`gzip;q=0` refuses it, as does a q-value
/// nginx would not read), or, when gzip is not listed, `*` above 0 (nginx
/// ignores `*`; RFC 9110 counts it for any coding not listed). Codings are
/// case-insensitive; `x-gzip` is not gzip, as in nginx.
enum AcceptEncoding {
    /// The same, from the field's bytes: browsers' usual value decided
    /// without making a String (this runs on every request to a gzip location).
    static func acceptsGzip(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let gzip: [UInt8] = [0x67, 0x7a, 0x69, 0x70]   // "gzip"
        if value.count >= 4, value[0] == gzip[0], value[1] == gzip[1], value[2] == gzip[2], value[3] == gzip[3],
           value.count == 4 || value[4] == UInt8(ascii: ",") {
            return true
        }
        return acceptsGzip(String(decoding: value, as: UTF8.self))
    }

    static func acceptsGzip(_ value: String) -> Bool {
        // Browsers' usual value first (nginx's test too): "gzip, deflate, br".
        if value.utf8.starts(with: "gzip,".utf8) || value == "gzip" { return true }
        var star: Bool?
        for element in value.utf8.split(separator: UInt8(ascii: ",")) {
            let parts = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            let coding = trimmed(parts[0])
            let isGzip = equalsIgnoringCase(coding, "gzip"), isStar = coding.elementsEqual("*".utf8)
            guard isGzip || isStar else { continue }
            var quality = 1000
            for parameter in parts.dropFirst() {
                let parameter = trimmed(parameter)
                guard parameter.count >= 2, lower(parameter[parameter.startIndex]) == UInt8(ascii: "q"),
                      parameter[parameter.index(after: parameter.startIndex)] == UInt8(ascii: "=") else { continue }
                quality = qvalue(parameter.dropFirst(2)) ?? 0
            }
            if isGzip { return quality > 0 }
            star = quality > 0
        }
        return star ?? false
    }

    /// RFC 9110's qvalue in thousandths: `0[.ddd]` or `1[.000]`; nil otherwise.
    static func qvalue(_ text: Substring.UTF8View) -> Int? {
        guard let first = text.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        let rest = text.dropFirst()
        guard let dot = rest.first else { return value }
        guard dot == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        var scale = 100
        for digit in rest.dropFirst() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
        return slice
    }

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    private static func equalsIgnoringCase(_ bytes: Substring.UTF8View, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { expected in zip(bytes, expected).allSatisfy { lower($0) == $1 } }
    }
}
