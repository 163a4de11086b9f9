/// Flow control (RFC 9113 §5.2, §6.9): one window per direction, per stream
/// and per connection.

/// What we may still send: the peer's grant. It may go negative when the
/// peer lowers SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2).
struct HTTP2SendWindow {
    private(set) var available: Int

    init(_ size: Int) { available = size }

    mutating func spend(_ count: Int) { available -= count }

    /// A WINDOW_UPDATE or a change of the initial size; false when the
    /// window would pass 2^31-1 (FLOW_CONTROL_ERROR).
    mutating func grow(by delta: Int) -> Bool {
        guard available + delta <= HTTP2Protocol.largestWindowSize else { return false }
        available += delta
        return true
    }
}

/// What the peer may still send us. DATA spends it when it arrives; it is
/// given back (WINDOW_UPDATE) only as the application says it consumed the
/// bytes, once half the window is owed, so a slow reader holds back the sender.
struct HTTP2ReceiveWindow {
    /// The size the peer starts from and we return to.
    let size: Int
    private(set) var available: Int
    /// Consumed bytes not announced yet.
    private var owed = 0

    init(size: Int) {
        self.size = size
        available = size
    }

    /// DATA arrived (padding included); false when it exceeds the window.
    mutating func receive(_ count: Int) -> Bool {
        guard count <= available else { return false }
        available -= count
        return true
    }

    /// The application consumed `count` bytes: the increment to announce now, or 0.
    mutating func consume(_ count: Int) -> Int {
        owed += count
        guard owed > 0, owed >= size / 2 else { return 0 }
        let increment = owed
        owed = 0
        available += increment
        return increment
    }
}
