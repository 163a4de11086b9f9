#!/usr/bin/env python3
"""Reports the parts of a multipart/form-data POST (names, file names, sizes).
Parses the body with the standard library's email package (the cgi module is
gone in Python 3.13); it stores nothing."""
import html
import os
import sys
from email.parser import BytesParser
from email.policy import HTTP

content_type = os.environ.get("CONTENT_TYPE", "")
length = int(os.environ.get("CONTENT_LENGTH") or 0)
body = sys.stdin.buffer.read(length) if length else b""
rows = []
if content_type.startswith("multipart/form-data"):
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        filename = part.get_filename() or ""
        size = len(part.get_payload(decode=True) or b"")
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(filename)}</td><td>{size}</td></tr>")
print("Content-Type: text/html; charset=utf-8")
print()
print("<!DOCTYPE html><html><body><h1>Parts received</h1><table><tr><th>field</th><th>file</th><th>bytes</th></tr>"
      + "".join(rows) + "</table></body></html>")
