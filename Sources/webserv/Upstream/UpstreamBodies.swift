import ConfLang

/// Forwards a request body as it arrives to the upstream answering the
/// connection's request (a CGI script's stdin, a proxied server).
final class ForwardingBodyConsumer: BodyConsumer {
    private unowned let engine: UpstreamEngine
    private unowned let connection: Connection

    init(engine: UpstreamEngine, connection: Connection) {
        self.engine = engine
        self.connection = connection
    }

    func consume(_ bytes: ArraySlice<UInt8>) -> Response? {
        engine.feed(connection, bytes, last: false)
        return nil
    }

    func finish() -> Response? {
        engine.feed(connection, [], last: true)
        return nil
    }

    /// Closing the connection ends the exchange (ConnectionDriver.close).
    func abort() {}
}

/// A chunked body for a CGI script is spooled to an unlinked temporary file
/// first: the script must see CONTENT_LENGTH (RFC 3875 §4.1.2), which is only
/// known at the end. Memory stays bounded whatever the body's size.
final class SpooledBody: BodyConsumer {
    private unowned let engine: UpstreamEngine
    private unowned let connection: Connection
    private let request: CGIRequest
    private let head: RequestHead
    private let file: UploadFile

    init(engine: UpstreamEngine, connection: Connection, request: CGIRequest, head: RequestHead) throws {
        self.engine = engine
        self.connection = connection
        self.request = request
        self.head = head
        file = try UploadFile(directory: "/tmp")
        file.unlinkName()
    }

    func consume(_ bytes: ArraySlice<UInt8>) -> Response? {
        do { try file.write(bytes) } catch UploadFile.Failure.status(let status) { return Response(status: status) } catch { return Response(status: 500) }
        return nil
    }

    func finish() -> Response? {
        var request = request
        request.environment["CONTENT_LENGTH"] = String(file.written)
        engine.spawnScript(request, stdinFile: file.rewound(), on: connection, head: head)
        file.abort()
        return nil
    }

    func abort() { file.abort() }
}
