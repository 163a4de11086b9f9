#!/usr/bin/env bash
# How `worker_processes N` shares the work: webserv with N workers (default
# 2) serves a 612-byte file to wrk (64 connections, two threads); for each
# worker it reports the connections it holds (SO_REUSEPORT spreads them: no
# shared accept queue), the CPU time it used, and how often accept4 found
# nothing (EAGAIN: the wake-ups a thundering herd would cost), counted by
# strace in a second, shorter run. On this 2-core machine wrk competes with
# the workers for the cores, so req/s cannot show scaling; balance and
# wake-ups can. Run by hand; never by the tests.
# WEBSERV=path/to/webserv uses that binary; otherwise a release build is made
# in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${WORKERS:-2}
duration=${DURATION:-10s}
source bench/common.sh
need_tools wrk strace python3
webserv_binary
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/logs"
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
port=18980
cat > "$work/webserv.conf" <<CONF
worker_processes $workers;
http {
    access_log off;
    error_log $work/logs/error.log;
    keepalive_timeout 300s;
    server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
"$WEBSERV" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/master.pid"
sleep 1
# With one worker the process serves by itself (no master).
pids=$(pgrep -P "$(cat "$work/master.pid")" | sort -n || true)
[ -n "$pids" ] || pids=$(cat "$work/master.pid")
url=http://127.0.0.1:$port/small.html

# CPU ticks (user + system) of a process.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A before=()
for pid in $pids; do before[$pid]=$(ticks "$pid"); done
wrk -t2 -c64 -d"$duration" "$url" > "$work/wrk.out" &
wrk_pid=$!
sleep 2
declare -A held=()
for pid in $pids; do
    # Established TCP connections to the port, by the worker holding them.
    held[$pid]=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -c socket || true)
done
wait $wrk_pid
echo "worker_processes $workers: $(awk '/Requests\/sec/ {print $2}' "$work/wrk.out") req/s (wrk -t2 -c64 on the same cores)"
for pid in $pids; do
    # Sockets held: the listener and the inotify/signal descriptors are not sockets; one listener is.
    echo "worker $pid: $(( held[$pid] - 1 )) client connections, $(( $(ticks "$pid") - before[$pid] )) CPU ticks"
done

# Wake-ups without work: accept4 calls that found no connection, per worker,
# while 64 new connections arrive one after another (wrk opens its 64 at start).
for pid in $pids; do
    strace -f -p "$pid" -e trace=accept4 -o "$work/strace.$pid" 2>/dev/null & echo $! > "$work/strace$pid.pid"
done
sleep 1
wrk -t2 -c64 -d2s "$url" > /dev/null
for pid in $pids; do kill "$(cat "$work/strace$pid.pid")" 2>/dev/null || true; done
sleep 0.5
for pid in $pids; do
    accepted=$(grep -c 'accept4(.*= [0-9]' "$work/strace.$pid" || true)
    empty=$(grep -c 'EAGAIN' "$work/strace.$pid" || true)
    echo "worker $pid: accepted $accepted, accept4 with nothing to take $empty"
done
