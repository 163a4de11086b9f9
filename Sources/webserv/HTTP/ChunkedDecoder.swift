/// Incremental decoder of `Transfer-Encoding: chunked` (RFC 9112 §7.1):
/// strict hex sizes, extensions checked against the grammar and otherwise
/// ignored, trailers read and dropped. Fed any
/// pieces; it hands out body bytes as ranges of the input.
struct ChunkedDecoder {
    enum Event: Equatable {
        /// Body bytes: this range of the input slice.
        case data(Range<Int>)
        case end
        case error(status: Int)
    }

    private enum State {
        case size, sizeExtension, sizeLF, data(remaining: Int), dataCR, dataLF, trailer(lineLength: Int), trailerLF(empty: Bool), done
    }

    private var state = State.size
    private var size = 0
    private var sizeDigits = 0
    /// The chunk line after the size (`;name=value...`), checked when it ends.
    private var extensionBytes: [UInt8] = []
    private static let maxExtensionBytes = 4096
    /// 0: unlimited.
    let maxBodySize: Int
    private(set) var total = 0

    init(maxBodySize: Int = 0) {
        self.maxBodySize = maxBodySize
    }

    var isDone: Bool { if case .done = state { return true } else { return false } }

    /// Consumes `input` and returns what it held. Bytes after `.end` are not consumed:
    /// the returned `consumed` count tells where the next request starts.
    mutating func decode(_ input: ArraySlice<UInt8>) -> (events: [Event], consumed: Int) {
        var events: [Event] = []
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            switch state {
            case .size:
                if let digit = HTTPSyntax.hexValue(byte).map(Int.init) {
                    guard sizeDigits < 15 else { return fail(events, input, index) }
                    size = size * 16 + digit
                    sizeDigits += 1
                } else if sizeDigits > 0 && (byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) {
                    extensionBytes = [byte]
                    state = .sizeExtension
                } else if sizeDigits > 0 && byte == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if sizeDigits > 0 && byte == UInt8(ascii: "\n") {
                    startChunk()
                } else {
                    return fail(events, input, index)
                }
                index += 1
            case .sizeExtension:
                if byte == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if byte == UInt8(ascii: "\n") {
                    guard ChunkedDecoder.isValidExtension(extensionBytes) else { return fail(events, input, index) }
                    startChunk()
                } else {
                    // A control character, or a line no client needs, is refused at once.
                    guard !HTTPSyntax.isControl(byte), extensionBytes.count < ChunkedDecoder.maxExtensionBytes else {
                        return fail(events, input, index)
                    }
                    extensionBytes.append(byte)
                }
                index += 1
            case .sizeLF:
                guard byte == UInt8(ascii: "\n"), extensionBytes.isEmpty || ChunkedDecoder.isValidExtension(extensionBytes) else {
                    return fail(events, input, index)
                }
                startChunk()
                index += 1
            case .data(let remaining):
                let count = min(remaining, input.endIndex - index)
                total += count
                if maxBodySize > 0 && total > maxBodySize {
                    events.append(.error(status: 413))
                    return (events, index - input.startIndex)
                }
                events.append(.data(index..<(index + count)))
                index += count
                state = remaining - count == 0 ? .dataCR : .data(remaining: remaining - count)
            case .dataCR:
                if byte == UInt8(ascii: "\r") { state = .dataLF }
                else if byte == UInt8(ascii: "\n") { state = .size }
                else { return fail(events, input, index) }
                index += 1
            case .dataLF:
                guard byte == UInt8(ascii: "\n") else { return fail(events, input, index) }
                state = .size
                index += 1
            case .trailer(let length):
                if byte == UInt8(ascii: "\r") { state = .trailerLF(empty: length == 0) }
                else if byte == UInt8(ascii: "\n") {
                    if length == 0 { state = .done; events.append(.end); return (events, index + 1 - input.startIndex) }
                    state = .trailer(lineLength: 0)
                } else {
                    guard length < 8192 else { return fail(events, input, index) }
                    state = .trailer(lineLength: length + 1)
                }
                index += 1
            case .trailerLF(let empty):
                guard byte == UInt8(ascii: "\n") else { return fail(events, input, index) }
                index += 1
                if empty { state = .done; events.append(.end); return (events, index - input.startIndex) }
                state = .trailer(lineLength: 0)
            case .done:
                return (events, index - input.startIndex)
            }
        }
        return (events, index - input.startIndex)
    }

    private mutating func startChunk() {
        // The last chunk (size 0) is followed by optional trailer fields and an empty line.
        state = size == 0 ? .trailer(lineLength: 0) : .data(remaining: size)
        size = 0
        sizeDigits = 0
        extensionBytes = []
    }

    /// `*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )`,
    /// at least one (RFC 9112 §7.1.1): whitespace not followed by `;`, a bare
    /// `;` or a value that is neither a token nor a quoted string is malformed.
    static func isValidExtension(_ bytes: [UInt8]) -> Bool {
        var index = 0
        var count = 0
        func skipWhitespace() {
            while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        }
        func token() -> Bool {
            let start = index
            while index < bytes.count && HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
            return index > start
        }
        func quotedString() -> Bool {
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""): index += 1; return true
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count, !HTTPSyntax.isControl(bytes[index + 1]) || bytes[index + 1] == 0x09 else { return false }
                    index += 2
                case let byte where HTTPSyntax.isControl(byte) && byte != 0x09: return false
                default: index += 1
                }
            }
            return false
        }
        while true {
            skipWhitespace()
            if index == bytes.count { return count > 0 }
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipWhitespace()
                let valid = index < bytes.count && bytes[index] == UInt8(ascii: "\"") ? quotedString() : token()
                guard valid else { return false }
            }
            count += 1
        }
    }

    private func fail(_ events: [Event], _ input: ArraySlice<UInt8>, _ index: Int) -> (events: [Event], consumed: Int) {
        (events + [.error(status: 400)], index - input.startIndex)
    }
}
