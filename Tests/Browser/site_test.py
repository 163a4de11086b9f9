#!/usr/bin/env python3
"""Drives the example site (conf-examples/) in headless Chromium.

Run by run.sh, which serves a copy of conf-examples/ and passes:
    site_test.py --base http://localhost:PORT --site COPY --screenshots DIR
or, over TLS (run.sh --https), --base https://localhost:PORT with the test
CA for Python's clients (--cafile) and the leaf's SPKI hash for Chromium (--spki);
with --h2 (run.sh --h2) every page the browser shows must have come, with its
sub-resources, over HTTP/2 (check_look checks it), and the "h2:" tests run.
Prints one PASS/FAIL line per test and, last, "N passed, M failed"; exits 1
when something failed. Every wait is bounded; each test has 60 s at most.
Uses /usr/bin/chromium and /usr/bin/chromedriver: nothing is downloaded.
"""
import argparse
import base64
import os
import re
import select
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, were it ever called, would not download

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common import selenium_manager  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _no_selenium_manager(*args, **kwargs):
    raise RuntimeError("Selenium Manager must not run: the browser and driver are /usr/bin/chromium and /usr/bin/chromedriver")


selenium_manager.SeleniumManager.binary_paths = _no_selenium_manager

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ACCENT = "rgb(11, 110, 79)"  # .site-header's background in style.css
TEXT = "Grüße, 世界 & <b>"    # what every form sends
TEST_SECONDS = 60
WAIT = 15                      # seconds for any one thing to appear in the browser

args = None
driver = None
state = {}
shot_number = [0]


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---- HTTP from Python (not the browser) ----

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


_opener = None


def tls_context():
    """Trusts the test CA run.sh made (over https only)."""
    return ssl.create_default_context(cafile=args.cafile)


def http_request(method, path, body=None, headers=None, timeout=15):
    """(status, headers, body) of one request; redirects are not followed."""
    global _opener
    if _opener is None:
        handlers = [_NoRedirect] + ([urllib.request.HTTPSHandler(context=tls_context())] if args.cafile else [])
        _opener = urllib.request.build_opener(*handlers)
    url = path if "://" in path else args.base + path
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def raw_request(head, body_length, body_chunk=b"x" * 65536, timeout=20):
    """Sends a request head, then up to body_length bytes of body while
    watching for an early answer (a 413 comes before the body is read);
    returns (status, headers dict, body) of the answer."""
    parts = urllib.parse.urlsplit(args.base)
    host, port = parts.hostname, parts.port
    deadline = time.monotonic() + timeout
    # What a closed or reset connection raises, in plain TCP and in TLS.
    gone = (BrokenPipeError, ConnectionResetError, ssl.SSLError)
    plain = socket.create_connection((host, port), timeout=timeout)
    if parts.scheme == "https":
        plain = tls_context().wrap_socket(plain, server_hostname=host)
        body_chunk = body_chunk[:16384]   # one record: a send never waits long on a server that stopped reading
    with plain as sock:
        sock.sendall(head)
        sent = 0
        answered = False
        while sent < body_length and not answered:
            readable, writable, _ = select.select([sock], [sock], [], max(0.1, deadline - time.monotonic()))
            check(time.monotonic() < deadline, "no answer in time while sending the body")
            if readable:
                answered = True
                break
            if writable:
                piece = body_chunk[: body_length - sent]
                try:
                    sent += sock.send(piece)
                except gone:
                    break
        data = b""
        while time.monotonic() < deadline:
            try:
                piece = sock.recv(65536)
            except gone:
                break
            if not piece:
                break
            data += piece
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", data[:head_end])
                if length and len(data) >= head_end + 4 + int(length.group(1)):
                    break
    check(data, "the connection closed without an answer (reset before the client could read it?)")
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    length = int(fields.get("content-length", len(rest)))
    return status, fields, rest[:length]


def multipart(files, fields=(), boundary=None):
    """(content type, body) of a multipart/form-data body; names sent as UTF-8, as browsers do."""
    boundary = boundary or "----sitetest" + uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").encode() + value.encode() + b"\r\n"
    for name, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def site_file(*parts):
    with open(os.path.join(args.site, *parts), "rb") as f:
        return f.read()


def stored_names():
    return sorted(n for n in os.listdir(os.path.join(args.site, "uploads")) if not n.startswith("."))


def upload_url(name):
    return "/uploads/" + urllib.parse.quote(name, safe="")


# ---- The browser ----

def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="site-test-profile.")
    state.setdefault("profiles", []).append(profile)
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
                 "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-features=Translate,MediaRouter",
                 "--password-store=basic", "--lang=en-US", "--hide-scrollbars", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    if args.spki:
        # Trusts the test certificate by its public key (needs --user-data-dir, given above).
        options.add_argument(f"--ignore-certificate-errors-spki-list={args.spki}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(20)
    browser.set_script_timeout(10)
    return browser


def go(path):
    driver.get(path if "://" in path else args.base + path)


def path_now():
    parts = urllib.parse.urlsplit(driver.current_url)
    return parts.path + (("?" + parts.query) if parts.query else "")


def wait_for(condition, message, timeout=WAIT):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition())
    except TimeoutException:
        raise Failure(f"{message} (after {timeout} s; the browser is at {path_now()})") from None


def js(script, *arguments):
    return driver.execute_script(script, *arguments)


