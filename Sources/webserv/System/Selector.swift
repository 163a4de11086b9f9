import Glibc
import CSystem

/// A small epoll wrapper owned by the event loop. Level-triggered: a
/// connection that stops reading early (it has a full buffer) is simply told
/// again later, which keeps the state machine simple.
final class Selector {
    struct Interest: OptionSet {
        let rawValue: UInt32
        static let read = Interest(rawValue: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        static let write = Interest(rawValue: EPOLLOUT.rawValue)
        /// Only the peer's close: while a script or an upstream answers, bytes
        /// the client sends are left in the socket, but its leaving is noticed.
        static let hangUp = Interest(rawValue: EPOLLRDHUP.rawValue)
    }

    struct Event {
        let token: UInt64
        let readable: Bool
        let writable: Bool
        /// The peer hung up or the socket has an error.
        let closed: Bool
    }

    private let epollFD: Int32
    private var events: [epoll_event]

    init(capacity: Int = 512) throws {
        epollFD = try syscallValue("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        events = [epoll_event](repeating: epoll_event(), count: capacity)
    }

    deinit { Socket.close(epollFD) }

    func register(_ fd: Int32, interest: Interest, token: UInt64) throws {
        var event = epoll_event(events: interest.rawValue, data: epoll_data_t(u64: token))
        try syscallValue("epoll_ctl(ADD)") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
    }

    func reregister(_ fd: Int32, interest: Interest, token: UInt64) throws {
        var event = epoll_event(events: interest.rawValue, data: epoll_data_t(u64: token))
        try syscallValue("epoll_ctl(MOD)") { epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) }
    }

    func deregister(_ fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever); the events that are
    /// ready are then `event(0)` to `event(count - 1)`, until the next wait
    /// (read in place: an array of them per wait cost an allocation per turn).
    func wait(timeoutMilliseconds: Int32) throws -> Int {
        let count = try events.withUnsafeMutableBufferPointer { buffer in
            try syscall("epoll_wait") { epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds) }
        }
        guard case .value(let ready) = count else { return 0 }
        return Int(ready)
    }

    func event(_ index: Int) -> Event {
        let flags = events[index].events
        return Event(token: events[index].data.u64,
                     readable: flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0,
                     writable: flags & EPOLLOUT.rawValue != 0,
                     closed: flags & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0)
    }
}
