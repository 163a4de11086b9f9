#!/usr/bin/env bash
# Dynamic content, measured by hand (never by the tests):
#  1. a 1 GiB chunked upload to upload_store: MB/s and webserv's peak RSS growth;
#  2. CGI requests per second, webserv against lighttpd's mod_cgi, same script,
#     same client (wrk -c16), interleaved rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
size_mib=${SIZE_MIB:-1024}
source bench/common.sh
need_tools lighttpd wrk curl python3
# WEBSERV=path/to/webserv uses that binary; otherwise a release build is made
# in SCRATCH_PATH (default .build).
webserv_binary
webserv=$WEBSERV
work=$(mktemp -d)
chmod 755 "$work"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/www/cgi" "$work/store" "$work/logs"
cat > "$work/www/cgi/hello.py" <<'PY'
#!/usr/bin/python3
import os
print("Content-Type: text/plain")
print()
print("hello " + os.environ.get("QUERY_STRING", ""))
PY
chmod 755 "$work/www/cgi/hello.py" "$work/www" "$work/www/cgi"

cat > "$work/webserv.conf" <<CONF
events { worker_connections 4096; }
http {
    access_log off;
    error_log $work/logs/webserv-error.log;
    server {
        listen 127.0.0.1:18090;
        root $work/www;
        location /up/ { allow_methods PUT POST; upload_store $work/store; client_max_body_size 0; }
        location /cgi/ { cgi_path /usr/bin/python3; }
    }
}
CONF
cat > "$work/lighttpd.conf" <<CONF
server.document-root = "$work/www"
server.port = 18091
server.bind = "127.0.0.1"
server.pid-file = "$work/lighttpd.pid"
server.errorlog = "$work/logs/lighttpd-error.log"
server.modules = ("mod_cgi")
cgi.assign = (".py" => "/usr/bin/python3")
CONF
"$webserv" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
lighttpd -f "$work/lighttpd.conf"
sleep 1
pid=$(cat "$work/webserv.pid")

rss() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
before=$(rss)
start=$(date +%s.%N)
head -c $((size_mib * 1048576)) /dev/zero | curl -s -o /dev/null -w "upload: HTTP %{http_code}\n" -T - -H "Transfer-Encoding: chunked" http://127.0.0.1:18090/up/big.bin
end=$(date +%s.%N)
after=$(rss)
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'upload: {sys.argv[3]} MiB chunked in {s:.1f} s = {int(sys.argv[3])/s:.0f} MiB/s; peak RSS growth {(int(sys.argv[5])-int(sys.argv[4]))/1024:.1f} MiB')" "$start" "$end" "$size_mib" "$before" "$after"
rm -f "$work/store/big.bin"

rps() { wrk -t2 -c16 -d"$duration" "$1" | awk '/Requests\/sec/ {print $2}'; }
for round in $(seq "$rounds"); do
    w=$(rps "http://127.0.0.1:18090/cgi/hello.py?x=1"); l=$(rps "http://127.0.0.1:18091/cgi/hello.py?x=1")
    echo "round $round  CGI req/s  webserv $w  lighttpd $l  ratio $(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$w" "$l")"
done
