#!/usr/bin/env bash
# TLS: webserv against nginx with the same certificate, protocols and session
# settings (the issue's defaults: TLSv1.2 TLSv1.3, Mozilla's intermediate
# ciphers, a shared session cache, tickets), one worker each, interleaved rounds:
#   - bench/testssl.sh: testssl.sh against webserv's default TLS configuration
#     (no finding rated HIGH or CRITICAL, TLS 1.2 and 1.3 only, forward
#     secrecy; a message when the `testssl.sh` Debian package is not
#     installed; TESTSSL=0 skips it); then, for both servers here, every TLS
#     1.2 cipher the server accepts, and any without forward secrecy (tried one by one with s_client);
#   - keep-alive 612 B req/s and 1 MiB MB/s over TLS (wrk -c64, https);
#   - full and resumed handshakes per second (`openssl s_time -new` and
#     `-reuse`, each fetching the small file so a TLS 1.3 ticket arrives),
#     with each server's CPU time per handshake: both are bound by OpenSSL's
#     key exchange and signature, which these microseconds show;
#   - RSS per idle TLS keep-alive connection (bench/idle_tls_connections.py).
# Run by hand; never by the tests. At the end, the median of each ratio.
# ROUNDS (3), DURATION (10s), IDLE (2000), KEY=ec|rsa (ec: P-256, as certbot
# makes today; rsa: 2048 bits). ONLY=nginx runs nginx's side alone (to check
# the setup). WEBSERV=path/to/webserv uses that binary; otherwise a release
# build is made in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
seconds=${duration%s}
idle=${IDLE:-2000}
only=${ONLY:-}
source bench/common.sh
need_tools nginx wrk openssl python3 curl
servers=(webserv nginx)
if [ "$only" = nginx ]; then servers=(nginx); else webserv_binary; fi
make_work
head -c 612 /dev/zero | tr '\0' 'x' > "$work/www/small.html"
head -c 1048576 /dev/urandom > "$work/www/big.bin"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# One self-signed certificate for both, for bench.test and 127.0.0.1.
case ${KEY:-ec} in
    ec) key_options=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) key_options=(-newkey rsa:2048) ;;
    *) echo "KEY is ec or rsa" >&2; exit 2 ;;
esac
make_certificate "${key_options[@]}"

port() { case $1 in webserv) echo 18440 ;; nginx) echo 18441 ;; esac; }
# The TLS part, the same text for both: what the issue names as the defaults.
tls_settings() {
    cat <<CONF
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets on;
CONF
}
cat > "$work/webserv.conf" <<CONF
worker_processes 1;
$(webserv_conf_start)
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$(port webserv) ssl;
        server_name bench.test;
        root $work/www;
$(tls_settings)
    }
}
CONF
# nginx's default ssl_ciphers is "HIGH:!aNULL:!MD5"; Mozilla's intermediate
# profile, the one webserv defaults to, is written out for it.
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
$(nginx_conf_start)
    sendfile on;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$(port nginx) ssl;
        server_name bench.test;
        root $work/www;
$(tls_settings)
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers off;
    }
}
CONF
if [ "$only" != nginx ]; then
    "$WEBSERV" -t "$work/webserv.conf" || { echo "webserv refuses the configuration (does this build serve TLS?)"; exit 1; }
    "$WEBSERV" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
fi
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
for server in "${servers[@]}"; do
    for file in small.html big.bin; do
        url=https://127.0.0.1:$(port $server)/$file
        code=$(curl -sk -o /dev/null -w '%{http_code}' "$url" || true)
        [ "$code" = 200 ] || { echo "$url answers '$code', not 200: fix the setup first"; exit 1; }
    done
done

# testssl.sh against webserv's default TLS configuration (bench/testssl.sh
# starts its own, with only a certificate and key), or against nginx's here.
if [ "${TESTSSL:-1}" = 0 ]; then
    echo "testssl: skipped (TESTSSL=0)"
elif [ "$only" = nginx ]; then
    bench/testssl.sh "127.0.0.1:$(port nginx)" || true
else
    WEBSERV="$WEBSERV" KEY="${KEY:-ec}" bench/testssl.sh || true
fi

