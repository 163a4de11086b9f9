#!/usr/bin/env python3
"""Opens N idle TLS keep-alive connections to PORT (each handshakes, sends one
request and reads its answer), holds them, prints the server's RSS growth per
connection: what an idle TLS connection costs (OpenSSL's buffers included,
unless the server releases them while idle).
usage: idle_tls_connections.py PORT PID N"""
import socket
import ssl
import sys

from idle_rss import measure

port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE


def open_one():
    s = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="bench.test")
    s.sendall(b"GET /small.html HTTP/1.1\r\nHost: bench\r\n\r\n")
    s.recv(4096)
    return s


measure(pid, count, open_one)
