import Foundation
import XCTest

/// Certificates made at test time with the openssl command line: a CA, and
/// leaves it signed with subjectAltNames (and one expired). Each test gets
/// its own directory, so a test may replace a file (a renewal).
final class TestCertificates {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "webserv-tls-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                     "-subj", "/CN=webserv test CA", "-keyout", path("ca.key"), "-out", path("ca.pem")])
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// `NAME.pem` (the leaf, then the CA: a full chain) and `NAME.key`, for
    /// `names` (the first is the subject's CN); `serial` tells renewals apart.
    @discardableResult
    func leaf(_ file: String, names: [String], serial: Int = 1, days: Int = 2, expired: Bool = false) throws -> String {
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(names[0])",
                     "-keyout", path(file + ".key"), "-out", path(file + ".csr")])
        let extensions = "subjectAltName=" + names.map { "DNS:\($0)" }.joined(separator: ",") + "\n"
        try extensions.write(toFile: path(file + ".ext"), atomically: true, encoding: .utf8)
        var arguments = ["x509", "-req", "-in", path(file + ".csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                         "-set_serial", String(serial), "-extfile", path(file + ".ext"), "-out", path(file + ".crt")]
        // An expired one: valid from two days ago to yesterday.
        arguments += expired ? ["-not_before", "20000101000000Z", "-not_after", "20000102000000Z"] : ["-days", String(days)]
        try openssl(arguments)
        let chain = try String(contentsOfFile: path(file + ".crt"), encoding: .utf8) + String(contentsOfFile: path("ca.pem"), encoding: .utf8)
        try chain.write(toFile: path(file + ".pem"), atomically: true, encoding: .utf8)
        return path(file + ".pem")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    private func openssl(_ arguments: [String]) throws {
        let result = try runCommand("/usr/bin/openssl", arguments)
        guard result.status == 0 else {
            throw NSError(domain: "TestCertificates", code: Int(result.status),
                          userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")): \(result.output)"])
        }
    }
}

/// Runs a command to its end (stdin empty); its status and its stdout and stderr together.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A TLS client in Python's `ssl` module (as a browser would: SNI, ALPN,
/// session resumption), run as `python3 -c`; it prints one JSON object.
enum PythonTLSClient {
    /// Connects once to 127.0.0.1:`port` with server name `name` (nil: no
    /// SNI) trusting `ca`, sends GET `paths` one after another on the one
    /// connection (keep-alive) and reads each answer by its Content-Length.
    /// `pipelined`: every request is sent before the first answer is read.
    static func get(port: Int, name: String?, ca: String, paths: [String] = ["/"], alpn: [String] = ["http/1.1"],
                    pipelined: Bool = false) throws -> Result {
        let output = try python(script, [pipelined ? "pipeline" : "get", String(port), name ?? "", ca, alpn.joined(separator: ",")] + paths)
        return try JSONDecoder().decode(Result.self, from: Data(output.utf8))
    }

    /// Connects `count + 1` times, each later one offering the session of the first;
    /// `tickets` false: TLS 1.2 without tickets (resumption by session id). How many resumed.
    static func resumed(port: Int, name: String, ca: String, count: Int, tickets: Bool) throws -> Int {
        let output = try python(script, ["resume", String(port), name, ca, tickets ? "tickets" : "ids", String(count)])
        return try JSONDecoder().decode(Resumption.self, from: Data(output.utf8)).reused
    }

    struct Result: Decodable {
        let subject: String
        let serial: Int
        let alpn: String?
        let version: String
        let answers: [Answer]
    }

    struct Answer: Decodable {
        let status: Int
        let body: String
        let length: Int
        let location: String?
    }

    private struct Resumption: Decodable { let reused: Int }

    private static func python(_ script: String, _ arguments: [String]) throws -> String {
        let result = try runCommand("/usr/bin/python3", ["-c", script] + arguments)
        guard result.status == 0 else {
            throw NSError(domain: "PythonTLSClient", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.output])
        }
        return result.output
    }

    private static let script = #"""
import json, socket, ssl, sys

def context(ca, alpn=None, tickets=True):
    c = ssl.create_default_context(cafile=ca)
    if alpn: c.set_alpn_protocols(alpn)
    if not tickets:
        c.options |= ssl.OP_NO_TICKET
        c.maximum_version = ssl.TLSVersion.TLSv1_2
    return c

def connect(port, name, c, session=None):
    raw = socket.create_connection(("127.0.0.1", port), timeout=20)
    if not name: c.check_hostname = False
    return c.wrap_socket(raw, server_hostname=name or None, session=session)

def received(s):
    data = s.recv(65536)
    if not data: raise SystemExit("closed inside a chunked body")
    return data

def answer(s, buffered):
    while b"\r\n\r\n" not in buffered:
        more = s.recv(65536)
        if not more: raise SystemExit("closed before a head")
        buffered += more
    head, rest = buffered.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length, chunked, location = 0, False, None
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.lower() == "location": location = value.strip()
        if key.lower() == "content-length": length = int(value.strip())
        if key.lower() == "transfer-encoding": chunked = value.strip().lower() == "chunked"
    if chunked:
        body = b""
        while True:
            while b"\r\n" not in rest: rest += received(s)
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2: rest += received(s)
            body, rest = body + rest[:size], rest[size + 2:]
            if size == 0: break
        status = int(lines[0].split()[1])
        return {"status": status, "body": body[:200].decode("latin-1"), "length": len(body), "location": location}, rest
    while len(rest) < length:
        more = s.recv(65536)
        if not more: raise SystemExit("closed inside a body")
        rest += more
    body = rest[:length]
    return {"status": int(lines[0].split()[1]), "body": body[:200].decode("latin-1"), "length": len(body), "location": location}, rest[length:]

