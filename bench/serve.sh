#!/usr/bin/env bash
# webserv against nginx, one worker each, same files, interleaved rounds:
# 612-byte file req/s (wrk -c64), 1 MiB file MB/s, RSS per idle keep-alive
# connection (10,000 connections). Run by hand; never by the tests.
# PIN=1 puts both servers on CPU 0 and wrk (one thread) on CPU 1, which takes
# most of the noise out of a 2-core machine; the default shares both cores.
# ACCESS_LOG=1 has both servers write their access log (off by default).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
idle=${IDLE:-10000}
for tool in nginx wrk python3; do
    command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx wrk python3; break; }
done
swift build -c release --product webserv >/dev/null
webserv=$(swift build -c release --show-bin-path)/webserv
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/logs"
chmod 755 "$work" "$work/www"   # nginx's workers run as an unprivileged user
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
head -c 1048576 /dev/urandom > "$work/www/big.bin"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
limit=$(ulimit -n); [ "$idle" -lt "$((limit - 100))" ] || idle=$((limit - 100))

webserv_log="access_log off;"; nginx_log="access_log off;"
if [ "${ACCESS_LOG:-0}" = 1 ]; then
    webserv_log="access_log $work/logs/webserv-access.log;"; nginx_log="access_log $work/logs/nginx-access.log;"
fi
cat > "$work/webserv.conf" <<CONF
worker_processes 1;
events { worker_connections 20000; }
http {
    $webserv_log
    error_log $work/logs/webserv-error.log;
    keepalive_timeout 300s;
    server { listen 127.0.0.1:18080; root $work/www; }
}
CONF
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 20000; }
http {
    $nginx_log
    sendfile on;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:18081; root $work/www; }
}
CONF
"$webserv" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
wrk_cmd=(wrk -t2)
if [ "${PIN:-0}" = 1 ]; then
    taskset -pc 0 "$(cat "$work/webserv.pid")" >/dev/null
    for pid in $(pgrep -f "nginx: (master|worker)"); do taskset -pc 0 "$pid" >/dev/null; done
    wrk_cmd=(taskset -c 1 wrk -t1)
    echo "pinned: servers on CPU 0, wrk on CPU 1"
fi
for url in http://127.0.0.1:18080/small.html http://127.0.0.1:18081/small.html http://127.0.0.1:18081/big.bin http://127.0.0.1:18080/big.bin; do
    code=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).status)" "$url")
    [ "$code" = 200 ] || { echo "$url answers $code, not 200: fix the setup first"; exit 1; }
done

rps() { "${wrk_cmd[@]}" -c64 -d"$duration" "$1" | awk '/Requests\/sec/ {print $2}'; }
mbps() { "${wrk_cmd[@]}" -c64 -d"$duration" "$1" | awk '/Transfer\/sec/ {v=$2; if (v ~ /GB/) v*=1024; else if (v ~ /KB/) v/=1024; print v+0}'; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

for round in $(seq "$rounds"); do
    w=$(rps http://127.0.0.1:18080/small.html); n=$(rps http://127.0.0.1:18081/small.html)
    echo "round $round  612 B   req/s  webserv $w  nginx $n  ratio $(ratio "$w" "$n")"
    n2=$(mbps http://127.0.0.1:18081/big.bin); w2=$(mbps http://127.0.0.1:18080/big.bin)
    echo "round $round  1 MiB   MB/s   webserv $w2  nginx $n2  ratio $(ratio "$w2" "$n2")"
done
nginx_worker=$(pgrep -f "nginx: worker process" | head -1)
w3=$(python3 bench/idle_connections.py 18080 "$(cat "$work/webserv.pid")" "$idle")
n3=$(python3 bench/idle_connections.py 18081 "$nginx_worker" "$idle")
echo "idle keep-alive  RSS bytes per connection  webserv $w3  nginx $n3"
