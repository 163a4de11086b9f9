#!/usr/bin/env bash
# What five add_header lines cost a small-file answer: webserv's requests/s
# for the same 612-byte file from a location without add_header and from one
# with five (the security headers a site sends), interleaved rounds, one
# worker, wrk -c64 (issue 24's goal: the five cost at most 5%). nginx's two
# beside them for reference.
# Run by hand; never by the tests. ROUNDS (3), DURATION (10s); WEBSERV=path
# uses that binary, otherwise a release build is made in SCRATCH_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
source bench/common.sh
need_tools nginx wrk python3 curl
webserv_binary
make_work
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
locations() {
    echo "location /plain/ { alias $work/www/; }"
    echo "location /headers/ { alias $work/www/;"
    echo "    add_header X-Frame-Options DENY; add_header X-Content-Type-Options nosniff;"
    echo "    add_header Referrer-Policy strict-origin-when-cross-origin; add_header Cache-Control \"public, max-age=60\";"
    echo "    add_header Strict-Transport-Security \"max-age=31536000\"; }"
}
cat > "$work/webserv.conf" <<CONF
events { worker_connections 20000; }
http { access_log off; error_log $work/logs/webserv-error.log; keepalive_timeout 300s;
    server { listen 127.0.0.1:18092; root $work/www; $(locations) } }
CONF
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 20000; }
http { access_log off; sendfile on; keepalive_timeout 300s; keepalive_requests 1000000;
    server { listen 127.0.0.1:18093; root $work/www; $(locations) } }
CONF
"$WEBSERV" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
for port in 18092 18093; do
    count=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/headers/small.html" | grep -ciE '^(x-frame-options|x-content-type-options|referrer-policy|cache-control|strict-transport-security):')
    [ "$count" = 5 ] || { echo "port $port sends $count of the five fields: fix the setup first"; exit 1; }
done
rps() { wrk -t2 -c64 -d"$duration" "$1" | awk '/Requests\/sec/ {print $2}'; }
for round in $(seq "$rounds"); do
    # The order turns each round, so neither is always first after a pause.
    if (( round % 2 )); then first=plain; second=headers; else first=headers; second=plain; fi
    declare -A r=()
    r[$first]=$(rps "http://127.0.0.1:18092/$first/small.html")
    r[$second]=$(rps "http://127.0.0.1:18092/$second/small.html")
    nginx_plain=$(rps "http://127.0.0.1:18093/plain/small.html")
    nginx_headers=$(rps "http://127.0.0.1:18093/headers/small.html")
    printf 'round %s  req/s  webserv plain %s  five add_header %s  (%s)   nginx plain %s  five add_header %s  (%s)\n' "$round" \
        "${r[plain]}" "${r[headers]}" "$(ratio "${r[headers]}" "${r[plain]}" 3)" "$nginx_plain" "$nginx_headers" "$(ratio "$nginx_headers" "$nginx_plain" 3)"
    echo "$(ratio "${r[headers]}" "${r[plain]}" 3)" >> "$work/ratios"
done
python3 - "$work/ratios" <<'PY'
import statistics, sys
values = [float(line) for line in open(sys.argv[1])]
print(f"median of {len(values)} rounds: webserv with five add_header / without {statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")
PY
