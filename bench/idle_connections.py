#!/usr/bin/env python3
"""Opens N idle keep-alive connections to PORT (each sends one request and
reads its answer), holds them, prints the server's RSS growth per connection.
usage: idle_connections.py PORT PID N"""
import socket
import sys

from idle_rss import measure

port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


def open_one():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /small.html HTTP/1.1\r\nHost: bench\r\n\r\n")
    s.recv(4096)
    return s


measure(pid, count, open_one)
