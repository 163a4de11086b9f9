#!/usr/bin/env bash
# HTTP/2 over TLS: webserv against nginx with the same certificate (ALPN h2,
# `listen ... ssl http2` on both: nginx 1.22 has no `http2 on`), one worker
# each, interleaved rounds, with h2load (Debian's nghttp2-client):
#   - 612 B file, 64 connections x 10 concurrent streams: req/s;
#   - 1 MiB file, 16 connections x 1 stream: MB/s;
#   - RSS per idle h2 connection (bench/idle_h2_connections.py: one request
#     each, then held).
# Run by hand; never by the tests. At the end, the median of each ratio.
# ROUNDS (3), DURATION (10, seconds), IDLE (1000). WEBSERV=path/to/webserv
# uses that binary; otherwise a release build is made in SCRATCH_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
seconds=${DURATION:-10}
idle=${IDLE:-1000}
source bench/common.sh
need_tools nginx h2load openssl curl
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h2' 2>/dev/null || need_tools python3-h2
webserv_binary
make_work
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
head -c 1048576 /dev/urandom > "$work/www/big.bin"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
make_certificate

port() { case $1 in webserv) echo 18450 ;; nginx) echo 18451 ;; esac; }
server_block() {
    cat <<CONF
    server {
        listen 127.0.0.1:$(port "$1") ssl http2;
        server_name bench.test;
        root $work/www;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
    }
CONF
}
cat > "$work/webserv.conf" <<CONF
worker_processes 1;
$(webserv_conf_start)
    keepalive_timeout 300s;
    keepalive_requests 1000000;
$(server_block webserv)
}
CONF
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
$(nginx_conf_start)
    sendfile on;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
$(server_block nginx)
}
CONF
"$WEBSERV" -t "$work/webserv.conf" >/dev/null || { echo "webserv refuses the configuration"; exit 1; }
"$WEBSERV" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
for server in webserv nginx; do
    for file in small.html big.bin; do
        url=https://127.0.0.1:$(port $server)/$file
        version=$(curl -sk --http2 -o /dev/null -w '%{http_code} %{http_version}' "$url" || true)
        [ "$version" = "200 2" ] || { echo "$url answers '$version', not '200 2' (HTTP/2): fix the setup first"; exit 1; }
    done
done

# h2load's summary line: "finished in 10.00s, 12345.67 req/s, 7.89MB/s".
run_h2load() {
    local report
    report=$(h2load -t2 -D "$seconds" "$@" 2>&1)
    if ! grep -q ' 0 failed, 0 errored' <<<"$report"; then echo "warning: $*: $(grep -E '^requests:' <<<"$report")" >&2; fi
    echo "$report"
}
rps() { run_h2load -c64 -m10 "https://127.0.0.1:$(port "$1")/small.html" | awk '/^finished in/ {print $4}'; }
mbps() {
    run_h2load -c16 -m1 "https://127.0.0.1:$(port "$1")/big.bin" | awk '/^finished in/ {
        v = $6; unit = v; sub(/^[0-9.]+/, "", unit); v += 0
        if (unit ~ /^GB/) v *= 1024; else if (unit ~ /^KB/) v /= 1024; else if (unit ~ /^B/) v /= 1048576
        print v }'
}

servers=(webserv nginx)
for round in $(seq "$rounds"); do
    for measure in rps mbps; do
        declare -A result=()
        for offset in 0 1; do
            server=${servers[$(( (round - 1 + offset) % 2 ))]}
            result[$server]=$($measure "$server")
        done
        case $measure in rps) label="612 B c64 m10 req/s" ;; mbps) label="1 MiB c16 MB/s" ;; esac
        r=$(ratio "${result[webserv]}" "${result[nginx]}")
        echo "round $round  $label  webserv ${result[webserv]} nginx ${result[nginx]}  webserv/nginx $r"
        echo "$label|$r" >> "$work/ratios"
        unset result
    done
done
print_medians "$work/ratios" "webserv/nginx "

nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
echo "idle h2 connections  RSS bytes per connection ($idle connections)" \
    " webserv $(/usr/bin/python3 bench/idle_h2_connections.py "$(port webserv)" "$(cat "$work/webserv.pid")" "$idle")" \
    " nginx $(/usr/bin/python3 bench/idle_h2_connections.py "$(port nginx)" "$nginx_worker" "$idle")"
