"""Shared by the CGI scripts in ../html/cgi-bin/: read the request as UTF-8
text (query string, urlencoded and multipart bodies) and answer with a page in
the site's look. It lives outside the served root so that the server never
runs it as a script of its own. Standard library only (the cgi module is gone
in Python 3.13)."""
import hashlib
import html
import os
import re
import sys
from urllib.parse import parse_qsl, unquote

NAV = [("/files.html", "Files"), ("/upload.html", "Upload"), ("/form.html", "CGI"), ("/proxied/", "Proxied")]


def esc(value):
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(value), quote=True)


def env(name):
    """A CGI variable as text: its bytes read as UTF-8 whatever the locale."""
    value = os.environb.get(name.encode("ascii"))
    return value.decode("utf-8", "replace") if value is not None else ""


def query_fields():
    """[(name, value)] of QUERY_STRING, percent-escapes read as UTF-8."""
    return parse_qsl(env("QUERY_STRING"), keep_blank_values=True, encoding="utf-8", errors="replace")


def read_body():
    """The request body: CONTENT_LENGTH bytes of stdin."""
    try:
        length = max(0, int(env("CONTENT_LENGTH") or 0))
    except ValueError:
        length = 0
    chunks, left = [], length
    while left > 0:
        chunk = sys.stdin.buffer.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def parse_header_value(value):
    """'type/sub; a=1; b="x y"' -> ('type/sub', {'a': '1', 'b': 'x y'}); RFC 5987 name*= values decoded."""
    main = value.split(";", 1)[0].strip().lower()
    params = {}
    for match in _PARAM.finditer(value[len(value.split(";", 1)[0]):]):
        key, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):
            charset, _, rest = raw.partition("'")
            _, _, encoded = rest.partition("'")
            try:
                params[key[:-1]] = unquote(encoded, encoding=charset or "utf-8", errors="replace")
            except LookupError:
                params[key[:-1]] = unquote(encoded, errors="replace")
            continue
        params.setdefault(key, raw)
    return main, params


class Part:
    """One part of a multipart/form-data body."""

    def __init__(self, headers, data):
        self.headers = headers
        self.data = data
        _, disposition = parse_header_value(headers.get("content-disposition", ""))
        self.name = disposition.get("name", "")
        self.filename = disposition.get("filename")  # None for a plain field
        self.content_type, params = parse_header_value(headers.get("content-type", "text/plain"))
        self.charset = params.get("charset", "utf-8")

    @property
    def text(self):
        try:
            return self.data.decode(self.charset, "replace")
        except LookupError:
            return self.data.decode("utf-8", "replace")


def parse_multipart(body, boundary):
    """The parts of a multipart body (RFC 7578); header bytes are read as UTF-8, as browsers send them."""
    delimiter = b"\r\n--" + boundary.encode("utf-8", "replace")
    parts = []
    for segment in (b"\r\n" + body).split(delimiter)[1:]:
        if segment.startswith(b"--"):
            break
        line_end = segment.find(b"\r\n")
        if line_end < 0:
            continue
        head, _, data = segment[line_end + 2:].partition(b"\r\n\r\n")
        headers = {}
        for line in head.split(b"\r\n"):
            name, colon, value = line.decode("utf-8", "replace").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers, data))
    return parts


def body_fields(body, content_type):
    """([(name, value)] of the form fields, [Part] of the files) of a POSTed form body."""
    media, params = parse_header_value(content_type)
    charset = params.get("charset", "utf-8")
    if media == "application/x-www-form-urlencoded":
        try:
            return parse_qsl(body.decode(charset, "replace"), keep_blank_values=True, encoding=charset, errors="replace"), []
        except LookupError:
            return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, errors="replace"), []
    if media == "multipart/form-data" and params.get("boundary"):
        parts = parse_multipart(body, params["boundary"])
        fields = [(part.name, part.text) for part in parts if part.filename is None]
        return fields, [part for part in parts if part.filename is not None]
    return [], []


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def fields_table(fields, empty="(nothing)"):
    """An HTML table of (name, value) pairs; each value in a span.echo, each row data-field=name."""
    if not fields:
        return f'<p class="empty">{esc(empty)}</p>'
    rows = "".join(
        f'<tr data-field="{esc(name)}"><th scope="row">{esc(name)}</th><td><span class="echo">{esc(value)}</span></td></tr>'
        for name, value in fields)
    return f'<div class="table-wrap"><table class="fields"><thead><tr><th>field</th><th>value</th></tr></thead><tbody>{rows}</tbody></table></div>'


def send_page(title, body_html, status=None, current="/form.html", headers=(), main_class=None):
    """Writes the CGI header block (`headers`: more (name, value) fields) and a
    complete page (UTF-8) to stdout."""
    marked = ' aria-current="page"'
    nav = "".join(f'\n  <a href="{href}"{marked if href == current else ""}>{label}</a>' for href, label in NAV)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · webserv</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header class="site-header"><nav>
  <a class="brand" href="/">webserv</a>{nav}
</nav></header>
<main{f' class="{main_class}"' if main_class else ""}>
{body_html}
</main>
<footer class="site-footer">Written by <code>{esc(os.path.basename(env("SCRIPT_NAME")) or "a CGI script")}</code>
through CGI &middot; <a href="/form.html">All CGI scripts</a> &middot; <a href="/">Home</a></footer>
</body>
</html>
"""
    head = (f"Status: {status}\r\n" if status else "") + "".join(f"{name}: {value}\r\n" for name, value in headers)
    head += "Content-Type: text/html; charset=utf-8\r\n\r\n"
    sys.stdout.buffer.write(head.encode("ascii") + page.encode("utf-8"))
    sys.stdout.buffer.flush()
