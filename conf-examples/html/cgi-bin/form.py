#!/usr/bin/env python3
"""Handles the forms of /form.html: GET query strings and POSTed bodies
(application/x-www-form-urlencoded or multipart/form-data), read as UTF-8."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cgi-lib"))
from sitepage import body_fields, env, esc, fields_table, query_fields, read_body, send_page  # noqa: E402

method = env("REQUEST_METHOD") or "GET"
if method == "POST":
    fields, files = body_fields(read_body(), env("CONTENT_TYPE"))
    fields += [(part.name, part.filename) for part in files]
else:
    fields = query_fields()
send_page(f"Received by {method}", f"""<h1>Received by {esc(method)}</h1>
<p class="lead">What <code>cgi-bin/form.py</code> read from the {"body" if method == "POST" else "query string"}
(<code>{esc(env("CONTENT_TYPE") or "no body")}</code>).</p>
<section class="card">{fields_table(fields)}</section>
<p><a href="/form.html">Back to the forms</a></p>""")
