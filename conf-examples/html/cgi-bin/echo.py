#!/usr/bin/env python3
"""Echoes the request as the script sees it: method, query, path info, the
body's length and SHA-256, and its fields when it is a form."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cgi-lib"))
from sitepage import body_fields, env, esc, fields_table, query_fields, read_body, send_page, sha256  # noqa: E402

body = read_body()
fields, files = body_fields(body, env("CONTENT_TYPE"))
fields += [(part.name, f"{part.filename} ({len(part.data)} bytes)") for part in files]
request = [
    ("method", env("REQUEST_METHOD")),
    ("request_uri", env("REQUEST_URI")),
    ("query_string", env("QUERY_STRING")),
    ("path_info", env("PATH_INFO")),
    ("content_type", env("CONTENT_TYPE")),
    ("content_length", str(len(body))),
    ("sha256", sha256(body)),
]
text = ""
if body and not fields:
    shown = body[:4096].decode("utf-8", "replace")
    text = f'<section class="card"><h2>Body</h2><pre><code class="echo" id="body-text">{esc(shown)}</code></pre></section>'
send_page("Echo", f"""<h1>The request, as <code>echo.py</code> sees it</h1>
<section class="card"><h2>Request</h2>{fields_table(request)}</section>
<section class="card"><h2>Query fields</h2>{fields_table(query_fields())}</section>
<section class="card"><h2>Body fields</h2>{fields_table(fields)}</section>
{text}
<p><a href="/form.html#echo-form">Back to the forms</a></p>""")
