import Foundation
import XCTest

/// An HTTP/2 client for black-box tests: Python's `h2` package (Debian's
/// python3-h2, a pure HTTP/2 implementation) over a raw socket, h2c with
/// prior knowledge or TLS with ALPN `h2`. The requests go at once, each on
/// its own stream of one connection; the client gives its window back as it
/// reads (its settings are h2's defaults: a 65,535-byte window), and reports
/// each stream's answer, resets and the GOAWAY it saw.
enum HTTP2TestClient {
    struct Request: Encodable {
        var method = "GET"
        var path: String
        var body: String? = nil
        var headers: [[String]] = []
        /// Reset the stream (CANCEL) once its answer's head arrives.
        var resetAfterHead = false
    }

    struct Answer: Decodable {
        let status: Int?
        let headers: [[String]]
        let length: Int
        let sha256: String
        let text: String
        let ended: Bool
        let reset: Bool
        /// The payload size of each DATA frame, the trailers (a HEADERS frame after the body), the RST_STREAM's code.
        let dataSizes: [Int]
        let trailers: [[String]]
        let resetCode: Int?

        func header(_ name: String) -> String? { headers.first { $0[0] == name }?[1] }
        func trailer(_ name: String) -> String? { trailers.first { $0[0] == name }?[1] }
    }

    struct Result: Decodable {
        let alpn: String?
        let answers: [Answer]
        /// The last stream id of the server's GOAWAY, if one came.
        let goAway: Int?
        let closed: Bool
        /// The server's SETTINGS, by id (as text: JSON's keys).
        let settings: [String: Int]
    }

    struct Options: Encodable {
        var port: Int
        var tlsCA: String? = nil
        var serverName: String? = nil
        var requests: [Request]
        /// A process to send `signal` once the first answer's head is in (SIGQUIT: graceful close).
        var signalPID: Int32? = nil
        var signal: Int32 = 0
    }

    /// Debian's python3 with h2; skips the test where it is absent (.ci/run installs python3-h2).
    static func run(_ options: Options) throws -> Result {
        guard (try? runCommand("/usr/bin/python3", ["-c", "import h2"]))?.status == 0 else {
            throw XCTSkip("python3-h2 is not installed")
        }
        // The options in a file: a request body may be larger than a command line.
        let input = NSTemporaryDirectory() + "h2-client-" + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".json"
        try JSONEncoder().encode(options).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try runCommand("/usr/bin/python3", ["-c", script, input])
        guard result.status == 0, let start = result.output.firstIndex(of: "{") else {
            throw NSError(domain: "HTTP2TestClient", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.output])
        }
        return try JSONDecoder().decode(Result.self, from: Data(result.output[start...].utf8))
    }

    static func sha256(_ data: Data) throws -> String {
        let file = NSTemporaryDirectory() + "h2-digest-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try data.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let output = try runCommand("/usr/bin/sha256sum", [file]).output
        return String(output.prefix(64))
    }

    private static let script = #"""
import hashlib, json, os, socket, ssl, sys
import h2.config, h2.connection, h2.events, h2.errors

options = json.load(open(sys.argv[1]))
raw = socket.create_connection(("127.0.0.1", options["port"]), timeout=20)
alpn = None
if options.get("tlsCA"):
    c = ssl.create_default_context(cafile=options["tlsCA"])
    c.set_alpn_protocols(["h2", "http/1.1"])
    s = c.wrap_socket(raw, server_hostname=options.get("serverName"))
    alpn = s.selected_alpn_protocol()
else:
    s = raw
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
conn.initiate_connection()
s.sendall(conn.data_to_send())
streams = {}
order = []
authority = options.get("serverName") or "127.0.0.1:%d" % options["port"]
for request in options["requests"]:
    sid = conn.get_next_available_stream_id()
    body = request.get("body")
    headers = [(":method", request["method"]), (":scheme", "https" if options.get("tlsCA") else "http"),
               (":authority", authority), (":path", request["path"])] + [tuple(h) for h in request["headers"]]
    conn.send_headers(sid, headers, end_stream=body is None)
    streams[sid] = {"status": None, "headers": [], "body": b"", "ended": False, "reset": False, "resetAfterHead": request["resetAfterHead"],
                    "dataSizes": [], "trailers": [], "resetCode": None,
                    "upload": body.encode() if body is not None else None}
    order.append(sid)
def send_bodies():
    # Request bodies within the server's windows: the rest waits for its WINDOW_UPDATEs.
    for sid, st in streams.items():
        upload = st["upload"]
        if upload is None or st["reset"]: continue
        while True:
            room = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
            if len(upload) <= room:
                conn.send_data(sid, upload, end_stream=True)
                st["upload"] = None
                break
            if room <= 0:
                st["upload"] = upload
                break
            conn.send_data(sid, upload[:room])
            upload = upload[room:]
send_bodies()
s.sendall(conn.data_to_send())
go_away = None
closed = False
signalled = False
pending = b""
def done():
    return all(st["ended"] or st["reset"] for st in streams.values())
