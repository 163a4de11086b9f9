#!/usr/bin/env bash
# Browser test of the example site: serves a copy of conf-examples/ with
# webserv (the README's configuration, on free ports handed down) and drives it with
# headless Chromium through selenium (site_test.py).
#
#   Tests/Browser/run.sh [--https|--h2] [PATH/TO/webserv] [-k TEXT]
#
# The binary defaults to .build/debug/webserv of the repository; -k runs only
# the tests whose name contains TEXT (the arguments after the binary go to
# site_test.py).
#
# --https serves the main site over TLS instead (`listen PORT ssl`, as the
# README's TLS section writes it) with a certificate for localhost signed by
# a test CA made here with the openssl command line; Chromium trusts it by
# its public key (--ignore-certificate-errors-spki-list, which needs no NSS
# database), Python's clients by the CA. The proxied second server stays HTTP.
#
# --h2 is --https with `http2 on;` in the main server: Chromium then speaks
# HTTP/2 to it (ALPN h2), and site_test.py also checks that the pages and
# their sub-resources really came over h2 (Resource Timing's nextHopProtocol).
# Python's own clients offer no ALPN and stay on HTTP/1.1 over TLS.
#
# Installs what it needs when it is missing (apt: chromium chromium-driver
# python3 python3-venv; pip: selenium into a venv, $BROWSER_TEST_VENV,
# default $TMPDIR/webserv-browser-venv) and never downloads a browser or a
# driver itself. Screenshots go to $SCREENSHOT_DIR (default: a new temporary
# directory, printed at the end). KEEP_WORK=1 keeps the served copy.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tmp="${TMPDIR:-/tmp}"

