#!/usr/bin/env python3
"""Reports the parts of a multipart/form-data POST (fields with their values,
files with their names, sizes and SHA-256); it stores nothing."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cgi-lib"))
from sitepage import body_fields, env, esc, fields_table, read_body, send_page, sha256  # noqa: E402

if env("REQUEST_METHOD") != "POST" or not env("CONTENT_TYPE").lower().startswith("multipart/form-data"):
    send_page("Parts received", """<h1>Parts received</h1>
<p class="lead">Send a <code>multipart/form-data</code> form here by POST, as the
<a href="/form.html#multipart-form">multipart form</a> does, and this script reports each part.</p>""")
    sys.exit(0)

body = read_body()
fields, files = body_fields(body, env("CONTENT_TYPE"))
rows = "".join(
    f'<tr data-file="{esc(part.filename)}"><td>{esc(part.name)}</td><td class="name"><span class="echo">{esc(part.filename)}</span></td>'
    f'<td>{esc(part.content_type)}</td><td class="num">{len(part.data)}</td><td><code>{sha256(part.data)[:16]}…</code></td></tr>'
    for part in files if part.filename or part.data)
files_html = (f'<div class="table-wrap"><table><thead><tr><th>field</th><th>file name</th><th>type</th>'
              f'<th class="num">bytes</th><th>SHA-256</th></tr></thead><tbody>{rows}</tbody></table></div>'
              if rows else '<p class="empty">(no files)</p>')
send_page("Parts received", f"""<h1>Parts received</h1>
<p class="lead"><code>cgi-bin/upload.py</code> read {len(body)} bytes of <code>multipart/form-data</code>; it stores nothing.</p>
<section class="card"><h2>Fields</h2>{fields_table(fields, "(no fields)")}</section>
<section class="card"><h2>Files</h2>{files_html}</section>
<p><a href="/form.html">Back to the forms</a></p>""")
