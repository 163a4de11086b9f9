"""An HTTPS upstream for the proxy_pass https:// tests: HTTP/1.1 over TLS with
keep-alive (argv: port (0: any free one, reported as "ready PORT"), the
certificate chain, its key, and the mode). Every answer says what its
connection's TLS was: X-SNI (the server name the client sent, "-" for none),
X-Connection (which accepted connection, from 1) and X-Resumed (1 when the
handshake resumed an earlier session); the body echoes the request line and
body. /close answers with Connection: close and closes.
Mode "garbage": every connection gets plain-text bytes instead of a
ServerHello, then is closed; "silent": connections are accepted and never
answered (a stalled handshake); "client": a client certificate issued by
argv[5] is required, and X-Client names its subject's CN."""
import time
import socket
import ssl
import sys
import threading

port, certificate, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
mode = sys.argv[4] if len(sys.argv) > 4 else "tls"
accepted = 0
server_names = {}

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certificate, key)
if mode == "client":
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=sys.argv[5])

def remember_name(tls, name, _context):
    server_names[id(tls)] = name

context.sni_callback = remember_name

def handle(raw, number):
    raw.settimeout(10)
    if mode == "silent":
        time.sleep(30)
        raw.close()
        return
    if mode == "garbage":
        try:
            raw.recv(4096)
            raw.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain")
        except OSError:
            pass
        raw.close()
        return
    try:
        conn = context.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    name = server_names.pop(id(conn), None) or "-"
    resumed = "1" if conn.session_reused else "0"
    peer = conn.getpeercert() or {}
    client = next((value for field in peer.get("subject", ()) for (name, value) in field if name == "commonName"), "-")
    pending = b""
    try:
        while True:
            while b"\r\n\r\n" not in pending:
                more = conn.recv(65536)
                if not more:
                    raise EOFError
                pending += more
            head, _, rest = pending.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            fields = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            length = int(fields.get("content-length", "0"))
            while len(rest) < length:
                more = conn.recv(65536)
                if not more:
                    raise EOFError
                rest += more
            body, pending = rest[:length], rest[length:]
            path = lines[0].split(" ")[1]
            close = "/close" in path or fields.get("connection", "").lower() == "close"
            echo = lines[0].encode() + b"\nHost: " + fields.get("host", "").encode() + b"\nBODY:" + body
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-SNI: %s\r\nX-Connection: %d\r\nX-Resumed: %s\r\nX-Client: %s\r\n%s\r\n%s"
                         % (len(echo), name.encode(), number, resumed.encode(), client.encode(), b"Connection: close\r\n" if close else b"", echo))
            if close:
                break
    except (EOFError, OSError, ssl.SSLError):
        pass
    try:
        conn.close()
    except OSError:
        pass

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(64)
print("ready", listener.getsockname()[1], flush=True)
while True:
    connection, _ = listener.accept()
    accepted += 1
    threading.Thread(target=handle, args=(connection, accepted), daemon=True).start()