# Forward secrecy with every cipher offered, asked of the server itself
# (testssl 3.0 has no list of the ciphers offered without it): each TLS 1.2
# cipher OpenSSL knows is tried alone; TLS 1.3's suites always use (EC)DHE.
for server in "${servers[@]}"; do
    offered=(); without=()
    while read -r name _ kx _; do
        if openssl s_client -connect "127.0.0.1:$(port "$server")" -tls1_2 -cipher "$name:@SECLEVEL=0" </dev/null >/dev/null 2>&1; then
            offered+=("$name")
            case $kx in Kx=ECDH | Kx=DH) ;; *) without+=("$name ($kx)") ;; esac
        fi
    done < <(openssl ciphers -v 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | awk '$2 == "TLSv1.2" || $2 == "SSLv3"')
    echo "ciphers ($server): TLS 1.2 offers ${#offered[@]}: ${offered[*]:-none}; without forward secrecy: ${without[*]:-none}"
done

run_wrk() {
    local report
    report=$(wrk -t2 -c64 -d"$duration" "$1")
    if grep -qE 'Non-2xx|Socket errors' <<<"$report"; then echo "warning: $1: $(grep -E 'Non-2xx|Socket errors' <<<"$report" | tr -s ' ')" >&2; fi
    echo "$report"
}
rps() { run_wrk "https://127.0.0.1:$(port "$1")/small.html" | awk '/Requests\/sec/ {print $2}'; }
mbps() { run_wrk "https://127.0.0.1:$(port "$1")/big.bin" | awk '/Transfer\/sec/ {v=$2; if (v ~ /GB/) v*=1024; else if (v ~ /KB/) v/=1024; print v+0}'; }
# Handshakes per second (s_time's connections in real seconds), and in
# $work/cpu-$1 the server's CPU microseconds per handshake, user+system.
handshakes() {
    local mode=$2 before after report
    before=$(python3 bench/cpu_time.py pids "$(cat "$work/$1.pid")")
    report=$(openssl s_time -connect "127.0.0.1:$(port "$1")" "$mode" -time "$seconds" -www /small.html 2>/dev/null)
    after=$(python3 bench/cpu_time.py pids "$(cat "$work/$1.pid")")
    python3 - "$before" "$after" "$report" "$work/cpu-$1" <<'PY'
import re, sys
(u0, s0), (u1, s1) = (map(float, x.split()) for x in sys.argv[1:3])
match = re.search(r"(\d+) connections in (\d+) real seconds", sys.argv[3])
count, real = (int(match.group(1)), int(match.group(2))) if match else (0, 1)
with open(sys.argv[4], "w") as out:
    out.write(f"{(u1 - u0) * 1e6 / max(count, 1):.0f}+{(s1 - s0) * 1e6 / max(count, 1):.0f}")
print(f"{count / max(real, 1):.1f}")
PY
}

for round in $(seq "$rounds"); do
    for measure in rps mbps full resumed; do
        declare -A result=() cpu=()
        for offset in $(seq 0 $(( ${#servers[@]} - 1 ))); do
            server=${servers[$(( (round - 1 + offset) % ${#servers[@]} ))]}
            case $measure in
                rps) result[$server]=$(rps "$server") ;;
                mbps) result[$server]=$(mbps "$server") ;;
                full) result[$server]=$(handshakes "$server" -new); cpu[$server]=$(cat "$work/cpu-$server") ;;
                resumed) result[$server]=$(handshakes "$server" -reuse); cpu[$server]=$(cat "$work/cpu-$server") ;;
            esac
        done
        case $measure in
            rps) label="keep-alive 612 B req/s" ;; mbps) label="1 MiB MB/s" ;;
            full) label="full handshakes/s" ;; resumed) label="resumed handshakes/s" ;;
        esac
        line="round $round  $label "
        for server in "${servers[@]}"; do
            line+=" $server ${result[$server]}"
            [ -n "${cpu[$server]:-}" ] && line+=" (server CPU us/handshake ${cpu[$server]})"
        done
        if [ "$only" != nginx ]; then
            r=$(ratio "${result[webserv]}" "${result[nginx]}")
            line+="  webserv/nginx $r"
            echo "$label|$r" >> "$work/ratios"
        fi
        echo "$line"
        unset result cpu
    done
done
if [ -f "$work/ratios" ]; then
    print_medians "$work/ratios" "webserv/nginx "
fi

# Idle TLS keep-alive connections, on the processes that hold them.
nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
line="idle TLS keep-alive  RSS bytes per connection ($idle connections)"
[ "$only" = nginx ] || line+="  webserv $(python3 bench/idle_tls_connections.py "$(port webserv)" "$(cat "$work/webserv.pid")" "$idle")"
line+="  nginx $(python3 bench/idle_tls_connections.py "$(port nginx)" "$nginx_worker" "$idle")"
echo "$line"
