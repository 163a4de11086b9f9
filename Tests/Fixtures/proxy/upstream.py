"""A tiny HTTP/1.1 upstream for the proxy tests: echoes the request it got.
/chunked answers chunked, /close answers close-delimited, /slow never answers,
/late answers after 1.5 s,
/redirect-self redirects to its own URL of /next, /redirect-away elsewhere.
Connections are kept alive (argv[2]: seconds idle before the upstream closes
one, default 5); /stats answers how many connections it has accepted;
after /drop-next, the next request on that connection is read and the
connection closed without an answer (an idle close racing a request)."""
import socket
import sys
import threading
import time

accepted = 0
idle_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0

def handle(conn):
    conn.settimeout(idle_seconds)
    pending = b""
    drop_next = False
    try:
        while True:
            pending, keep, drop_next = answer(conn, pending, drop_next)
            if not keep:
                break
    except (socket.timeout, ConnectionError):
        pass
    conn.close()

def answer(conn, data, drop):
    """Reads and answers one request; says whether the connection goes on."""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b"", False, False
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    body = rest
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(body) < length:
            body += conn.recv(65536)
        body, rest = body[:length], body[length:]
    elif headers.get("transfer-encoding") == "chunked":
        while not body.endswith(b"0\r\n\r\n"):
            body += conn.recv(65536)
        rest = b""
    else:
        body, rest = b"", body
    if drop:
        return b"", False, False
    echo = (head + b"\r\n\r\nBODY:" + body).replace(b"\r\n", b"\n")
    path = lines[0].split(" ")[1]
    keep = headers.get("connection", "").lower() != "close"
    if "/slow" in path:
        time.sleep(5)
        return b"", False, False
    if "/stats" in path:
        text = b"connections=%d" % accepted
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text))
        return rest, keep, False
    if "/late" in path:
        time.sleep(1.5)
    if "/chunked" in path:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Upstream: yes\r\nConnection: close\r\n\r\n")
        for i in range(0, len(echo), 7):
            piece = echo[i:i + 7]
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        conn.sendall(b"0\r\n\r\n")
        return b"", False, False
    elif "/redirect-self" in path:
        target = "http://127.0.0.1:%s%s" % (port, path.replace("redirect-self", "next"))
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % target.encode())
    elif "/redirect-away" in path:
        conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test/x\r\nContent-Length: 0\r\n\r\n")
    elif "/close" in path:
        conn.sendall(b"HTTP/1.1 201 Created\r\nConnection: close\r\n\r\n" + echo)
        return b"", False, False
    else:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nKeep-Alive: timeout=5\r\nServer: upstream\r\n\r\n%s" % (len(echo), echo))
    return rest, keep, "/drop-next" in path

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# Port 0: the kernel picks a free one, which the first line reports.
listener.bind(("127.0.0.1", int(sys.argv[1])))
port = listener.getsockname()[1]
listener.listen(64)
print("ready", port, flush=True)
while True:
    connection, _ = listener.accept()
    accepted += 1
    threading.Thread(target=handle, args=(connection,), daemon=True).start()