def frames(data):
    # Whole frames, one at a time: after GOAWAY h2 takes no more, so the rest is read here.
    global pending
    pending += data
    while len(pending) >= 9:
        length = int.from_bytes(pending[:3], "big")
        if len(pending) < 9 + length: break
        frame, pending = pending[:9 + length], pending[9 + length:]
        yield frame
def after_go_away(frame):
    kind, flags, sid = frame[3], frame[4], int.from_bytes(frame[5:9], "big") & 0x7fffffff
    if sid in streams and kind == 0:
        streams[sid]["body"] += frame[9:]
        streams[sid]["dataSizes"].append(len(frame) - 9)
        if flags & 1: streams[sid]["ended"] = True
        if len(frame) > 9:
            # The windows given back by hand (WINDOW_UPDATE on the stream and the connection).
            increment = (len(frame) - 9).to_bytes(4, "big")
            try:
                s.sendall(b"\x00\x00\x04\x08\x00" + sid.to_bytes(4, "big") + increment + b"\x00\x00\x04\x08\x00\x00\x00\x00\x00" + increment)
            except OSError:
                pass   # the server closed once the stream ended
    elif sid in streams and kind == 1:
        # An answer's head after GOAWAY (no padding or priority from this server; one frame).
        trailing = streams[sid]["status"] is not None
        for name, value in conn.decoder.decode(frame[9:]):
            name, value = (name.decode() if isinstance(name, bytes) else name), (value.decode() if isinstance(value, bytes) else value)
            if trailing: streams[sid]["trailers"].append([name, value])
            elif name == ":status": streams[sid]["status"] = int(value)
            else: streams[sid]["headers"].append([name, value])
        if flags & 1: streams[sid]["ended"] = True
    elif sid in streams and kind == 3:
        streams[sid]["reset"] = True
        streams[sid]["resetCode"] = int.from_bytes(frame[9:13], "big")
preface_seen = False
settings = {}
while not done() or (options.get("signalPID") and go_away is None and not closed):
    try:
        data = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        closed = True   # the server closed while our last frames (ACKs, WINDOW_UPDATEs) were on their way: it reset
        break
    if not data:
        closed = True
        break
    for frame in frames(data):
      if go_away is not None:
        after_go_away(frame)
        continue
      for event in conn.receive_data(frame):
        if isinstance(event, h2.events.ResponseReceived):
            st = streams[event.stream_id]
            for name, value in event.headers:
                if name == ":status": st["status"] = int(value)
                else: st["headers"].append([name, value])
            if st["resetAfterHead"]:
                conn.reset_stream(event.stream_id, h2.errors.ErrorCodes.CANCEL)
                st["reset"] = True
            if options.get("signalPID") and not signalled:
                os.kill(options["signalPID"], options["signal"])
                signalled = True
        elif isinstance(event, h2.events.DataReceived):
            st = streams[event.stream_id]
            if not st["reset"]: st["body"] += event.data
            st["dataSizes"].append(len(event.data))
            if event.flow_controlled_length:
                # Given back at once, to the byte (h2's own acknowledgement waits for half a window).
                conn.increment_flow_control_window(event.flow_controlled_length)
                if not st["reset"] and not event.stream_ended:
                    conn.increment_flow_control_window(event.flow_controlled_length, stream_id=event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            streams[event.stream_id]["ended"] = True
        elif isinstance(event, h2.events.StreamReset):
            streams[event.stream_id]["reset"] = True
            streams[event.stream_id]["resetCode"] = int(event.error_code)
        elif isinstance(event, h2.events.TrailersReceived):
            streams[event.stream_id]["trailers"] += [[name, value] for name, value in event.headers]
        elif isinstance(event, h2.events.RemoteSettingsChanged):
            for key, change in event.changed_settings.items(): settings[str(int(key))] = change.new_value
        elif isinstance(event, h2.events.ConnectionTerminated):
            go_away = event.last_stream_id
    if go_away is None: send_bodies()
    out = conn.data_to_send()
    if out:
        try:
            s.sendall(out)
        except OSError:
            pass   # closed after GOAWAY
if go_away is not None and not closed:
    # After GOAWAY the server closes once its streams are done.
    try:
        while True:
            data = s.recv(65536)
            if not data:
                closed = True
                break
            for frame in frames(data): after_go_away(frame)
    except ConnectionResetError:
        closed = True   # closed with our last WINDOW_UPDATEs unread: a reset rather than an end of file
    except Exception:
        pass
answers = []
for sid in order:
    st = streams[sid]
    answers.append({"status": st["status"], "headers": st["headers"], "length": len(st["body"]),
                    "sha256": hashlib.sha256(st["body"]).hexdigest(), "text": st["body"][:2000].decode("latin-1"),
                    "ended": st["ended"], "reset": st["reset"], "dataSizes": st["dataSizes"], "trailers": st["trailers"],
                    "resetCode": st["resetCode"]})
print(json.dumps({"alpn": alpn, "answers": answers, "goAway": go_away, "closed": closed, "settings": settings}))
"""#
}
