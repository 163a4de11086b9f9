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

/// A body read and dropped (`proxy_pass_request_body off`, `proxy_set_body`):
/// `finished` runs once it is all in, as nginx reads a body before it goes upstream.
final class DroppedBody: BodyConsumer {
    private let finished: () -> Void

    init(finished: @escaping () -> Void) { self.finished = finished }

    func consume(_ bytes: ArraySlice<UInt8>) -> Response? { nil }

    func finish() -> Response? {
        finished()
        return nil
    }

    func abort() {}
}

/// A chunked body spooled to an unlinked temporary file first, for a CGI
/// script (it must see CONTENT_LENGTH, RFC 3875 §4.1.2) or a FastCGI
/// application (PHP needs CONTENT_LENGTH to read a form, and nginx buffers
/// such a body too): the length is only known at the end. Memory stays
/// bounded whatever the body's size; `finished` gets the file once it is all in.
final class SpooledBody: BodyConsumer {
    private let file: UploadFile
    private let finished: (UploadFile) -> Void

    init(finished: @escaping (UploadFile) -> Void) throws {
        file = try UploadFile(directory: "/tmp")
        file.unlinkName()
        self.finished = finished
    }

    func consume(_ bytes: ArraySlice<UInt8>) -> Response? {
        do { try file.write(bytes) } catch UploadFile.Failure.status(let status) { return Response(status: status) } catch { return Response(status: 500) }
        return nil
    }

    func finish() -> Response? {
        finished(file)
        return nil
    }

    func abort() { file.abort() }
}
