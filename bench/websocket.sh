#!/usr/bin/env bash
# WebSocket through the proxy: webserv against nginx, both proxying the same
# upstream (bench/websocket_echo.py: the handshake, then every byte echoed),
# with every guide's lines (proxy_http_version 1.1, proxy_set_header Upgrade
# and Connection), one worker each, interleaved rounds: round trips per second
# of a 32-byte masked frame, CLIENTS connections (64) split over PROCS client
# processes (2, bench/websocket_client.py), each sending a frame and waiting
# for its echo. The clients and the upstream are Python: they bound both
# servers alike, so the ratio says more than the absolute numbers.
# Run by hand; never by the tests. At the end, the median of the ratios.
# ROUNDS (3), DURATION (10, seconds), CLIENTS (64), PROCS (2). ONLY=nginx runs
# nginx's side alone (to check the setup). WEBSERV=path/to/webserv uses that
# binary; otherwise a release build is made in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
seconds=${DURATION:-10}
seconds=${seconds%s}
clients=${CLIENTS:-64}
procs=${PROCS:-2}
only=${ONLY:-}
source bench/common.sh
need_tools nginx python3
servers=(webserv nginx)
if [ "$only" = nginx ]; then servers=(nginx); else webserv_binary; fi
make_work
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

upstream_port=18460
port() { case $1 in webserv) echo 18461 ;; nginx) echo 18462 ;; esac; }
python3 bench/websocket_echo.py "$upstream_port" & echo $! > "$work/upstream.pid"
location() {
    cat <<CONF
        location /ws/ {
            proxy_pass http://127.0.0.1:$upstream_port;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 300s;
        }
CONF
}
cat > "$work/webserv.conf" <<CONF
worker_processes 1;
$(webserv_conf_start)
    server {
        listen 127.0.0.1:$(port webserv);
$(location)
    }
}
CONF
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
$(nginx_conf_start)
    server {
        listen 127.0.0.1:$(port nginx);
$(location)
    }
}
CONF
if [ "$only" != nginx ]; then
    "$WEBSERV" -t "$work/webserv.conf" || { echo "webserv refuses the configuration (does this build proxy WebSocket?)"; exit 1; }
    "$WEBSERV" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
fi
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
for server in "${servers[@]}"; do
    python3 bench/websocket_client.py "$(port "$server")" /ws/ 1 0.2 >/dev/null \
        || { echo "$server: no WebSocket echo through /ws/: fix the setup first"; exit 1; }
done

# Round trips per second: the clients' processes started together, their rates summed.
round_trips() {
    local each=$(( (clients + procs - 1) / procs )) i pids=()
    for i in $(seq "$procs"); do
        python3 bench/websocket_client.py "$(port "$1")" /ws/ "$each" "$seconds" > "$work/rate-$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    cat "$work"/rate-* | awk '{s += $1} END {print s}'
    rm -f "$work"/rate-*
}

for round in $(seq "$rounds"); do
    declare -A result=()
    for offset in $(seq 0 $(( ${#servers[@]} - 1 ))); do
        server=${servers[$(( (round - 1 + offset) % ${#servers[@]} ))]}
        result[$server]=$(round_trips "$server")
    done
    line="round $round  WebSocket round trips/s (c$clients)"
    for server in "${servers[@]}"; do line+=" $server ${result[$server]}"; done
    if [ "$only" != nginx ]; then
        r=$(ratio "${result[webserv]}" "${result[nginx]}")
        line+="  webserv/nginx $r"
        echo "WebSocket round trips/s|$r" >> "$work/ratios"
    fi
    echo "$line"
    unset result
done
if [ -f "$work/ratios" ]; then
    print_medians "$work/ratios" "webserv/nginx "
fi