def screenshot(name, mobile=False):
    """A full-page PNG in the screenshot directory (a phone-sized one when mobile)."""
    shot_number[0] += 1
    path = os.path.join(args.screenshots, f"{shot_number[0]:02d}-{name}{'-mobile' if mobile else ''}.png")
    try:
        if mobile:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        width = 390 if mobile else max(1, int(size["width"]))
        height = min(max(1, int(size["height"])), 6000)
        data = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
    except WebDriverException:
        driver.save_screenshot(path)
    finally:
        if mobile:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path


def browser_errors(allow=()):
    """SEVERE console entries since the last call, but those mentioning an allowed text."""
    try:
        entries = driver.get_log("browser")
    except WebDriverException:
        return []
    return [e["message"] for e in entries
            if e.get("level") == "SEVERE" and not any(text in e["message"] for text in allow)]


LOOK = """
const r = {};
const meta = document.querySelector('meta[charset]');
r.metaCharset = meta ? meta.getAttribute('charset') : null;
r.characterSet = document.characterSet;
const viewport = document.querySelector('meta[name="viewport"]');
r.viewport = viewport ? viewport.getAttribute('content') : null;
r.home = [...document.querySelectorAll('a[href]')].some(a => a.getAttribute('href') === '/');
const icon = document.querySelector('link[rel~="icon"]');
r.icon = icon ? icon.getAttribute('href') : null;
const header = document.querySelector('.site-header');
r.headerBackground = header ? getComputedStyle(header).backgroundColor : null;
r.stylesheet = [...document.styleSheets].some(s => {
    try { return s.href && new URL(s.href).pathname === '/style.css' && s.cssRules.length > 0; } catch (e) { return false; }
});
r.bodyFont = getComputedStyle(document.body).fontFamily;
return r;
"""


PROTOCOLS = """
const origin = location.origin;
const navigation = performance.getEntriesByType('navigation')[0];
return {navigation: navigation ? navigation.nextHopProtocol : null,
        resources: performance.getEntriesByType('resource').filter(e => new URL(e.name).origin === origin)
                              .map(e => [new URL(e.name).pathname, e.nextHopProtocol])};
"""


def check_protocol(where):
    """Over --h2: the page and each of its sub-resources from this server came over h2."""
    protocols = js(PROTOCOLS)
    check(protocols["navigation"] == "h2", f"{where}: the page came over {protocols['navigation']!r}, not h2")
    other = [entry for entry in protocols["resources"] if entry[1] != "h2"]
    check(not other, f"{where}: sub-resources not over h2: {other}")
    return protocols


def check_look(where):
    """The page in the browser has the site's head, header and stylesheet (over --h2, all over h2)."""
    if args.h2:
        check_protocol(where)
    look = js(LOOK)
    problems = []
    if (look["metaCharset"] or "").lower() != "utf-8":
        problems.append(f"meta charset is {look['metaCharset']!r}")
    if look["characterSet"] != "UTF-8":
        problems.append(f"document.characterSet is {look['characterSet']!r}")
    if look["viewport"] != "width=device-width, initial-scale=1":
        problems.append(f"viewport meta is {look['viewport']!r}")
    if not look["home"]:
        problems.append("no link home (href=\"/\")")
    if look["icon"] != "/favicon.ico":
        problems.append(f"link rel=icon is {look['icon']!r}")
    if not look["stylesheet"]:
        problems.append("/style.css is not applied")
    if look["headerBackground"] != ACCENT:
        problems.append(f".site-header background is {look['headerBackground']!r}, not {ACCENT}")
    check(not problems, f"{where}: " + "; ".join(problems))


UNLABELLED = """
return [...document.querySelectorAll('input, select, textarea')]
    .filter(e => !['hidden', 'submit', 'button', 'reset'].includes(e.type))
    .filter(e => !e.closest('label') && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
                 && !(e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`)))
    .map(e => e.outerHTML.slice(0, 80));
"""


def check_labels(where):
    """Every form control has a label (a screen reader names it)."""
    unlabelled = js(UNLABELLED)
    check(not unlabelled, f"{where}: form controls without a label: {unlabelled}")


def check_own_address(where):
    """The page names no address but its own: run.sh serves the site on other
    ports than the example's 8080 and 8081, so either number is hard-coded."""
    text = js("return document.body.innerText")
    wrong = re.findall(r"\b808[01]\b", text)
    check(not wrong, f"{where}: the page shows the example's port {wrong} instead of its own address")


# The phone of the phone pass: CSS pixels, as Chromium's device emulation.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}

FITS = """
return {mode: document.compatMode, width: document.documentElement.scrollWidth,
        viewport: (document.querySelector('meta[name="viewport"]') || {content: null}).content};
"""


def check_fits_phone(where):
    """Standards mode (a doctype), a viewport, and nothing wider than the phone."""
    fit = js(FITS)
    problems = []
    if fit["mode"] != "CSS1Compat":
        problems.append(f"quirks mode ({fit['mode']}: no <!DOCTYPE html>)")
    if fit["viewport"] != "width=device-width, initial-scale=1":
        problems.append(f"viewport meta is {fit['viewport']!r}")
    if fit["width"] > PHONE["width"]:
        problems.append(f"{fit['width']} px wide on a {PHONE['width']} px phone")
    check(not problems, f"{where}: " + "; ".join(problems))


# ---- The tests ----

TESTS = []


def test(name):
    def register(function):
        TESTS.append((name, function))
        return function
    return register