def request(s, host, path):
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode())

mode, port, name, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
if mode in ("get", "pipeline"):
    alpn, paths = sys.argv[5].split(","), sys.argv[6:]
    s = connect(port, name, context(ca, alpn))
    cert = s.getpeercert()
    subject = dict(x[0] for x in cert["subject"])["commonName"]
    answers, buffered = [], b""
    if mode == "pipeline":
        s.sendall(b"".join(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, name or "localhost")).encode() for path in paths))
    for path in paths:
        if mode == "get": request(s, name or "localhost", path)
        one, buffered = answer(s, buffered)
        answers.append(one)
    print(json.dumps({"subject": subject, "serial": int(cert["serialNumber"], 16), "alpn": s.selected_alpn_protocol(),
                      "version": s.version(), "answers": answers}))
else:
    tickets, count = sys.argv[5] == "tickets", int(sys.argv[6])
    c = context(ca, tickets=tickets)
    s = connect(port, name, c)
    request(s, name, "/")
    answer(s, b"")      # TLS 1.3 tickets arrive after the handshake: read before taking the session
    session = s.session
    s.close()
    reused = 0
    for _ in range(count):
        s = connect(port, name, c, session)
        request(s, name, "/")
        answer(s, b"")
        reused += 1 if s.session_reused else 0
        s.close()
    print(json.dumps({"reused": reused}))
"""#
}

/// One TLS connection kept open by a Python process: each `get` sends a
/// request on it and reads the answer (status and body, one line), so a test
/// can do things in between (a reload) and use the same connection again.
final class PythonTLSKeepAlive {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    /// The serial number of the certificate the connection was made with.
    private(set) var serial = 0

    init(port: Int, name: String, ca: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", PythonTLSKeepAlive.script, String(port), name, ca]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        serial = Int(try line()) ?? -1
    }

    func get(_ path: String) throws -> String {
        input.fileHandleForWriting.write(Data("\(path)\n".utf8))
        return try line()
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private var buffered = Data()

    private func line() throws -> String {
        while true {
            if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let text = String(decoding: buffered[..<end], as: UTF8.self)
                buffered.removeSubrange(...end)
                return text
            }
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else { throw NSError(domain: "PythonTLSKeepAlive", code: 1, userInfo: [NSLocalizedDescriptionKey: "the client ended"]) }
            buffered.append(more)
        }
    }

    private static let script = #"""
import socket, ssl, sys
port, name, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = ssl.create_default_context(cafile=ca).wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20), server_hostname=name)
print(int(s.getpeercert()["serialNumber"], 16), flush=True)
buffered = b""
def more():
    data = s.recv(65536)
    if not data:
        print("closed", flush=True)
        sys.exit(0)
    return data
for path in sys.stdin:
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path.strip(), name)).encode())
    while b"\r\n\r\n" not in buffered: buffered += more()
    head, buffered = buffered.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = [int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length:")][0]
    while len(buffered) < length: buffered += more()
    print(lines[0].split()[1], buffered[:length].decode("latin-1"), flush=True)
    buffered = buffered[length:]
"""#
}

/// A relay in Python's `ssl` module: each plain TCP connection made to
/// `port` (127.0.0.1) becomes a TLS connection to the server, bytes copied
/// both ways, and either side's close closes the other. So the plain-HTTP
/// tests' `RawClient` and `readResponse` talk to a TLS port unchanged.
final class PythonTLSRelay {
    private let process = Process()
    private let output = Pipe()
    let port: Int

    init(to serverPort: Int, name: String, ca: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", PythonTLSRelay.script, String(serverPort), name, ca]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = Data()
        while !text.contains(UInt8(ascii: "\n")) {
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else { throw NSError(domain: "PythonTLSRelay", code: 1, userInfo: [NSLocalizedDescriptionKey: "the relay did not start"]) }
            text.append(more)
        }
        port = Int(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }

    private static let script = #"""
import select, socket, ssl, sys, threading
port, name, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=ca)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)

# One thread per connection, both directions in it: an SSL object is never
# used by two threads at once.
def serve(plain):
    secure = None
    try:
        secure = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname=name)
        while True:
            ready = [secure] if secure.pending() else select.select([plain, secure], [], [])[0]
            for source in ready:
                data = source.recv(65536)
                if not data: return
                (secure if source is plain else plain).sendall(data)
    except (OSError, ssl.SSLError):
        pass
    finally:
        for s in (plain, secure):
            if s is None: continue
            try: socket.socket.shutdown(s, socket.SHUT_RDWR)
            except OSError: pass
            s.close()

while True:
    plain, _ = listener.accept()
    threading.Thread(target=serve, args=(plain,), daemon=True).start()
"""#
}
