#!/usr/bin/env bash
# The proxy and FastCGI, webserv against nginx in the same interleaved run,
# one worker each, the same upstreams (issue 25's measures):
#   - a proxied 612 B answer from a fast upstream (nginx itself, one worker),
#     keep-alive to the upstream (`keepalive 16` in an upstream group), wrk -c64;
#   - a proxied 1 MiB answer, MB/s, wrk -c16;
#   - PHP-FPM's `<?php echo "hi";` through FastCGI on a unix socket (a static
#     pool of 4 children for each server), wrk -c16: both are bound by PHP-FPM, so the servers' own
#     CPU time per request is printed beside it (where the time goes).
# Run by hand; never by the tests. At the end, the median of each ratio.
# ROUNDS (3), DURATION (10s). WEBSERV=path/to/webserv uses that binary;
# otherwise a release build is made in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
source bench/common.sh
need_tools nginx wrk python3 curl
fpm=$(command -v php-fpm8.2 || command -v php-fpm || true)
[ -n "$fpm" ] || { apt-get update -qq && apt-get install -y -qq php-fpm >/dev/null; fpm=$(command -v php-fpm8.2 || command -v php-fpm); }
webserv_binary
webserv=$WEBSERV
work=$(mktemp -d)
# PHP-FPM's pid file ends without a newline: one file at a time.
trap 'for f in "$work"/*.pid; do kill "$(cat "$f")" 2>/dev/null; done; sleep 0.5; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/app" "$work/php" "$work/logs"
chmod 755 "$work" "$work/www" "$work/app" "$work/php"   # nginx's and PHP-FPM's workers run as an unprivileged user
head -c 612 /dev/zero | tr '\0' 'x' > "$work/app/small.html"
head -c 1048576 /dev/urandom > "$work/app/big.bin"
echo '<?php echo "hi";' > "$work/php/hi.php"
chmod 644 "$work/app/"* "$work/php/hi.php"

# The upstreams: nginx serving files, PHP-FPM on a unix socket.
cat > "$work/upstream.conf" <<CONF
worker_processes 1;
pid $work/upstream.pid;
error_log $work/logs/upstream-error.log;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:18210; root $work/app; }
}
CONF
# A pool for each server: a kept FastCGI connection holds its PHP-FPM child,
# so one server's idle connections would starve the other's.
cat > "$work/fpm.conf" <<CONF
[global]
pid = $work/fpm.pid
error_log = $work/logs/fpm.log
$(for pool in webserv nginx; do printf '[%s]\nlisten = %s\nlisten.mode = 0666\npm = static\npm.max_children = 4\n%s\n' \
    "$pool" "$work/fpm-$pool.sock" "$( [ "$(id -u)" = 0 ] && echo "user = www-data" )"; done)
CONF
nginx -c "$work/upstream.conf" -p "$work"
"$fpm" --fpm-config "$work/fpm.conf" $( [ "$(id -u)" = 0 ] && echo -R )

# The same proxy and FastCGI text for both servers, but for how each writes
# a suffix location (webserv's language has no regular expressions) and the
# proxy_http_version line nginx needs for keep-alive (webserv always speaks 1.1).
sites() {
    cat <<CONF
    upstream app { server 127.0.0.1:18210; keepalive 16; }
    server {
        listen 127.0.0.1:$1;
        location /p/ { proxy_pass http://app/; $3 proxy_set_header Connection ""; }
        $2 {
            root $work/php;
            fastcgi_pass unix:$work/fpm-$4.sock;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_param REQUEST_METHOD \$request_method;
            fastcgi_keep_conn on;
        }
    }
CONF
}
cat > "$work/webserv.conf" <<CONF
worker_processes 1;
$(webserv_conf_start)
    keepalive_timeout 300s;
$(sites 18211 "location $ .php" "" webserv)
}
CONF
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
$(nginx_conf_start)
    keepalive_timeout 300s;
    keepalive_requests 1000000;
$(sites 18212 "location ~ \\.php\$" "proxy_http_version 1.1;" nginx)
}
CONF
"$webserv" "$work/webserv.conf" 2>"$work/logs/webserv-stderr.log" & echo $! > "$work/webserv.pid"
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
port() { case $1 in webserv) echo 18211 ;; nginx) echo 18212 ;; esac; }
worker() { case $1 in webserv) cat "$work/webserv.pid" ;; nginx) pgrep -P "$(cat "$work/nginx.pid")" | head -1 ;; esac; }

# Every URL answers as it should before anything is measured.
for server in webserv nginx; do
    for path in p/small.html p/big.bin hi.php; do
        got=$(curl -s -o "$work/got" --max-time 10 -w '%{http_code} %{size_download}' "http://127.0.0.1:$(port "$server")/$path" || true)
        want="200 $(case $path in p/small.html) echo 612 ;; p/big.bin) echo 1048576 ;; hi.php) echo 2 ;; esac)"
        [ "$got" = "$want" ] || { echo "$server /$path answers '$got', not '$want': fix the setup first"; cat "$work"/logs/*; exit 1; }
    done
done

# wrk's rate: req/s, or MB/s with "mb"; the server's CPU (user+system) in ms is appended to $work/cpu.
measure() {
    local server=$1 path=$2 connections=$3 unit=$4 pid before after report
    pid=$(worker "$server")
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    report=$(wrk -t2 -c"$connections" -d"$duration" "http://127.0.0.1:$(port "$server")/$path")
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    echo "$report" > "$work/logs/wrk-$server-${path//\//_}.txt"
    if grep -qE 'Non-2xx|Socket errors' <<<"$report"; then echo "warning: $server /$path: $(grep -E 'Non-2xx|Socket errors' <<<"$report" | tr -s ' ')" >&2; fi
    local requests rate
    requests=$(awk '/requests in/ {print $1}' <<<"$report")
    if [ "$unit" = mb ]; then
        rate=$(awk '/Transfer\/sec/ {v=$2; if (v ~ /GB/) v*=1024; else if (v ~ /KB/) v/=1024; sub(/[A-Z]+$/, "", v); print v+0}' <<<"$report")
    else
        rate=$(awk '/Requests\/sec/ {print $2}' <<<"$report")
    fi
    # CPU microseconds per request (clock ticks of 10 ms).
    echo "$rate $(python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) * 10000 / max(1, int(sys.argv[3])):.0f}')" "$before" "$after" "$requests")"
}

servers=(webserv nginx)
for round in $(seq "$rounds"); do
    for case in "p/small.html 64 rps proxied-612B" "p/big.bin 16 mb proxied-1MiB" "hi.php 16 rps php-fpm"; do
        read -r path connections unit name <<<"$case"
        declare -A rate=() cpu=()
        for offset in 0 1; do
            server=${servers[$(( (round - 1 + offset) % 2 ))]}
            read -r rate[$server] cpu[$server] <<<"$(measure "$server" "$path" "$connections" "$unit")"
        done
        printf 'round %s  %s %s  webserv %s (CPU %s us/request) nginx %s (CPU %s us/request)  webserv/nginx %s\n' "$round" "$name" \
            "$( [ "$unit" = mb ] && echo MB/s || echo req/s)" "${rate[webserv]}" "${cpu[webserv]}" "${rate[nginx]}" "${cpu[nginx]}" \
            "$(ratio "${rate[webserv]}" "${rate[nginx]}")"
        echo "$name|$(ratio "${rate[webserv]}" "${rate[nginx]}")" >> "$work/ratios"
        unset rate cpu
    done
done

print_medians "$work/ratios" "webserv/nginx "
