#!/usr/bin/env bash
# webserv against nginx and lighttpd, same files, interleaved rounds:
# 612-byte file req/s and 1 MiB file MB/s (wrk -c64), first with one worker
# each, then with two (`worker_processes 2`, lighttpd's `server.max-worker = 2`),
# and RSS per idle keep-alive connection (10,000 connections, one worker);
# for the small file also the CPU time per request of each server's processes
# and of wrk, user+system (bench/cpu_time.py).
# Run by hand; never by the tests. At the end, the median of each ratio over the rounds.
# WORKERS="1 2" (default) chooses the worker counts; wrk runs two threads.
# PIN=1 puts the one-worker servers on CPU 0 and wrk (one thread) on CPU 1,
# which takes most of the noise out of a 2-core machine (two workers are then
# not measured); the default shares both cores.
# ACCESS_LOG=1 has every server write its access log (off by default).
# WEBSERV=path/to/webserv uses that binary; otherwise a release build is made
# in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
idle=${IDLE:-10000}
workers=${WORKERS:-1 2}
[ "${PIN:-0}" = 1 ] && workers=1
source bench/common.sh
need_tools nginx lighttpd wrk python3
webserv_binary
webserv=$WEBSERV
make_work
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
head -c 1048576 /dev/urandom > "$work/www/big.bin"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
limit=$(ulimit -n); [ "$idle" -lt "$((limit - 100))" ] || idle=$((limit - 100))

# Ports: 180N0 webserv, 180N1 nginx, 180N2 lighttpd, N the worker count.
port() { case $1 in webserv) echo "180${2}0" ;; nginx) echo "180${2}1" ;; lighttpd) echo "180${2}2" ;; esac; }

for n in $workers; do
    webserv_log="access_log off;"; nginx_log="access_log off;"; lighttpd_modules='server.modules = ()'; lighttpd_log=""
    if [ "${ACCESS_LOG:-0}" = 1 ]; then
        webserv_log="access_log $work/logs/webserv$n-access.log;"; nginx_log="access_log $work/logs/nginx$n-access.log;"
        lighttpd_modules='server.modules = ("mod_accesslog")'; lighttpd_log="accesslog.filename = \"$work/logs/lighttpd$n-access.log\""
    fi
    cat > "$work/webserv$n.conf" <<CONF
worker_processes $n;
events { worker_connections 20000; }
http {
    $webserv_log
    error_log $work/logs/webserv$n-error.log;
    keepalive_timeout 300s;
    server { listen 127.0.0.1:$(port webserv "$n"); root $work/www; }
}
CONF
    cat > "$work/nginx$n.conf" <<CONF
worker_processes $n;
pid $work/nginx$n.pid;
error_log $work/logs/nginx$n-error.log;
events { worker_connections 20000; }
http {
    $nginx_log
    sendfile on;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$(port nginx "$n"); root $work/www; }
}
CONF
    # lighttpd's defaults otherwise (its stat cache, sendfile); keep-alive as long as it allows.
    cat > "$work/lighttpd$n.conf" <<CONF
server.document-root = "$work/www"
server.bind = "127.0.0.1"
server.port = $(port lighttpd "$n")
server.errorlog = "$work/logs/lighttpd$n-error.log"
server.max-fds = 40000
server.max-connections = 20000
server.max-keep-alive-requests = 65535
server.max-keep-alive-idle = 300
mimetype.assign = (".html" => "text/html", ".bin" => "application/octet-stream")
$lighttpd_modules
$lighttpd_log
CONF
    [ "$n" = 1 ] || echo "server.max-worker = $n" >> "$work/lighttpd$n.conf"
    "$webserv" "$work/webserv$n.conf" 2>/dev/null & echo $! > "$work/webserv$n.pid"
    nginx -c "$work/nginx$n.conf" -p "$work"
    # Its own session: lighttpd's master passes SIGTERM on with kill(0, ...),
    # which would otherwise reach this script's whole process group.
    setsid lighttpd -D -f "$work/lighttpd$n.conf" 2>/dev/null & echo $! > "$work/lighttpd$n.pid"
done
sleep 1
wrk_cmd=(wrk -t2)
if [ "${PIN:-0}" = 1 ]; then
    taskset -apc 0 "$(cat "$work/webserv1.pid")" >/dev/null
    taskset -apc 0 "$(cat "$work/lighttpd1.pid")" >/dev/null
    for pid in $(cat "$work/nginx1.pid") $(pgrep -P "$(cat "$work/nginx1.pid")"); do taskset -pc 0 "$pid" >/dev/null; done
    wrk_cmd=(taskset -c 1 wrk -t1)
    echo "pinned: servers on CPU 0, wrk on CPU 1"
fi
for n in $workers; do
    for server in webserv nginx lighttpd; do
        for file in small.html big.bin; do
            url=http://127.0.0.1:$(port $server "$n")/$file
            code=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).status)" "$url")
            [ "$code" = 200 ] || { echo "$url answers $code, not 200: fix the setup first"; exit 1; }
        done
    done
done

