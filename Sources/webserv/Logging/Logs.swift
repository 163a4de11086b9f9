import Glibc
import ConfLang

/// One line of the access log, in nginx's combined format.
struct AccessLogLine {
    var path: String?
    var remoteAddress: String
    var requestLine: String
    var status: Int
    var bytesSent: Int
    var referer: String
    var userAgent: String

    /// Appends the line; `time` is nginx's `$time_local` text. Written as
    /// bytes straight into the log's buffer: this runs for every request.
    func append(to buffer: inout [UInt8], time: String) {
        buffer.append(contentsOf: remoteAddress.utf8)
        buffer.append(contentsOf: " - - [".utf8)
        buffer.append(contentsOf: time.utf8)
        buffer.append(contentsOf: "] \"".utf8)
        Logs.appendEscaped(requestLine, to: &buffer)
        buffer.append(contentsOf: "\" ".utf8)
        buffer.appendDecimal(status)
        buffer.append(UInt8(ascii: " "))
        buffer.appendDecimal(bytesSent)
        buffer.append(contentsOf: " \"".utf8)
        Logs.appendEscaped(referer, to: &buffer)
        buffer.append(contentsOf: "\" \"".utf8)
        Logs.appendEscaped(userAgent, to: &buffer)
        buffer.append(contentsOf: "\"\n".utf8)
    }
}

/// Access logs (buffered, flushed at least once a second) and the error log
/// (timestamped, written at once). Files are opened when the configuration
/// is applied; one descriptor per path.
final class Logs {
    private var files: [String: Int32] = [:]
    private var buffers: [String: [UInt8]] = [:]
    /// `$time_local` of the current second (formatted once per second, not per line).
    private var accessTime: (second: Int, text: String) = (-1, "")
    /// The main `error_log` (start, signals, reloads, accept failures).
    private var mainErrorLog = LogTarget(path: "stderr", level: "error")

    static let levels = ["debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"]

    /// Opens every path (append mode, created when missing): the main error
    /// log, the error logs of servers and locations (for what happens while
    /// answering their requests), the access logs. A path that cannot be
    /// opened is an error message; nothing changes then.
    func open(errorLog: LogTarget, requestErrorLogs: Set<String> = [], accessLogs: Set<String>) -> String? {
        var opened: [String: Int32] = [:]
        for path in accessLogs.union(requestErrorLogs).union([errorLog.path]) where path != "stderr" {
            if let existing = files[path] { opened[path] = existing; continue }
            let fd = Logs.openFile(path)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                for (path, fd) in opened where files[path] == nil { Socket.close(fd) }
                return "cannot open log file '\(path)': \(reason)"
            }
            opened[path] = fd
        }
        flush()
        for (path, fd) in files where opened[path] == nil { Socket.close(fd) }
        files = opened
        mainErrorLog = errorLog
        return nil
    }

    /// SIGUSR1, for logrotate: each file is opened again by its path (after
    /// its buffered lines went to the old one). A path that cannot be opened
    /// keeps its old descriptor, and the error log says why.
    func reopen() {
        flush()
        for (path, old) in files {
            let fd = Logs.openFile(path)
            guard fd >= 0 else {
                error("alert", "cannot reopen log file '\(path)': \(String(cString: strerror(errno)))")
                continue
            }
            Socket.close(old)
            files[path] = fd
        }
    }

    /// Append mode, created when missing.
    static func openFile(_ path: String) -> Int32 {
        Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    }

    func access(_ line: AccessLogLine) {
        guard let path = line.path, files[path] != nil else { return }
        let now = Clock.wallSeconds()
        if now != accessTime.second { accessTime = (now, Logs.localTime(now)) }
        line.append(to: &buffers[path, default: []], time: accessTime.text)
        if buffers[path]!.count > 64 * 1024 { flush() }
    }

    /// A line of a `log_format` (made by `AccessLogRecord.formattedLine`).
    func access(path: String, formatted line: String) {
        guard files[path] != nil else { return }
        buffers[path, default: []].append(contentsOf: line.utf8)
        buffers[path, default: []].append(UInt8(ascii: "\n"))
        if buffers[path]!.count > 64 * 1024 { flush() }
    }

    /// The access line of `record`, in its format.
    func access(_ record: AccessLogRecord, now: Int) {
        if let line = record.formattedLine(now: now) { access(path: record.path, formatted: line) } else { access(record.line) }
    }

    func flush() {
        for (path, bytes) in buffers where !bytes.isEmpty {
            if let fd = files[path] { writeAll(fd, bytes) }
            buffers[path] = []
        }
    }

    /// Writes to `target` (the error_log of the request's location), or to
    /// the main error log, when `level` is at least the target's level.
    func error(_ level: String, _ message: String, to target: LogTarget? = nil) {
        let target = target ?? mainErrorLog
        guard (Logs.levels.firstIndex(of: level) ?? 4) >= (Logs.levels.firstIndex(of: target.level) ?? 4) else { return }
        let fd = target.path == "stderr" ? STDERR_FILENO : (files[target.path] ?? STDERR_FILENO)
        writeAll(fd, Array("\(Logs.timestamp(Clock.wallSeconds())) [\(level)] \(getpid())#0: \(message)\n".utf8))
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            offset += count
        }
    }

    /// `2026/11/25 04:43:24`, nginx's error log time.
    static func timestamp(_ time: Int) -> String { HTTPDate.formatted(time, "%Y/%m/%d %H:%M:%S", localTime: true) }

    /// `25/Nov/2026:04:43:24 +0000`, nginx's $time_local.
    static func localTime(_ time: Int) -> String { HTTPDate.formatted(time, "%d/%b/%Y:%H:%M:%S %z", localTime: true) }

    /// `2026-11-25T04:43:24+00:00`, nginx's $time_iso8601.
    static func iso8601(_ time: Int) -> String {
        let text = HTTPDate.formatted(time, "%Y-%m-%dT%H:%M:%S%z", localTime: true)
        // strftime's zone is +0000; nginx's has a colon.
        guard text.count >= 5 else { return text }
        return String(text.dropLast(2)) + ":" + text.suffix(2)
    }

    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    /// nginx escapes `"`, `\` and bytes outside printable ASCII as \xHH.
    static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x7F {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "x"))
                buffer.append(upperHexDigits[Int(byte >> 4)])
                buffer.append(upperHexDigits[Int(byte & 0xF)])
            } else {
                buffer.append(byte)
            }
        }
    }
}
