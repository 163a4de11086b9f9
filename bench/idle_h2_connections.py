#!/usr/bin/env python3
"""Opens N idle HTTP/2 connections over TLS to PORT (each handshakes with ALPN
h2, makes one request with Python's h2 and reads its whole answer), holds
them, prints the server's RSS growth per connection: what an idle h2
connection costs (its HPACK tables and buffers included, unless released).
usage: idle_h2_connections.py PORT PID N   (run with /usr/bin/python3: it has h2)"""
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events

from idle_rss import measure

port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
context.set_alpn_protocols(["h2"])


def open_one():
    s = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="bench.test")
    if s.selected_alpn_protocol() != "h2":
        sys.exit(f"ALPN chose {s.selected_alpn_protocol()!r}, not h2")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":path", "/small.html"), (":scheme", "https"),
                          (":authority", "bench.test")], end_stream=True)
    s.sendall(conn.data_to_send())
    ended = False
    while not ended:
        data = s.recv(65536)
        if not data:
            sys.exit("the server closed a connection")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            if isinstance(event, h2.events.StreamEnded):
                ended = True
        s.sendall(conn.data_to_send())
    return s, conn


measure(pid, count, open_one, close=lambda held: held[0].close())
