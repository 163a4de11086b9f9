#!/usr/bin/env python3
"""gzip side by side: the same configuration given to nginx and to webserv,
the same requests, and the status and the fields that matter compared
(Content-Encoding, Vary, Content-Type, Accept-Ranges, whether the ETag is weak,
Content-Range), plus what the body decompresses to. Differences webserv
documents (README, Compression) are listed as such; anything else fails.

Run by hand: python3 bench/gzip_compare.py [path/to/webserv]
(default .build/debug/webserv). Skips, exit 0, when nginx is not installed.
"""
import gzip, http.client, os, re, shutil, socket, subprocess, sys, tempfile, time

if shutil.which("nginx") is None:
    print("nginx is not installed: skipped")
    sys.exit(0)
webserv = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/webserv"

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

work = tempfile.mkdtemp()
os.chmod(work, 0o755)   # nginx's workers run as an unprivileged user
www = os.path.join(work, "www")
os.makedirs(www + "/st")
os.makedirs(work + "/logs")
text = "".join(f"<p>line {i}: the quick brown fox jumps over the lazy dog</p>\n" for i in range(4000))
files = {"small.html": text[:3000], "large.html": text[:200000], "tiny.html": "hi", "style.css": text[:5000],
         "st/a.html": text[:3000]}
for name, content in files.items():
    with open(os.path.join(www, name), "w") as f:
        f.write(content)
with gzip.open(os.path.join(www, "st/a.html.gz"), "wb") as f:
    f.write(text[:3000].encode())
os.utime(os.path.join(www, "st/a.html.gz"), (time.time() + 10, time.time() + 10))
for root, dirs, names in os.walk(www):
    os.chmod(root, 0o755)
    for name in names:
        os.chmod(os.path.join(root, name), 0o644)

body = f"""
        root {www};
        gzip on;
        gzip_vary on;
        gzip_types text/css;
        location /st/ {{ gzip_static on; }}
        location /l6/ {{ alias {www}/; gzip_comp_level 6; }}
        location /proxied/ {{ alias {www}/; gzip_proxied expired no-cache; }}
"""
ports = {"webserv": free_port(), "nginx": free_port()}
with open(work + "/webserv.conf", "w") as f:
    f.write(f"events {{ }}\nhttp {{ access_log off; error_log {work}/logs/webserv.log; types {{ text/html html; text/css css; }}\n"
            f"    server {{ listen 127.0.0.1:{ports['webserv']}; {body} }}\n}}\n")
with open(work + "/nginx.conf", "w") as f:
    f.write(f"pid {work}/nginx.pid;\nerror_log {work}/logs/nginx.log;\nevents {{ }}\n"
            f"http {{ access_log off; types {{ text/html html; text/css css; }}\n"
            f"    server {{ listen 127.0.0.1:{ports['nginx']}; {body} }}\n}}\n")
servers = [subprocess.Popen([webserv, work + "/webserv.conf"], stderr=subprocess.DEVNULL)]
subprocess.run(["nginx", "-c", work + "/nginx.conf", "-p", work], check=True)
time.sleep(1)

gz = {"Accept-Encoding": "gzip, deflate"}
cases = [
    ("GET", "/small.html", gz, None),
    ("GET", "/large.html", gz, None),
    ("GET", "/large.html", {}, None),
    ("HEAD", "/large.html", gz, None),
    ("GET", "/tiny.html", gz, None),
    ("GET", "/style.css", gz, None),
    ("GET", "/missing.html", gz, None),
    ("GET", "/large.html", {"Accept-Encoding": "gzip;q=0"}, None),
    ("GET", "/large.html", {"Accept-Encoding": "deflate, gzip;q=0.5"}, None),
    ("GET", "/large.html", {"Accept-Encoding": "x-gzip"}, None),
    ("GET", "/large.html", {"Accept-Encoding": "*"}, "webserv counts * as gzip (RFC 9110); nginx ignores it"),
    ("GET", "/large.html", dict(gz, Range="bytes=0-9"), "webserv sends a range request its range plain (206); nginx the whole answer compressed"),
    ("GET", "/large.html", dict(gz, Via="1.1 cache"), None),
    ("GET", "/proxied/large.html", dict(gz, Via="1.1 cache"), None),
    ("GET", "/l6/large.html", gz, None),
    ("GET", "/st/a.html", gz, None),
    ("GET", "/st/a.html", {}, None),
    ("HEAD", "/st/a.html", gz, None),
]
# A body in memory goes with its Content-Length (nginx chunks every gzip
# answer): framing is not compared, what the body decompresses to is.
fields = ["Content-Encoding", "Vary", "Content-Type", "Accept-Ranges", "Content-Range"]

def ask(server, method, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", ports[server], timeout=10)
    connection.request(method, path, headers=headers)
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    seen = {name: answer.getheader(name) for name in fields}
    etag = answer.getheader("ETag")
    seen["ETag weak"] = None if etag is None else etag.startswith("W/")
    if answer.getheader("Content-Encoding") == "gzip" and data:
        data = gzip.decompress(data)
    # A built-in page names its server: the same page otherwise.
    data = re.sub(rb"<center>(nginx|webserv)[^<]*</center>", b"<center>SERVER</center>", data)
    return answer.status, seen, data

failures = 0
try:
    for method, path, headers, expected in cases:
        w, n = ask("webserv", method, path, headers), ask("nginx", method, path, headers)
        same = w == n
        label = f"{method} {path} {headers}"
        if same:
            print(f"same       {label}: {w[0]} {w[1]}")
        elif expected:
            print(f"documented {label}: {expected}\n    webserv {w[0]} {w[1]}\n    nginx   {n[0]} {n[1]}")
        else:
            failures += 1
            print(f"DIFFERENT  {label}\n    webserv {w[0]} {w[1]} body {len(w[2])}\n    nginx   {n[0]} {n[1]} body {len(n[2])}")
finally:
    servers[0].terminate()
    subprocess.run(["nginx", "-c", work + "/nginx.conf", "-p", work, "-s", "stop"])
    time.sleep(0.3)
    shutil.rmtree(work, ignore_errors=True)
print(f"{len(cases)} requests, {failures} unexpected differences")
sys.exit(1 if failures else 0)
