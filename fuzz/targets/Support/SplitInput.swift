import Glibc

/// The input of the HTTP targets: a short header that says how to cut the
/// payload into reads, as a socket would deliver them, then the payload.
///
///     byte 0        bits 0-2: k, how many piece lengths follow;
///                   bits 3-7: an option for the target (0...31)
///     bytes 1...k   piece lengths minus one, used in a cycle (k = 0: one piece)
///     the rest      the payload
struct SplitInput {
    let option: Int
    /// A slice of the whole input, so it does not start at index 0: callers
    /// that mix up slice indices and offsets show up.
    let payload: ArraySlice<UInt8>
    private let lengths: [Int]

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let all = Array(UnsafeBufferPointer(start: data, count: size))
        let first = Int(all.first ?? 0)
        let count = min(first & 7, max(0, all.count - 1))
        option = first >> 3
        lengths = all.dropFirst().prefix(count).map { Int($0) + 1 }
        payload = all[min(all.count, 1 + count)...]
    }

    /// `bytes` cut by the lengths of the header (consecutive slices, same indices).
    func pieces(of bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        guard !lengths.isEmpty else { return [bytes] }
        var pieces: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex, turn = 0
        while start < bytes.endIndex {
            let end = min(bytes.endIndex, start + lengths[turn % lengths.count])
            pieces.append(bytes[start..<end])
            start = end
            turn += 1
        }
        return pieces
    }
}

/// A property failed: say which, then abort so libFuzzer saves the input.
func propertyFailure(_ message: String) -> Never {
    fputs("PROPERTY FAILED: \(message)\n", stderr)
    abort()
}
