#!/usr/bin/env python3
"""Handles the form of /form.html: GET query strings and POSTed urlencoded bodies."""
import html
import os
import sys
from urllib.parse import parse_qs

method = os.environ.get("REQUEST_METHOD", "GET")
if method == "POST":
    length = int(os.environ.get("CONTENT_LENGTH") or 0)
    fields = parse_qs(sys.stdin.buffer.read(length).decode("utf-8", "replace"))
else:
    fields = parse_qs(os.environ.get("QUERY_STRING", ""))
items = "".join(f"<li>{html.escape(k)} = {html.escape(', '.join(v))}</li>" for k, v in sorted(fields.items()))
print("Content-Type: text/html; charset=utf-8")
print()
print(f"<!DOCTYPE html><html><body><h1>Received by {html.escape(method)}</h1>"
      f"<ul>{items or '<li>(nothing)</li>'}</ul><p><a href='/form.html'>Back</a></p></body></html>")