# Every page of the site: (name, path, what it must show, expected status).
PAGES = [
    ("index", "/", "webserv is serving the example site", 200),
    ("files", "/files.html", "Files", 200),
    ("upload", "/upload.html", "Upload files", 200),
    ("cgi-forms", "/form.html", "CGI scripts", 200),
    ("cgi-hello", "/cgi-bin/hello.py?name=visitor", "Hello, visitor!", 200),
    ("cgi-echo", "/cgi-bin/echo.py/extra/path?x=1", "The request, as echo.py sees it", 200),
    ("cgi-form-get", "/cgi-bin/form.py?q=test", "Received by GET", 200),
    ("cgi-upload-get", "/cgi-bin/upload.py", "Parts received", 200),
    ("proxied", "/proxied/", "Hello from the second server", 200),
    ("error-404", "/no-such-page", "Page not found", 404),
    ("error-403", "/files/server.log", "Forbidden", 403),
    ("error-503", "/maintenance", "Down for maintenance", 503),
    ("proxied-404", "/proxied/nope", "Page not found", 404),
    ("error-413-page", "/413.html", "That upload is too large", 200),
    ("error-405-page", "/405.html", "Method not allowed", 200),
]


PHONE_SHOTS = {"index", "files", "upload", "cgi-forms", "cgi-hello", "error-404", "error-503"}


def page_test(name, path, heading, status):
    def run():
        code, headers, _ = http_request("GET", path)
        check(code == status, f"GET {path}: status {code}, expected {status}")
        check(headers.get("Content-Type", "").replace(" ", "").lower() == "text/html;charset=utf-8",
              f"GET {path}: Content-Type is {headers.get('Content-Type')!r}, expected 'text/html; charset=utf-8'")
        browser_errors()
        go(path)
        h1 = wait_for(lambda: driver.find_elements(By.TAG_NAME, "h1"), f"{path}: no <h1>")
        check(h1[0].text.strip() == heading, f"{path}: <h1> is {h1[0].text!r}, expected {heading!r}")
        check_look(path)
        check_labels(path)
        check_own_address(path)
        if name in PHONE_SHOTS:
            screenshot(name, mobile=True)
        screenshot(name)
        if status == 200:
            errors = browser_errors()
            check(not errors, f"{path}: console errors: {errors}")
    return run


for _page in PAGES:
    test(f"page {_page[1]} ({_page[0]})")(page_test(*_page))


@test("phone: every page, the server's listings included, fits a 390 px window in standards mode")
def _phone():
    paths = [page[1] for page in PAGES] + ["/files/", "/files/docs/", "/uploads/"]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        failures = []
        for path in paths:
            go(path)
            wait_for(lambda: driver.find_elements(By.TAG_NAME, "h1"), f"{path}: no <h1>")
            try:
                check_fits_phone(path)
            except Failure as failure:
                failures.append(str(failure))
        check(not failures, "; ".join(failures))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    go("/files/")
    screenshot("autoindex-files", mobile=True)


