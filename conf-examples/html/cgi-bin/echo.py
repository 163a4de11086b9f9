#!/usr/bin/env python3
"""Echoes the request: method, query, path info, body length and its SHA-256."""
import hashlib
import os
import sys

length = int(os.environ.get("CONTENT_LENGTH") or 0)
body = sys.stdin.buffer.read(length) if length else b""
lines = [
    f"method: {os.environ.get('REQUEST_METHOD', '')}",
    f"query: {os.environ.get('QUERY_STRING', '')}",
    f"path_info: {os.environ.get('PATH_INFO', '')}",
    f"content_length: {len(body)}",
    f"sha256: {hashlib.sha256(body).hexdigest()}",
]
sys.stdout.write("Content-Type: text/plain\r\n\r\n" + "\n".join(lines) + "\n")
