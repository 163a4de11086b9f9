#!/usr/bin/env python3
"""Greets the visitor and shows the CGI environment (RFC 3875)."""
import html
import os
from urllib.parse import parse_qs

query = parse_qs(os.environ.get("QUERY_STRING", ""))
name = query.get("name", ["world"])[0]
names = ["REQUEST_METHOD", "QUERY_STRING", "SCRIPT_NAME", "PATH_INFO", "SERVER_NAME",
         "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "GATEWAY_INTERFACE", "SERVER_SOFTWARE"]
rows = "".join(f"<tr><td>{n}</td><td>{html.escape(os.environ.get(n, ''))}</td></tr>" for n in names)
print("Content-Type: text/html; charset=utf-8")
print()
print(f"<!DOCTYPE html><html><head><title>Hello</title></head><body>"
      f"<h1>Hello, {html.escape(name)}!</h1><table>{rows}</table></body></html>")
