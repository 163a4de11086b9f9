/// A small JSON value and writer (no dependency). Objects keep key order so
/// output is stable and matches crossplane's field order.
public indirect enum JSON: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Serialized as Python's `json.dumps` does (ASCII only; `", "` and `": "`
    /// separators when compact), so `--dump` output diffs cleanly against crossplane's.
    public func serialized(indent: Int? = nil) -> String {
        var output = ""
        write(to: &output, indent: indent, level: 0)
        return output
    }

    private func write(to output: inout String, indent: Int?, level: Int) {
        switch self {
        case .string(let value): JSON.writeString(value, to: &output)
        case .int(let value): output += String(value)
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += indent == nil ? ", " : "," }
                JSON.newline(&output, indent: indent, level: level + 1)
                item.write(to: &output, indent: indent, level: level + 1)
            }
            JSON.newline(&output, indent: indent, level: level)
            output += "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += indent == nil ? ", " : "," }
                JSON.newline(&output, indent: indent, level: level + 1)
                JSON.writeString(key, to: &output)
                output += ": "
                value.write(to: &output, indent: indent, level: level + 1)
            }
            JSON.newline(&output, indent: indent, level: level)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, indent: Int?, level: Int) {
        guard let indent else { return }
        output += "\n" + String(repeating: " ", count: indent * level)
    }

    private static let hexDigits = Array("0123456789abcdef")

    static func writeString(_ value: String, to output: inout String) {
        output += "\""
        appendEscaped(value, to: &output)
        output += "\""
    }

    /// `value`'s characters as a JSON string's, without the quotes. `nonASCII`:
    /// written as `\uXXXX` too (this module's output stays ASCII); without,
    /// only what JSON requires is escaped, as nginx's `escape=json`.
    static func appendEscaped(_ value: String, to output: inout String, nonASCII: Bool = true) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || nonASCII && scalar.value > 0x7E && scalar.value != 0x7F {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        writeUnicodeEscape(0xD800 + (offset >> 10), to: &output)
                        writeUnicodeEscape(0xDC00 + (offset & 0x3FF), to: &output)
                    } else {
                        writeUnicodeEscape(scalar.value, to: &output)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }

    private static func writeUnicodeEscape(_ value: UInt32, to output: inout String) {
        output += "\\u"
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
