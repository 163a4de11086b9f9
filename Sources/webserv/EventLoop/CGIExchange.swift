import ConfLang

/// One running CGI script and the state of its pipes.
final class CGIExchange {
    let process: ChildProcess
    let head: RequestHead
    let script: String
    let deadline: Int
    /// The location's error_log: the script's stderr and failures go there.
    let errorLog: LogTarget

    var stdinOpen = true
    var stdoutOpen = true
    var stderrOpen = true
    /// Body bytes not yet accepted by the script's stdin.
    var pendingInput: [UInt8] = []
    var bodyComplete = false
    var stdinWaiting = false
    var stdoutPaused = false

    var parser = CGIResponseParser()
    var headersSent = false
    var chunked = false
    /// The script's output has ended (and its terminator is queued).
    var outputDone = false
    var exited = false
    var bodyBytesSent = 0

    init(process: ChildProcess, head: RequestHead, script: String, deadline: Int, errorLog: LogTarget) {
        self.process = process
        self.errorLog = errorLog
        self.head = head
        self.script = script
        self.deadline = deadline
    }
}

/// Forwards a request body as it arrives: to a CGI script's stdin or to the
/// upstream of proxy_pass, whichever answers the connection's request.
final class ForwardingBodyConsumer: BodyConsumer {
    private unowned let loop: EventLoop
    private unowned let connection: Connection

    init(loop: EventLoop, connection: Connection) {
        self.loop = loop
        self.connection = connection
    }

    func consume(_ bytes: ArraySlice<UInt8>) -> Response? {
        if connection.proxy != nil { loop.feedUpstream(connection, bytes, last: false) } else { loop.feedScript(connection, bytes) }
        return nil
    }

    func finish() -> Response? {
        if connection.proxy != nil { loop.feedUpstream(connection, [], last: true) } else { loop.scriptBodyComplete(connection) }
        return nil
    }

    /// Closing the connection ends the script or the upstream connection (EventLoop.close).
    func abort() {}
}

/// A chunked body for a CGI script is spooled to an unlinked temporary file
/// first: the script must see CONTENT_LENGTH (RFC 3875 §4.1.2), which is only
/// known at the end. Memory stays bounded whatever the body's size.
final class SpooledBody: BodyConsumer {
    private unowned let loop: EventLoop
    private unowned let connection: Connection
    private let request: CGIRequest
    private let head: RequestHead
    private let file: UploadFile

    init(loop: EventLoop, connection: Connection, request: CGIRequest, head: RequestHead) throws {
        self.loop = loop
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
        loop.spawnScript(request, stdinFile: file.rewound(), on: connection, head: head)
        file.abort()
        return nil
    }

    func abort() { file.abort() }
}
