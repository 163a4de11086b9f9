/// Percent-encoding of what webserv writes into URIs (RFC 3986 §2.1).
public enum PercentEncoding {
    /// A name inside a path (an autoindex link, an upload's Location):
    /// everything but unreserved characters is escaped, `/` included.
    public static func component(_ text: String) -> String {
        escape(text) { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                return false
            default:
                return true
            }
        }
    }

    /// A whole path (a directory redirect), as nginx escapes one: controls,
    /// space, `"#%<>?\^`{|}`, DEL and non-ASCII bytes; `/` and the rest stay.
    public static func path(_ text: String) -> String {
        escape(text) { byte in
            switch byte {
            case 0...0x20, 0x7F...0xFF, UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                 UInt8(ascii: "?"), UInt8(ascii: "\\"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
                return true
            default:
                return false
            }
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func escape(_ text: String, _ needsEscape: (UInt8) -> Bool) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if needsEscape(byte) {
                result.append(UInt8(ascii: "%"))
                result.append(hexDigits[Int(byte >> 4)])
                result.append(hexDigits[Int(byte & 0xF)])
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
