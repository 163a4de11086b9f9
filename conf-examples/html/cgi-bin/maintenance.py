#!/usr/bin/env python3
"""The page of /maintenance (error_page 503 = /cgi-bin/maintenance.py in
snippets/server.conf): 503 with Retry-After, which a static error page cannot
send, saying that the page is down for maintenance and when to come back."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cgi-lib"))
from sitepage import send_page  # noqa: E402

RETRY_SECONDS = 600

send_page("Down for maintenance", f"""<p class="error-code">503</p>
<h1>Down for maintenance</h1>
<p>This page is being worked on. Please come back in about {RETRY_SECONDS // 60} minutes: the answer says so to
browsers and crawlers too (<code>503</code> with <code>Retry-After: {RETRY_SECONDS}</code>).</p>
<p><a href="/">Back to the start page</a></p>""",
          status="503 Service Unavailable", current=None, headers=[("Retry-After", str(RETRY_SECONDS))],
          main_class="error-page")
