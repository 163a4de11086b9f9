#!/usr/bin/env bash
# User-space instructions per keep-alive request for a 612-byte file, webserv
# next to lighttpd, counted by callgrind: unlike req/s it does not depend on
# the machine's load, so a change to the request path can be judged by it
# alone (its effect on req/s still has to be measured with serve.sh).
# Each server is run twice under callgrind, with N and 3N sequential requests
# on one connection after a warm-up; the difference over 2N requests leaves
# out start-up and shut-down. System calls count once each, not their kernel work.
# Run by hand; never by the tests. N=1000 by default (about a minute).
# FIELDS=browser sends a browser's eight header fields instead of wrk's one.
# WEBSERV=path/to/webserv uses that binary; otherwise a release build is made
# in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-1000}
source bench/common.sh
need_tools valgrind lighttpd python3 curl
webserv_binary
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/logs"
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
port=18990
cat > "$work/webserv.conf" <<CONF
http {
    access_log off;
    error_log $work/logs/webserv-error.log;
    server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
cat > "$work/lighttpd.conf" <<CONF
server.document-root = "$work/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$work/logs/lighttpd-error.log"
server.max-keep-alive-requests = 65535
mimetype.assign = (".html" => "text/html")
server.modules = ()
CONF

# Total instructions of one run of "$@" that answers $1 requests.
count() {
    local requests=$1; shift
    local out="$work/callgrind.out"
    rm -f "$out"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1 & echo $! > "$work/server.pid"
    for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$port/small.html" && break; sleep 0.2; done
    python3 bench/keepalive_requests.py "$port" /small.html 200 >/dev/null
    python3 bench/keepalive_requests.py "$port" /small.html "$requests" ${FIELDS:-} >/dev/null
    kill "$(cat "$work/server.pid")"; wait "$(cat "$work/server.pid")" 2>/dev/null || true
    awk '/^totals:/ {print $2}' "$out"
}

per_request() {
    local one three
    one=$(count "$n" "$@")
    three=$(count $((3 * n)) "$@")
    echo $(( (three - one) / (2 * n) ))
}

webserv=$(per_request "$WEBSERV" "$work/webserv.conf")
lighttpd=$(per_request lighttpd -D -f "$work/lighttpd.conf")
echo "user-space instructions per keep-alive request (612 B file): webserv $webserv  lighttpd $lighttpd  webserv/lighttpd $(python3 -c "print(f'{$webserv / $lighttpd:.2f}')")"
