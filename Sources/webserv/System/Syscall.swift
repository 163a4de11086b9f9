import Glibc

/// The error of a failed system call: its name and errno.
struct SystemError: Error, CustomStringConvertible, Equatable {
    let call: String
    let errorNumber: Int32

    var description: String { "\(call) failed: \(String(cString: strerror(errorNumber))) (errno \(errorNumber))" }
}

/// What a non-blocking call gives back: a value, or "try again when ready".
enum IOResult<T> {
    case value(T)
    case wouldBlock
}

/// The one place system calls are checked: EINTR is retried, EAGAIN becomes
/// `.wouldBlock`, any other failure throws a `SystemError` naming the call.
@inline(__always)
func syscall<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws -> IOResult<T> {
    while true {
        let result = body()
        if result != -1 { return .value(result) }
        let error = errno
        if error == EINTR { continue }
        if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
        throw SystemError(call: name, errorNumber: error)
    }
}

/// For calls that never return EAGAIN (socket, bind, epoll_ctl, ...).
@inline(__always)
@discardableResult
func syscallValue<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws -> T {
    switch try syscall(name, body) {
    case .value(let value): return value
    case .wouldBlock: throw SystemError(call: name, errorNumber: EAGAIN)
    }
}
