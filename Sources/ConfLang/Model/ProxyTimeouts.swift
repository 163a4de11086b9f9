/// nginx's three proxy timeouts, each its own directive (60 s by default):
/// establishing the connection, between two writes of the request to the
/// upstream, and between two reads of its answer. A timeout is a 504 before
/// the answer's head, a cut connection after it.
public struct ProxyTimeouts: Equatable {
    public var connectMilliseconds = 60_000
    public var sendMilliseconds = 60_000
    public var readMilliseconds = 60_000

    public init() {}
}