# wrk's report, with a warning when some answers were not 2xx/3xx or some
# requests failed, and a last line "cpu: USER SYSTEM" (wrk's CPU seconds).
run_wrk() {
    local report
    report=$(python3 bench/cpu_time.py run "${wrk_cmd[@]}" -c64 -d"$duration" "$1")
    if grep -qE 'Non-2xx|Socket errors' <<<"$report"; then echo "warning: $1: $(grep -E 'Non-2xx|Socket errors' <<<"$report" | tr -s ' ')" >&2; fi
    echo "$report"
}
# Requests/s of server $2 (N workers: $3) for URL $1. Also leaves in
# $work/cpu-$2 the CPU time per request, in microseconds, user+system, of
# the server's processes and of wrk: where the time goes, which the ratios
# of requests/s alone do not say (on shared cores wrk's part is in every one).
rps() {
    local before after report
    before=$(python3 bench/cpu_time.py pids "$(cat "$work/$2$3.pid")")
    report=$(run_wrk "$1")
    after=$(python3 bench/cpu_time.py pids "$(cat "$work/$2$3.pid")")
    python3 - "$before" "$after" "$(awk '/ requests in / {print $1}' <<<"$report")" \
        "$(awk '/^cpu:/ {print $2, $3}' <<<"$report")" > "$work/cpu-$2" <<'PY'
import sys
(u0, s0), (u1, s1) = (map(float, x.split()) for x in sys.argv[1:3])
requests = int(sys.argv[3])
wu, ws = map(float, sys.argv[4].split())
us = lambda seconds: seconds * 1e6 / requests
print(f"{us(u1 - u0):.1f}+{us(s1 - s0):.1f} (wrk {us(wu):.1f}+{us(ws):.1f})")
PY
    awk '/Requests\/sec/ {print $2}' <<<"$report"
}
mbps() { run_wrk "$1" | awk '/Transfer\/sec/ {v=$2; if (v ~ /GB/) v*=1024; else if (v ~ /KB/) v/=1024; print v+0}'; }

# Each round measures the three servers in a rotated order, so none is always
# the first after a pause or the last in a warm cache.
servers=(webserv nginx lighttpd)
for round in $(seq "$rounds"); do
    for n in $workers; do
        for measure in rps mbps; do
            declare -A result=()
            for offset in 0 1 2; do
                server=${servers[$(( (round - 1 + offset) % 3 ))]}
                file=small.html; [ $measure = mbps ] && file=big.bin
                result[$server]=$($measure "http://127.0.0.1:$(port $server "$n")/$file" "$server" "$n")
            done
            label="612 B   req/s"; [ $measure = mbps ] && label="1 MiB   MB/s "
            printf 'round %s  %s worker(s)  %s  webserv %s  nginx %s  lighttpd %s  webserv/nginx %s  webserv/lighttpd %s\n' \
                "$round" "$n" "$label" "${result[webserv]}" "${result[nginx]}" "${result[lighttpd]}" \
                "$(ratio "${result[webserv]}" "${result[nginx]}")" "$(ratio "${result[webserv]}" "${result[lighttpd]}")"
            echo "$n $label $(ratio "${result[webserv]}" "${result[nginx]}") $(ratio "${result[webserv]}" "${result[lighttpd]}")" >> "$work/ratios"
            if [ $measure = rps ]; then
                printf 'round %s  %s worker(s)  612 B   CPU us/request user+system  webserv %s  nginx %s  lighttpd %s\n' \
                    "$round" "$n" "$(cat "$work/cpu-webserv")" "$(cat "$work/cpu-nginx")" "$(cat "$work/cpu-lighttpd")"
            fi
            unset result
        done
    done
done

# The median of each ratio over the rounds (and its range): with rounds
# interleaved, a slow spell of the machine moves one round, not the median.
python3 - "$work/ratios" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    *key, nginx, lighttpd = line.split()
    rows.setdefault(" ".join(key), []).append((float(nginx), float(lighttpd)))
for key, values in rows.items():
    def summary(index):
        ratios = sorted(v[index] for v in values)
        return f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})"
    workers, label = key.split(" ", 1)
    print(f"median of {len(values)} rounds  {workers} worker(s)  {label}  webserv/nginx {summary(0)}  webserv/lighttpd {summary(1)}")
PY

# Idle connections on the one-worker servers (the processes that hold them).
if [[ " $workers " == *" 1 "* ]]; then
    nginx_worker=$(pgrep -P "$(cat "$work/nginx1.pid")" | head -1)
    w3=$(python3 bench/idle_connections.py "$(port webserv 1)" "$(cat "$work/webserv1.pid")" "$idle")
    n3=$(python3 bench/idle_connections.py "$(port nginx 1)" "$nginx_worker" "$idle")
    l3=$(python3 bench/idle_connections.py "$(port lighttpd 1)" "$(cat "$work/lighttpd1.pid")" "$idle")
    echo "idle keep-alive  RSS bytes per connection ($idle connections)  webserv $w3  nginx $n3  lighttpd $l3"
fi
