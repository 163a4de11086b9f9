import ConfLang

/// What the access log needs of an answer, kept while it goes out; its line
/// is made at the end of the pipeline (`finishResponse`), from the status
/// that went out and the body bytes counted.
struct AccessLogRecord {
    let path: String
    let remoteAddress: String
    /// The request as the client sent it (an internal redirect keeps its fields).
    let head: RequestHead?
    /// A request refused before its head was complete, as far as it was read.
    let rejected: (requestLine: String, headers: HTTPHeaders)?
    let status: Int
    var bytesSent: Int
    /// A `log_format` that `access_log` names, with the request's variables
    /// (nil: combined). One reference, so that a combined record stays small.
    var formatted: FormattedLine? = nil

    final class FormattedLine {
        let format: LogFormat
        let variables: RequestVariables

        init(format: LogFormat, variables: RequestVariables) {
            self.format = format
            self.variables = variables
        }
    }

    /// The line of a named format, made with the answer's status and bytes; nil for combined.
    func formattedLine(now: Int) -> String? {
        guard let formatted else { return nil }
        var variables = formatted.variables
        variables.status = status
        variables.bodyBytesSent = bytesSent
        variables.nowMilliseconds = now
        return formatted.format.line(variables.value)
    }

    var line: AccessLogLine {
        let fields = head?.headers ?? rejected?.headers
        return AccessLogLine(
            path: path, remoteAddress: remoteAddress,
            requestLine: head.map { "\($0.clientMethod) \($0.target) \($0.version.rawValue)" } ?? rejected?.requestLine ?? "-",
            status: status, bytesSent: bytesSent,
            referer: fields?["Referer"] ?? "-", userAgent: fields?["User-Agent"] ?? "-")
    }
}
