"""A WebSocket (RFC 6455) echo upstream for the tunnel tests, written by hand
(standard library only). argv[1]: port (0: any), argv[2]: a file where it
appends one line per event; argv[3] and argv[4], when given: a certificate
and its key, to speak TLS (an https upstream) ("closed PATH": the peer ended a tunnel; "got
PATH N": bytes read after a 101 nobody asked for). Prints "ready PORT".

A request with `Upgrade: websocket` gets a 101 and its frames echoed
(text and binary as they came, unmasked; ping answered by pong; close
answered by close, then the connection closes):
  /echo         the 101 alone
  /hello        the 101 and a text frame "hello" in the same write
  /hello-close  the 101 and a text frame "bye", then the upstream closes
A request without it gets 200 and, as its body, the head it received.
  /switch-anyway  a 101 whatever the request, then "raw after 101", then
                  reads for 1 s and records what arrived, and closes
  /events       server-sent events: "data: one", then "data: two" only
                once the file argv[2] + ".release" exists
"""
import base64
import hashlib
import os
import socket
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
events_path = sys.argv[2]
lock = threading.Lock()


def note(line):
    with lock:
        with open(events_path, "a") as f:
            f.write(line + "\n")


def frame(opcode, payload):
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + n.to_bytes(2, "big")
    else:
        head += bytes([127]) + n.to_bytes(8, "big")
    return head + payload


def parse_frame(data):
    """(opcode, payload, rest) or None when the frame has not all arrived."""
    if len(data) < 2:
        return None
    opcode = data[0] & 0x0F
    masked = data[1] & 0x80
    n = data[1] & 0x7F
    at = 2
    if n == 126:
        if len(data) < 4:
            return None
        n = int.from_bytes(data[2:4], "big")
        at = 4
    elif n == 127:
        if len(data) < 10:
            return None
        n = int.from_bytes(data[2:10], "big")
        at = 10
    mask = b""
    if masked:
        if len(data) < at + 4:
            return None
        mask = data[at:at + 4]
        at += 4
    if len(data) < at + n:
        return None
    payload = data[at:at + n]
    if masked:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, payload, data[at + n:]


def echo(conn, path, data):
    try:
        while True:
            parsed = parse_frame(data)
            if parsed is None:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
                continue
            opcode, payload, data = parsed
            if opcode == 0x8:
                conn.sendall(frame(0x8, payload[:2]))
                break
            if opcode == 0x9:
                conn.sendall(frame(0xA, payload))
            elif opcode in (0x1, 0x2):
                conn.sendall(frame(opcode, payload))
    except (ConnectionError, OSError):
        pass
    note("closed " + path)


def handle(conn):
    data = b""
    try:
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, data = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            if path == "/switch-anyway":
                conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw after 101")
                conn.settimeout(1.0)
                got = len(data)
                try:
                    while True:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        got += len(chunk)
                except (socket.timeout, OSError):
                    pass
                note("got %s %d" % (path, got))
                return
            if path == "/events":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                conn.sendall(b"%x\r\ndata: one\n\n\r\n" % len(b"data: one\n\n"))
                deadline = time.time() + 60
                while not os.path.exists(events_path + ".release") and time.time() < deadline:
                    time.sleep(0.02)
                conn.sendall(b"%x\r\ndata: two\n\n\r\n0\r\n\r\n" % len(b"data: two\n\n"))
                continue
            if headers.get("upgrade", "").lower() != "websocket":
                body = head + b"\r\n"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                continue
            key = headers.get("sec-websocket-key", "").encode()
            accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
            answer = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Accept: " + accept + b"\r\nX-Seen-Connection: " + headers.get("connection", "").encode()
                      + b"\r\n\r\n")
            if path == "/hello":
                answer += frame(0x1, b"hello")
            if path == "/hello-close":
                conn.sendall(answer + frame(0x1, b"bye"))
                note("closed " + path)
                return
            conn.sendall(answer)
            echo(conn, path, data)
            return
    except (ConnectionError, OSError):
        pass
    finally:
        conn.close()


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen(64)
    print("ready %d" % listener.getsockname()[1], flush=True)
    context = None
    if len(sys.argv) > 4:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(conn, context), daemon=True).start()


def serve(conn, context):
    if context is not None:
        try:
            conn = context.wrap_socket(conn, server_side=True)
        except OSError:
            conn.close()
            return
    handle(conn)


main()
