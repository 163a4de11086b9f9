"""Sends COUNT GET requests for PATH one after another on one keep-alive
connection to 127.0.0.1:PORT and reads each answer whole (Content-Length).
Used by bench/instructions.sh; exits non-zero on anything but 200. A fourth
argument `browser` adds the seven other fields a browser sends."""
import socket
import sys


def main():
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    extra = ""
    if len(sys.argv) > 4 and sys.argv[4] == "browser":
        extra = ("User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0\r\n"
                 "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.9\r\n"
                 "Accept-Encoding: gzip, deflate, br\r\nReferer: http://127.0.0.1/\r\n"
                 "Sec-Fetch-Mode: navigate\r\nCache-Control: max-age=0\r\n")
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
    connection = socket.create_connection(("127.0.0.1", port))
    pending = b""
    for _ in range(count):
        connection.sendall(request)
        while True:
            end = pending.find(b"\r\n\r\n")
            if end >= 0:
                lines = pending[:end].decode("latin-1").split("\r\n")
                if lines[0].split(" ")[1] != "200":
                    sys.exit(f"answer: {lines[0]}")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if len(pending) >= end + 4 + length:
                    pending = pending[end + 4 + length:]
                    break
            data = connection.recv(65536)
            if not data:
                sys.exit("connection closed")
            pending += data
    print("ok", count)


if __name__ == "__main__":
    main()