https=0
h2=0
if [ "${1:-}" = --https ]; then https=1; shift
elif [ "${1:-}" = --h2 ]; then https=1; h2=1; shift; fi
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    binary="$1"
    shift
    case "$binary" in /*) ;; *) binary="$PWD/$binary" ;; esac
else
    binary="$repo/.build/debug/webserv"
fi
if [ ! -x "$binary" ]; then
    echo "run.sh: no webserv binary at $binary (run swift build, or pass its path)" >&2
    exit 2
fi

say() { echo "run.sh: $*" >&2; }

# ---- What the test needs: apt packages, then selenium ----
sudo_cmd=()
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); fi
apt_updated=0
apt_install() {
    [ $# -gt 0 ] || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing $*, and no apt-get to install them: install them first"
        exit 2
    fi
    say "installing $*"
    if [ "$apt_updated" = 0 ]; then
        "${sudo_cmd[@]}" apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
[ "$https" = 0 ] || command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
command -v python3 >/dev/null 2>&1 || need+=(python3)
apt_install "${need[@]}"

has_selenium() { "$1" -c 'import selenium, sys; sys.exit(int(selenium.__version__.split(".")[0]) < 4)' >/dev/null 2>&1; }

venv="${BROWSER_TEST_VENV:-$tmp/webserv-browser-venv}"
python=""
for candidate in "$venv/bin/python" "$(command -v python3)"; do
    if [ -x "$candidate" ] && has_selenium "$candidate"; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then
    base="$(command -v python3)"
    if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
        say "$venv exists and is not a venv: set BROWSER_TEST_VENV to another directory"
        exit 2
    fi
    rm -rf "$venv"
    if ! "$base" -m venv "$venv" >/dev/null 2>&1; then
        # Debian's python3 has venv (and its pip) in a package of its own.
        rm -rf "$venv"
        apt_install python3-venv
        base=/usr/bin/python3
        "$base" -m venv "$venv"
    fi
    say "installing selenium into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'selenium>=4.11'
    python="$venv/bin/python"
    has_selenium "$python" || { say "selenium did not install"; exit 2; }
fi

# ---- A copy of the example site on free ports ----
work="$(mktemp -d "$tmp/webserv-browser.XXXXXX")"
shots="${SCREENSHOT_DIR:-}"
if [ -z "$shots" ]; then shots="$(mktemp -d "$tmp/webserv-screenshots.XXXXXX")"; fi
mkdir -p "$shots"
shots="$(cd "$shots" && pwd)"
server_pid=""

cleanup() {
    status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" != 0 ] && [ -d "$work/site/logs" ]; then
        say "webserv's output and error log:"
        cat "$work/webserv.out" "$work/site/logs/error.log" 2>/dev/null | tail -n 40 >&2 || true
    fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
    echo "screenshots: $shots"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -R "$repo/conf-examples" "$work/site"
# A clean store and logs, whatever the repository's copy holds.
find "$work/site/uploads" "$work/site/logs" -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
# UTF-8 names with spaces in the listing.
printf 'A file whose name is not ASCII.\n' > "$work/site/html/files/résumé 2026 ✓.txt"
mkdir -p "$work/site/html/files/naïve café"
printf 'Menu du jour.\n' > "$work/site/html/files/naïve café/menü ☕.txt"

# Over HTTPS: a test CA, a leaf for localhost and 127.0.0.1 that it signs
# (the full chain in one file, leaf first, as certbot's fullchain.pem), and
# the main server listening with ssl; Chromium is given the leaf's SPKI hash.
tls_options=()
scheme=http
if [ "$https" = 1 ]; then
    scheme=https
    tls="$work/tls"
    mkdir -p "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=webserv browser test CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
        -keyout "$tls/localhost.key" -out "$tls/localhost.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$tls/localhost.ext"
    openssl x509 -req -in "$tls/localhost.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -set_serial 1 -days 2 \
        -extfile "$tls/localhost.ext" -out "$tls/localhost.crt" 2>/dev/null
    cat "$tls/localhost.crt" "$tls/ca.pem" > "$tls/localhost.pem"
    chmod 600 "$tls/localhost.key" "$tls/ca.key"
    spki="$(openssl x509 -in "$tls/localhost.crt" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
    conf="$work/site/sites-enabled/main-site.conf"
    grep -q '^    listen 8080 default_server;$' "$conf" || { say "no 'listen 8080 default_server;' in sites-enabled/main-site.conf to make ssl"; exit 1; }
    sed -i "s|^    listen 8080 default_server;\$|    listen 8080 ssl default_server;\\
    ssl_certificate $tls/localhost.pem;\\
    ssl_certificate_key $tls/localhost.key;|" "$conf"
    tls_options=(--cafile "$tls/ca.pem" --spki "$spki")
    if [ "$h2" = 1 ]; then
        sed -i "s|^    listen 8080 ssl default_server;\$|&\\
    http2 on;|" "$conf"
        grep -q '^    http2 on;$' "$conf" || { say "could not add 'http2 on;' to sites-enabled/main-site.conf"; exit 1; }
        tls_options+=(--h2)
    fi
fi

# The ports are sockets bound here and handed down to webserv (NGINX="fd;fd;",
# as nginx's binary upgrade), never freed for it to bind: no other process on
# a busy machine can take one in between. The launcher binds them (8080 on
# every address, as `listen 8080`; 8081 on 127.0.0.1), moves the copy's
# configuration to them, says which they are, and becomes webserv.
"$python" - "$work/ports" "$work/site" "$binary" >"$work/webserv.out" 2>&1 <<'PY' &
import os, pathlib, re, socket, sys
ports_file, site, binary = sys.argv[1:4]
main, upstream = socket.socket(), socket.socket()
for s in (main, upstream):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as webserv's own listeners
main.bind(("0.0.0.0", 0))
upstream.bind(("127.0.0.1", 0))
port, port_up = main.getsockname()[1], upstream.getsockname()[1]
for conf in pathlib.Path(site).rglob("*.conf"):
    text = conf.read_text()
    moved = re.sub(r"\b8081\b", str(port_up), re.sub(r"\b8080\b", str(port), text))
    if moved != text:
        conf.write_text(moved)
pathlib.Path(ports_file + ".tmp").write_text(f"{port} {port_up}\n")
os.rename(ports_file + ".tmp", ports_file)
fds = [main.detach(), upstream.detach()]
for fd in fds:
    os.set_inheritable(fd, True)
os.execve(binary, [binary, os.path.join(site, "webserv.conf")], dict(os.environ, NGINX="".join(f"{fd};" for fd in fds)))
PY
server_pid=$!
for _ in $(seq 100); do [ -s "$work/ports" ] || ! kill -0 "$server_pid" 2>/dev/null && break; sleep 0.1; done
if [ ! -s "$work/ports" ]; then say "the launcher did not bind the ports"; exit 1; fi
read -r port port_up < "$work/ports"
if ! grep -rqE "listen $port( |;)" "$work/site/sites-enabled" || ! grep -rq "127.0.0.1:$port_up" "$work/site/sites-enabled"; then
    say "could not move the example's ports 8080/8081 to $port/$port_up: did sites-enabled/ change?"
    exit 1
fi
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 100); do
    if listening "$port" && listening "$port_up"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then say "webserv exited at start"; exit 1; fi
    sleep 0.1
done
if ! listening "$port" || ! listening "$port_up"; then say "webserv does not listen on $port and $port_up after 10 s"; exit 1; fi

say "webserv $binary serving $work/site on $scheme://localhost:$port/ (upstream 127.0.0.1:$port_up)"
run=("$python" "$here/site_test.py" --base "$scheme://localhost:$port" --site "$work/site" --screenshots "$shots" "${tls_options[@]}" "$@")
if command -v timeout >/dev/null 2>&1; then run=(timeout -k 10 270 "${run[@]}"); fi
"${run[@]}"
