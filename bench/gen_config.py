#!/usr/bin/env python3
"""Writes a valid configuration of about N lines, valid for webserv and for
`nginx -t` alike (only directives both know), for parse/lint/format timing.
usage: gen_config.py N OUT"""
import sys

target, out = int(sys.argv[1]), sys.argv[2]
lines = ["events {", "    worker_connections 1024;", "}", "http {",
         "    types {", "        text/html html;", "        text/plain txt;", "    }",
         "    default_type application/octet-stream;", "    keepalive_timeout 65;"]
server = 0
while len(lines) < target - 2:
    server += 1
    lines += ["    server {", f"        listen {10000 + server % 100};", f"        server_name s{server}.example.com;",
              "        root /tmp/www;", "        index index.html;", "        client_max_body_size 2m;",
              "        error_page 404 /404.html;", ""]
    for location in range(12):
        lines += [f"        location /p{location}/ {{", "            autoindex on;",
                  f'            # location {location} of server {server}', "            keepalive_timeout 30s;", "        }"]
    lines += ["        location = /exact {", "            return 301 /p0/;", "        }", "    }"]
lines.append("}")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