CONTRAST = """
function rgb(text) { return text.match(/[\\d.]+/g).slice(0, 4).map(Number); }
function luminance([r, g, b]) {
    const linear = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}
function background(element) {
    for (let e = element; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
}
const e = document.querySelector(arguments[0]);
const [a, b] = [luminance(rgb(getComputedStyle(e).color)), luminance(background(e))];
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


@test("dark mode: the big error number is readable (3:1 at least, WCAG's large text)")
def _dark_contrast():
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        go("/no-such-page")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".error-code"), "no error page")
        ratio = js(CONTRAST, ".error-code")
        check(ratio >= 3, f".error-code contrast in dark mode is {ratio:.2f}:1")
        screenshot("error-404-dark")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


@test("scheme: the pages come over the scheme run.sh serves (over https, a secure context)")
def _scheme():
    scheme = urllib.parse.urlsplit(args.base).scheme
    go("/")
    wait_for(lambda: driver.find_elements(By.TAG_NAME, "h1"), "/: no <h1>")
    check(js("return location.protocol") == scheme + ":", f"the page's protocol is {js('return location.protocol')!r}")
    if scheme == "https":
        check(js("return window.isSecureContext"), "the page is not a secure context")


@test("h2: the pages, their stylesheet and script and the listings they fetch come over HTTP/2, uncached")
def _h2_protocol():
    # The cache off: every sub-resource is a request on the wire, not a copy from an earlier page.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        for path, needed in [("/", {"/style.css", "/site.js"}), ("/files.html", {"/style.css", "/site.js", "/files/"}),
                             ("/upload.html", {"/style.css", "/site.js", "/uploads/"}), ("/proxied/", {"/style.css"}),
                             ("/no-such-page", {"/style.css"})]:
            go(path)
            wait_for(lambda: needed <= {entry[0] for entry in js(PROTOCOLS)["resources"]},
                     f"{path}: not all of {sorted(needed)} were loaded")
            protocols = check_protocol(path)
            check(len(protocols["resources"]) >= len(needed), f"{path}: {protocols['resources']}")
        screenshot("h2-files")
    finally:
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})


@test("maintenance: /maintenance is a 503 that says so, with Retry-After")
def _maintenance():
    code, headers, body = http_request("GET", "/maintenance")
    check(code == 503, f"GET /maintenance: {code}")
    check((headers.get("Retry-After") or "").isdigit(), f"Retry-After: {headers.get('Retry-After')!r}")
    check(b"maintenance" in body, "the page does not say maintenance")


@test("directories without their slash redirect: /files, /uploads, /proxied")
def _slashless():
    for path in ["/files", "/uploads", "/proxied"]:
        code, headers, _ = http_request("GET", path)
        location = urllib.parse.urlsplit(headers.get("Location") or "").path
        check(code == 301 and location == path + "/", f"GET {path}: {code} to {headers.get('Location')!r}")


@test("upload page: the shell commands name the page's own address")
def _own_address():
    go("/upload.html")
    commands = wait_for(lambda: args.base in driver.find_element(By.ID, "shell-commands").text and
                        driver.find_element(By.ID, "shell-commands").text, "the commands do not name " + args.base)
    check(f"curl -F file=@notes.txt {args.base}/uploads/" in commands, commands)


@test("favicon.ico is served as an icon")
def _favicon():
    code, headers, body = http_request("GET", "/favicon.ico")
    check(code == 200, f"GET /favicon.ico: {code}")
    check(headers.get("Content-Type") == "image/x-icon", f"Content-Type {headers.get('Content-Type')!r}")
    check(body[:4] == b"\x00\x00\x01\x00" and body == site_file("html", "favicon.ico"), "not the ICO of html/favicon.ico")


@test("links on the pages lead somewhere (no 404 among the site's own links)")
def _links():
    seen, broken = set(), []
    for path in ["/", "/files.html", "/upload.html", "/form.html", "/proxied/", "/no-such-page"]:
        go(path)
        for href in js("return [...document.querySelectorAll('a[href]')].map(a => a.href)"):
            parts = urllib.parse.urlsplit(href)
            if parts.netloc != urllib.parse.urlsplit(args.base).netloc or parts.path in seen:
                continue
            seen.add(parts.path)
            target = parts.path + ("?" + parts.query if parts.query else "")
            code, _, _ = http_request("GET", target)
            if code >= 400 and target not in ("/no-such-page", "/files/server.log", "/maintenance", "/cgi-bin/maintenance.py"):
                broken.append(f"{path} -> {target}: {code}")
    check(not broken, f"broken links: {broken}")


@test("every CGI script is reachable from a page")
def _cgi_reachable():
    scripts = sorted(n for n in os.listdir(os.path.join(args.site, "html", "cgi-bin")) if n.endswith(".py"))
    targets = set()
    for path in ["/", "/form.html"]:
        go(path)
        targets |= set(js("""return [...document.querySelectorAll('a[href], form[action]')]
                                 .map(e => new URL(e.getAttribute('href') || e.getAttribute('action'), location.href).pathname)"""))
    missing = [s for s in scripts if not any(t.startswith("/cgi-bin/" + s) for t in targets)]
    check(scripts and not missing, f"CGI scripts with no link or form on / or /form.html: {missing}")


@test("the upload limit stated on the pages is the configuration's")
def _limit_consistent():
    conf = site_file("snippets", "server.conf").decode()
    block = re.search(r"location\s+(?:\^\s+)?/uploads/\s*\{(.*?)\}", conf, re.S)
    check(block, "no location ^ /uploads/ in snippets/server.conf")
    size = re.search(r"client_max_body_size\s+(\d+)([kmg]?)\s*;", block.group(1), re.I)
    check(size, "no client_max_body_size in location ^ /uploads/")
    limit = int(size.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[size.group(2).lower()]
    state["upload_limit"] = limit
    stated = f"{limit // 1024 ** 2} MB" if limit % 1024 ** 2 == 0 else f"{limit} bytes"
    go("/upload.html")
    form_limit = js("return document.getElementById('upload-form').dataset.maxBytes")
    check(int(form_limit) == limit, f"upload.html data-max-bytes {form_limit}, configuration {limit}")
    text = driver.find_element(By.ID, "upload-limit").text
    check(stated in text, f"upload.html says {text!r}, configuration is {stated}")
    go("/413.html")
    element = driver.find_element(By.ID, "upload-limit")
    check(int(element.get_attribute("data-max-bytes")) == limit and element.text == stated,
          f"413.html states {element.text!r} ({element.get_attribute('data-max-bytes')}), configuration {stated}")


def upload_through_form(local_path):
    """Uploads one file with the upload page's form; returns the browser's path afterwards."""
    go("/upload.html")
    wait_for(lambda: "Loading" not in driver.find_element(By.ID, "upload-list").text, "the list of uploads did not load")
    driver.find_element(By.ID, "upload-files").send_keys(local_path)
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    wait_for(lambda: _stale(old) and js("return document.readyState") == "complete", "no new page after the upload")
    if urllib.parse.urlsplit(driver.current_url).path == "/upload.html":
        wait_for(lambda: "Loading" not in driver.find_element(By.ID, "upload-list").text, "the list of uploads did not load")
    return path_now()


def listed_row(name):
    return js("""return [...document.querySelectorAll('#upload-list tr[data-name]')]
                        .map(r => [r.dataset.name, r.querySelector('td.name a').textContent, r.querySelector('td.name a').href])
                        .find(r => r[0] === arguments[0]) || null""", name)


def upload_and_check(name, data, label):
    local_dir = tempfile.mkdtemp(prefix="site-test-files.")
    state.setdefault("local_dirs", []).append(local_dir)
    local = os.path.join(local_dir, name)
    with open(local, "wb") as f:
        f.write(data)
    before = stored_names()
    after_path = upload_through_form(local)
    state.setdefault("after_upload", []).append((name, after_path))
    screenshot(f"after-upload-{label}")
    check(stored_names() == sorted(before + [name]), f"the store holds {stored_names()}, expected {name!r} added to {before}")
    state.setdefault("uploaded", []).append(name)
    if urllib.parse.urlsplit(driver.current_url).path != "/upload.html":
        go("/upload.html")  # no Post/Redirect/Get: that has its own test
    row = wait_for(lambda: listed_row(name), f"{name!r} is not in the list of uploads")
    check(row[1] == name, f"the list shows {row[1]!r}, expected {name!r}")
    check(urllib.parse.unquote(urllib.parse.urlsplit(row[2]).path) == "/uploads/" + name, f"the link is {row[2]!r}")
    for url in (upload_url(name), row[2]):
        code, headers, body = http_request("GET", url)
        check(code == 200, f"GET {url}: {code}")
        check(body == data, f"GET {url}: {len(body)} bytes that differ from the {len(data)} uploaded")


@test("upload: a binary file through the form, served back byte for byte")
def _upload_binary():
    upload_and_check(f"random-{uuid.uuid4().hex[:8]}.bin", os.urandom(300_000) + bytes(range(256)), "binary")


@test("upload: a UTF-8 name with spaces, listed exactly, served back byte for byte")
def _upload_utf8():
    name = "résumé 2026 ✓.bin"
    upload_and_check(name, os.urandom(4096), "utf8")
    screenshot("upload-list")
    go("/uploads/")
    body = driver.find_element(By.TAG_NAME, "body").text
    check(name in body, f"the autoindex /uploads/ does not show {name!r}: {body[:300]!r}")
    check(js("return document.characterSet") == "UTF-8", f"/uploads/ is read as {js('return document.characterSet')}")
    screenshot("autoindex-uploads")


@test("upload: Post/Redirect/Get (303 back to the page; a refresh sends nothing again)")
def _prg():
    check(state.get("after_upload"), "no upload happened")
    wrong = [path for _, path in state["after_upload"] if urllib.parse.urlsplit(path).path != "/upload.html"]
    check(not wrong, f"after the upload the browser is at {wrong[:1]}, not /upload.html (no 303 See Other?)")
    name = f"prg-{uuid.uuid4().hex[:8]}.txt"
    local_dir = tempfile.mkdtemp(prefix="site-test-files.")
    state.setdefault("local_dirs", []).append(local_dir)
    with open(os.path.join(local_dir, name), "wb") as f:
        f.write(b"post, redirect, get\n")
    try:
        upload_through_form(os.path.join(local_dir, name))
        check(path_now() == "/upload.html", f"at {path_now()!r}")
        status = wait_for(lambda: driver.find_element(By.ID, "upload-status").text or None, "no notice after the upload")
        check(name in status, f"the notice says {status!r}")
        check(js("return performance.getEntriesByType('navigation')[0].type") == "navigate", "not a plain navigation")
        posts_before = access_log_count('"POST /uploads/ ', settle=True)
        stored_before = stored_names()
        driver.refresh()
        wait_for(lambda: js("return document.readyState") == "complete" and listed_row(name),
                 "the page did not come back after refresh")
        check(stored_names() == stored_before, f"the refresh stored something: {stored_names()} (was {stored_before})")
        check(access_log_count('"POST /uploads/ ', settle=True) == posts_before, "the refresh sent the POST again")
    finally:
        http_request("DELETE", upload_url(name))
    # The server's side of it, for a browser and for API clients.
    content_type, body = multipart([("file", "prg-api.txt", b"x")])
    try:
        code, headers, _ = http_request("POST", "/uploads/", body, {
            "Content-Type": content_type, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Referer": args.base + "/upload.html"})
        check(code == 303 and urllib.parse.urlsplit(headers.get("Location", "")).path == "/upload.html",
              f"a browser's form upload: {code} Location {headers.get('Location')!r}, expected 303 to /upload.html")
        code, headers, _ = http_request("POST", "/uploads/", body, {"Content-Type": content_type, "Accept": "*/*"})
        check(code == 201, f"an API client's form upload (Accept: */*): {code}, expected 201")
    finally:
        for stored in stored_names():
            if stored.startswith("prg-api"):
                http_request("DELETE", upload_url(stored))


def access_log_count(text, settle=False):
    """How many lines of the access log hold text; with settle, once the
    log has stopped growing (the server flushes it every second)."""
    path = os.path.join(args.site, "logs", "access.log")

    def count():
        if not os.path.exists(path):
            return 0
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").count(text)
    if not settle:
        return count()
    last, stable_since = count(), time.monotonic()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and time.monotonic() - stable_since < 2.5:
        time.sleep(0.25)
        now = count()
        if now != last:
            last, stable_since = now, time.monotonic()
    return last


@test("upload: each Delete button, confirmed, removes its file (gone from the list, 404 on the server)")
def _delete():
    names = state.get("uploaded", [])
    check(names, "nothing was uploaded")
    go("/upload.html")
    for name in names:
        wait_for(lambda: listed_row(name), f"{name!r} is not listed")
        button = lambda: js("""return [...document.querySelectorAll('#upload-list tr[data-name]')]
                                      .find(r => r.dataset.name === arguments[0]).querySelector('button')""", name)  # noqa: E731
        check(button().text == "Delete", f"the button says {button().text!r}")
        button().click()
        # One click asks; nothing is deleted yet.
        time.sleep(1)
        check(listed_row(name) is not None and name in stored_names(), f"{name!r} was deleted on one click")
        check(button().text != "Delete", f"{name!r}: Delete did not ask for confirmation")
        screenshot("upload-confirm-delete")
        button().click()
        wait_for(lambda: listed_row(name) is None, f"{name!r} is still listed after a confirmed Delete")
        code, _, _ = http_request("GET", upload_url(name))
        check(code == 404, f"GET {upload_url(name)} after Delete: {code}, expected 404")
    left = [name for name in names if name in stored_names()]
    check(not left, f"the store still holds {left}")
    status = driver.find_element(By.ID, "upload-status").text
    check(status.startswith("Deleted: "), f"the notice says {status!r}")
    if not stored_names():
        wait_for(lambda: "No uploads yet." in driver.find_element(By.ID, "upload-list").text, "the empty list is not shown")
    screenshot("upload-after-delete")


def fill(element_id, text):
    element = driver.find_element(By.ID, element_id)
    element.clear()
    element.send_keys(text)
    if element.get_attribute("value") != text:  # a key the driver cannot type: set it as a user's paste would
        js("arguments[0].value = arguments[1]", element, text)
    check(element.get_attribute("value") == text, f"#{element_id} holds {element.get_attribute('value')!r}")


def submit(form_id):
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, f"#{form_id} button[type=submit]").click()
    wait_for(lambda: _stale(old) and js("return document.readyState") == "complete", f"#{form_id} did not lead to a new page")


def _stale(element):
    try:
        element.tag_name
        return False
    except WebDriverException:
        return True


def echoed(selector):
    """textContent of the element (exact), and whether markup got through (a <b> inside)."""
    found = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, selector) or None, f"no {selector}")
    element = found[0]
    return element.get_attribute("textContent"), bool(element.find_elements(By.TAG_NAME, "b"))


def check_echo(selector, expected=TEXT):
    text, markup = echoed(selector)
    check(text == expected, f"{path_now()}: {selector} shows {text!r}, expected {expected!r}")
    check(not markup, f"{path_now()}: the <b> in the input became markup (not escaped)")
    if "<b>" in expected:
        check("&lt;b&gt;" in driver.page_source, f"{path_now()}: the page source does not hold '&lt;b&gt;'")


@test("CGI hello.py: the greeting form on the home page (GET, non-ASCII)")
def _cgi_hello():
    go("/")
    fill("hello-name", TEXT)
    submit("hello-form")
    check(path_now().startswith("/cgi-bin/hello.py?"), f"at {path_now()}")
    check_echo("#greeting-name")
    check_look(path_now())
    check(TEXT in driver.title, f"title {driver.title!r}")
    screenshot("cgi-hello-result")


@test("CGI hello.py: the form on the CGI page (GET, non-ASCII)")
def _cgi_hello_forms_page():
    go("/form.html")
    fill("hello-name", TEXT)
    submit("hello-form")
    check_echo("#greeting-name")


@test("CGI form.py: POST urlencoded (non-ASCII)")
def _cgi_post():
    go("/form.html")
    fill("post-name", TEXT)
    fill("post-message", TEXT + " — ✓")
    submit("post-form")
    check(path_now() == "/cgi-bin/form.py", f"at {path_now()}")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Received by POST", "not the POST result")
    check_echo('tr[data-field="name"] .echo')
    check_echo('tr[data-field="message"] .echo', TEXT + " — ✓")
    check_echo('tr[data-field="colour"] .echo', "red")
    check_look(path_now())
    screenshot("cgi-form-post-result")


@test("CGI form.py: GET query string (non-ASCII)")
def _cgi_get():
    go("/form.html")
    fill("get-q", TEXT)
    submit("get-form")
    check(path_now().startswith("/cgi-bin/form.py?q="), f"at {path_now()}")
    check_echo('tr[data-field="q"] .echo')
    check_look(path_now())


@test("CGI upload.py: multipart POST with a non-ASCII field and file name")
def _cgi_multipart():
    local_dir = tempfile.mkdtemp(prefix="site-test-files.")
    state.setdefault("local_dirs", []).append(local_dir)
    filename = TEXT + ".txt"
    content = (TEXT + "\n").encode() * 10
    with open(os.path.join(local_dir, filename), "wb") as f:
        f.write(content)
    go("/form.html")
    fill("multipart-note", TEXT)
    driver.find_element(By.ID, "multipart-file").send_keys(os.path.join(local_dir, filename))
    submit("multipart-form")
    check(path_now() == "/cgi-bin/upload.py", f"at {path_now()}")
    check_echo('tr[data-field="note"] .echo')
    row = js("return [...document.querySelectorAll('tr[data-file]')].map(r => [r.dataset.file, r.cells[3].textContent])")
    check(row == [[filename, str(len(content))]], f"files reported: {row}, expected {[[filename, str(len(content))]]}")
    check_echo("tr[data-file] .echo", filename)
    check_look(path_now())
    screenshot("cgi-multipart-result")


@test("CGI echo.py: POST to a path with PATH_INFO and a query (non-ASCII)")
def _cgi_echo():
    go("/form.html")
    fill("echo-text", TEXT)
    submit("echo-form")
    check(path_now() == "/cgi-bin/echo.py/extra/path?from=form", f"at {path_now()}")
    check_echo('tr[data-field="text"] .echo')
    check_echo('tr[data-field="path_info"] .echo', "/extra/path")
    check_echo('tr[data-field="method"] .echo', "POST")
    check_look(path_now())
    screenshot("cgi-echo-result")
    # Non-ASCII in PATH_INFO and in the query, as a browser encodes them.
    go("/cgi-bin/echo.py/päth/世界?q=" + urllib.parse.quote(TEXT))
    check_echo('tr[data-field="path_info"] .echo', "/päth/世界")
    check_echo('tr[data-field="q"] .echo')


@test("CGI answers are text/html; charset=utf-8 (urllib, multipart and urlencoded)")
def _cgi_headers():
    content_type, body = multipart([("file", "名前 ✓.txt", b"abc")], [("note", TEXT)])
    for path, data, ctype in [
        ("/cgi-bin/hello.py?name=" + urllib.parse.quote(TEXT), None, None),
        ("/cgi-bin/form.py", urllib.parse.urlencode({"name": TEXT}).encode(), "application/x-www-form-urlencoded"),
        ("/cgi-bin/form.py", body, content_type),
        ("/cgi-bin/upload.py", body, content_type),
        ("/cgi-bin/echo.py/x", body, content_type),
    ]:
        code, headers, page = http_request("POST" if data else "GET", path, data, {"Content-Type": ctype} if ctype else {})
        check(code == 200, f"{path}: {code}")
        check(headers.get("Content-Type") == "text/html; charset=utf-8", f"{path}: Content-Type {headers.get('Content-Type')!r}")
        text = page.decode("utf-8")
        check(TEXT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text, f"{path}: the escaped text is not in the page")
        check("<b>" not in text, f"{path}: an unescaped <b>")
    code, _, page = http_request("POST", "/cgi-bin/upload.py", body, {"Content-Type": content_type})
    check("名前 ✓.txt" in page.decode(), "upload.py lost the UTF-8 file name")


@test("files: the listing in the site's look, with UTF-8 names, into a subdirectory")
def _files_page():
    go("/files.html")
    names = lambda: js("return [...document.querySelectorAll('#file-list td.name a')].map(a => a.textContent)")  # noqa: E731
    wait_for(lambda: "résumé 2026 ✓.txt" in names(), "résumé 2026 ✓.txt is not listed")
    for expected in ["docs/", "naïve café/", "data.json", "readme.txt"]:
        check(expected in names(), f"{expected!r} is not listed: {names()}")
    screenshot("files-listing")
    link = js("return [...document.querySelectorAll('#file-list td.name a')].find(a => a.textContent === 'naïve café/')")
    link.click()
    wait_for(lambda: "menü ☕.txt" in names(), f"menü ☕.txt is not listed in naïve café/ ({names()})")
    check("../" in names(), "no ../ in a subdirectory")
    screenshot("files-subdirectory")
    js("[...document.querySelectorAll('#file-list td.name a')].find(a => a.textContent === 'menü ☕.txt').click()")
    wait_for(lambda: "Menu du jour." in driver.find_element(By.TAG_NAME, "body").text, "the file did not open")
    check(urllib.parse.unquote(urllib.parse.urlsplit(driver.current_url).path) == "/files/naïve café/menü ☕.txt",
          f"at {driver.current_url}")


@test("files: the server's autoindex /files/ shows UTF-8 names correctly")
def _autoindex():
    code, headers, body = http_request("GET", "/files/")
    check(code == 200, f"GET /files/: {code}")
    check("charset=utf-8" in headers.get("Content-Type", "").replace(" ", "").lower(),
          f"GET /files/: Content-Type {headers.get('Content-Type')!r} does not declare UTF-8")
    check(re.search(rb"<meta charset=\"?utf-8\"?", body, re.I), "the listing has no <meta charset=\"utf-8\">")
    go("/files/")
    text = driver.find_element(By.TAG_NAME, "body").text
    check("résumé 2026 ✓.txt" in text and "naïve café/" in text, f"the listing shows {text[:400]!r}")
    check(js("return document.characterSet") == "UTF-8", f"read as {js('return document.characterSet')}")
    screenshot("autoindex-files")


@test("error pages: status and the site's own page (404, 403, 405; urllib)")
def _error_statuses():
    for method, path, status, page in [("GET", "/no-such-page", 404, "404.html"),
                                       ("GET", "/cgi-bin/no-such-script.py", 404, "404.html"),
                                       ("GET", "/files/server.log", 403, "403.html"),
                                       ("POST", "/", 405, "405.html")]:
        code, headers, body = http_request(method, path, b"a=b" if method == "POST" else None,
                                           {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {})
        check(code == status, f"{method} {path}: {code}, expected {status}")
        check(body == site_file("html", page), f"{method} {path}: the body is not html/{page}")
        if status == 405:
            check(headers.get("Allow") == "GET, HEAD", f"405 Allow: {headers.get('Allow')!r}")


@test("error page 405: a POST from the home page's button, in the browser")
def _error_405_browser():
    go("/")
    driver.find_element(By.CSS_SELECTOR, "form.inline button").click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".error-code"), "no error page")
    check(driver.find_element(By.CSS_SELECTOR, ".error-code").text == "405", "not the 405 page")
    check_look("405 page")
    screenshot("error-405")


@test("error page 413: an upload over the limit gets the friendly page (urllib)")
def _error_413():
    limit = state.get("upload_limit", 10 * 1024 * 1024)
    before = stored_names()
    boundary = "----sitetest" + uuid.uuid4().hex
    length = limit + 100_000
    head = (f"POST /uploads/ HTTP/1.1\r\nHost: {urllib.parse.urlsplit(args.base).netloc}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n"
            "Accept: text/html\r\nConnection: close\r\n\r\n").encode()
    status, headers, body = raw_request(head, length)
    check(status == 413, f"status {status}, expected 413")
    check(body == site_file("html", "413.html"), "the body is not html/413.html")
    check(headers.get("content-type", "").startswith("text/html"), f"Content-Type {headers.get('content-type')!r}")
    time.sleep(0.3)
    check(stored_names() == before, f"the refused upload left {stored_names()}")
    # A form to a CGI script over the 1m of the http block: the same page.
    head = (f"POST /cgi-bin/form.py HTTP/1.1\r\nHost: {urllib.parse.urlsplit(args.base).netloc}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1100000\r\nConnection: close\r\n\r\n").encode()
    status, _, body = raw_request(head, 1_100_000)
    check(status == 413 and body == site_file("html", "413.html"), f"CGI over 1m: {status}")


@test("error page 413: in the browser, a form upload over the limit")
def _error_413_browser():
    limit = state.get("upload_limit", 10 * 1024 * 1024)
    local_dir = tempfile.mkdtemp(prefix="site-test-files.")
    state.setdefault("local_dirs", []).append(local_dir)
    big = os.path.join(local_dir, "too-big.bin")
    with open(big, "wb") as f:
        f.truncate(limit + 1024 * 1024)
    before = stored_names()
    go("/upload.html")
    driver.find_element(By.ID, "upload-files").send_keys(big)
    driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    # The page refuses it before sending, and says why.
    status = wait_for(lambda: driver.find_element(By.ID, "upload-status").text or None, "no message for a file over the limit")
    check("limit" in status and path_now() == "/upload.html", f"the page says {status!r} at {path_now()}")
    screenshot("upload-over-limit")
    # Without the page's check, the server's 413 page.
    js("document.getElementById('upload-form').dataset.maxBytes = '0'")
    driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".error-code"), "the browser did not show the 413 page", timeout=30)
    check(driver.find_element(By.CSS_SELECTOR, ".error-code").text == "413", "not the 413 page")
    check_look("413 page")
    screenshot("error-413")
    check(stored_names() == before, f"the refused upload left {sorted(set(stored_names()) - set(before))}")


@test("proxied: /proxied/ (and /proxied) show the second server's page")
def _proxied():
    go("/proxied")
    wait_for(lambda: path_now() == "/proxied/", "/proxied was not redirected to /proxied/")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Hello from the second server", "not the upstream page")
    check_look("/proxied/")


@test("a moved page: /old-page leads to the Files page")
def _moved():
    go("/old-page")
    wait_for(lambda: path_now() == "/files.html", "not at /files.html")
    check_look("/old-page")


# ---- The runner ----

class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout(f"took more than {TEST_SECONDS} s")


def main():
    global args, driver
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="http://localhost:PORT of the served copy")
    parser.add_argument("--site", required=True, help="the served copy of conf-examples/")
    parser.add_argument("--screenshots", required=True, help="directory for the PNGs")
    parser.add_argument("--cafile", help="over https: the CA that signed the server's certificate, for Python's clients")
    parser.add_argument("--spki", help="over https: base64 SHA-256 of the certificate's public key, which Chromium then trusts")
    parser.add_argument("--h2", action="store_true", help="over https: the server speaks HTTP/2, and the browser must use it")
    parser.add_argument("-k", dest="only", help="run only tests whose name contains this")
    args = parser.parse_args()
    args.base = args.base.rstrip("/")
    os.makedirs(args.screenshots, exist_ok=True)
    signal.signal(signal.SIGALRM, _alarm)
    passed = failed = 0
    started = time.monotonic()
    try:
        signal.alarm(TEST_SECONDS)
        driver = start_browser()
        signal.alarm(0)
        print(f"browser: {driver.capabilities.get('browserName')} {driver.capabilities.get('browserVersion')}", flush=True)
        for name, function in TESTS:
            if args.only and args.only not in name:
                continue
            if name.startswith("h2:") and not args.h2:
                continue
            t0 = time.monotonic()
            signal.alarm(TEST_SECONDS)
            try:
                function()
                passed += 1
                print(f"PASS {name} ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception as error:  # noqa: BLE001 - every failure is reported, the run goes on
                failed += 1
                detail = str(error) if isinstance(error, (Failure, TestTimeout)) else traceback.format_exc(limit=3)
                print(f"FAIL {name}: {detail.strip()}", flush=True)
                try:
                    screenshot("FAIL-" + re.sub(r"[^A-Za-z0-9]+", "-", name)[:60].strip("-"))
                except Exception:  # noqa: BLE001
                    pass
            finally:
                signal.alarm(0)
            try:
                signal.alarm(10)
                driver.current_url
            except Exception:  # noqa: BLE001 - the browser is gone or stuck: a new one for the next test
                try:
                    driver.quit()
                except Exception:  # noqa: BLE001
                    pass
                signal.alarm(TEST_SECONDS)
                driver = start_browser()
            finally:
                signal.alarm(0)
    except Exception as error:  # noqa: BLE001
        failed += 1
        print(f"FAIL the browser: {error}", flush=True)
    finally:
        signal.alarm(0)
        if driver is not None:
            try:
                signal.alarm(15)
                driver.quit()
            except Exception:  # noqa: BLE001
                pass
            finally:
                signal.alarm(0)
        for directory in state.get("profiles", []) + state.get("local_dirs", []):
            shutil.rmtree(directory, ignore_errors=True)
    print(f"({time.monotonic() - started:.0f} s; screenshots in {args.screenshots})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
