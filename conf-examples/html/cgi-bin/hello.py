#!/usr/bin/env python3
"""Greets the visitor (?name=...) and shows the CGI environment (RFC 3875)."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cgi-lib"))
from sitepage import env, esc, query_fields, send_page  # noqa: E402

name = dict(query_fields()).get("name", "").strip() or "world"
names = ["REQUEST_METHOD", "REQUEST_URI", "QUERY_STRING", "SCRIPT_NAME", "PATH_INFO", "SERVER_NAME",
         "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "GATEWAY_INTERFACE", "SERVER_SOFTWARE"]
rows = "".join(f"<tr><th scope=\"row\"><code>{n}</code></th><td>{esc(env(n))}</td></tr>" for n in names)
send_page(f"Hello, {name}", f"""<h1>Hello, <span class="echo" id="greeting-name">{esc(name)}</span>!</h1>
<p class="lead">This page was written by <code>cgi-bin/hello.py</code>, run by the server for this request.</p>
<section class="card">
  <form action="/cgi-bin/hello.py" method="get" accept-charset="utf-8">
    <p><label for="hello-name">Another name</label> <input id="hello-name" name="name" value="{esc(name)}">
       <button type="submit">Greet</button></p>
  </form>
</section>
<section class="card">
  <h2>The CGI environment</h2>
  <div class="table-wrap"><table class="fields"><tbody>{rows}</tbody></table></div>
</section>""")
