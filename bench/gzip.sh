#!/usr/bin/env bash
# gzip, webserv against nginx, same files, interleaved rounds, one worker each
# (wrk -c64, every request with Accept-Encoding: gzip):
#   - a 100 KB HTML file compressed at gzip_comp_level 1 and 6 (req/s; the
#     issue's goal: webserv/nginx >= 1.0 at both levels; webserv compresses
#     a whole file up to 512 KiB once per version and level, FileGzipCopies);
#   - a 1 MiB HTML file at level 1, over that bound: compressed on every
#     request by both (the same zlib at the same level: what compressing
#     itself costs each server);
#   - a small HTML file (4 KB, in webserv's small-file cache) with gzip and
#     without (req/s; goal: webserv with gzip >= webserv without, its
#     compressed copy being made once), nginx's two beside it;
# and, once, the compressed size of a 1 MiB text file at levels 1 and 6
# (goal: within 1% of nginx's).
# Run by hand; never by the tests. At the end, the median of each ratio over the rounds.
# ROUNDS (3), DURATION (10s); WEBSERV=path/to/webserv uses that binary,
# otherwise a release build is made in SCRATCH_PATH (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
source bench/common.sh
need_tools nginx wrk python3 curl
webserv_binary
webserv=$WEBSERV
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/logs"
chmod 755 "$work" "$work/www"   # nginx's workers run as an unprivileged user
# Text that compresses as pages do (words in varying order), not a run of one byte.
python3 - "$work/www" <<'PY'
import random, sys
random.seed(1)
words = "the server answers each request with a page of html text compressed on its way out".split()
def text(size):
    out, n = [], 0
    while n < size:
        line = "<p>" + " ".join(random.choice(words) for _ in range(12)) + "</p>\n"
        out.append(line)
        n += len(line)
    return "".join(out)[:size]
open(sys.argv[1] + "/page.html", "w").write(text(100_000))
open(sys.argv[1] + "/small.html", "w").write(text(4_096))
open(sys.argv[1] + "/mib.html", "w").write(text(1 << 20))
PY

# Both servers: /l1/ and /l6/ compress at level 1 and 6, /plain/ not at all.
locations() {
    echo "location /l1/ { alias $work/www/; gzip on; gzip_comp_level 1; }"
    echo "location /l6/ { alias $work/www/; gzip on; gzip_comp_level 6; }"
    echo "location /plain/ { alias $work/www/; gzip off; }"
}
cat > "$work/webserv.conf" <<CONF
events { worker_connections 20000; }
http {
    access_log off;
    error_log $work/logs/webserv-error.log;
    keepalive_timeout 300s;
    types { text/html html; }
    server { listen 127.0.0.1:18090; root $work/www; $(locations) }
}
CONF
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 20000; }
http {
    access_log off;
    sendfile on;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
    types { text/html html; }
    server { listen 127.0.0.1:18091; root $work/www; $(locations) }
}
CONF
"$webserv" "$work/webserv.conf" 2>/dev/null & echo $! > "$work/webserv.pid"
nginx -c "$work/nginx.conf" -p "$work"
sleep 1
port() { case $1 in webserv) echo 18090 ;; nginx) echo 18091 ;; esac; }

# Every URL answers 200, compressed where it should be, before anything is measured.
for server in webserv nginx; do
    for path in l1/page.html l6/page.html l1/small.html plain/small.html; do
        url=http://127.0.0.1:$(port $server)/$path
        encoding=$(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{http_code} %header{content-encoding}' "$url")
        want="200 gzip"; [[ $path == plain/* ]] && want="200 "
        [ "$encoding" = "$want" ] || { echo "$url answers '$encoding', not '$want': fix the setup first"; exit 1; }
    done
done

for level in 1 6; do
    w=$(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$(port webserv)/l$level/mib.html" | wc -c)
    n=$(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$(port nginx)/l$level/mib.html" | wc -c)
    python3 -c "import sys; w, n = int(sys.argv[1]), int(sys.argv[2]); print(f'1 MiB text at level {sys.argv[3]}: webserv {w} B, nginx {n} B, webserv/nginx {w / n:.4f}')" "$w" "$n" "$level"
done

rps() {
    local report
    report=$(wrk -t2 -c64 -d"$duration" -H 'Accept-Encoding: gzip' "$1")
    if grep -qE 'Non-2xx|Socket errors' <<<"$report"; then echo "warning: $1: $(grep -E 'Non-2xx|Socket errors' <<<"$report" | tr -s ' ')" >&2; fi
    awk '/Requests\/sec/ {print $2}' <<<"$report"
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

# Each round measures in a rotated order, so neither server is always first after a pause.
servers=(webserv nginx)
for round in $(seq "$rounds"); do
    for measure in l1/page.html l6/page.html l1/mib.html small; do
        declare -A result=()
        for offset in 0 1; do
            server=${servers[$(( (round - 1 + offset) % 2 ))]}
            if [ $measure = small ]; then
                result[$server]=$(rps "http://127.0.0.1:$(port $server)/l1/small.html")
                result[$server-plain]=$(rps "http://127.0.0.1:$(port $server)/plain/small.html")
            else
                result[$server]=$(rps "http://127.0.0.1:$(port $server)/$measure")
            fi
        done
        if [ $measure = small ]; then
            printf 'round %s  4 KB cached  req/s  webserv gzip %s plain %s  nginx gzip %s plain %s  webserv gzip/plain %s  webserv/nginx (gzip) %s\n' \
                "$round" "${result[webserv]}" "${result[webserv-plain]}" "${result[nginx]}" "${result[nginx-plain]}" \
                "$(ratio "${result[webserv]}" "${result[webserv-plain]}")" "$(ratio "${result[webserv]}" "${result[nginx]}")"
            echo "small-gzip/plain $(ratio "${result[webserv]}" "${result[webserv-plain]}")" >> "$work/ratios"
            echo "small-gzip/nginx $(ratio "${result[webserv]}" "${result[nginx]}")" >> "$work/ratios"
        else
            size="100 KB"; [[ $measure == */mib.html ]] && size="1 MiB"
            printf 'round %s  %s %s  req/s  webserv %s  nginx %s  webserv/nginx %s\n' \
                "$round" "$size" "${measure%%/*}" "${result[webserv]}" "${result[nginx]}" "$(ratio "${result[webserv]}" "${result[nginx]}")"
            echo "${size// /}-${measure%%/*}/nginx $(ratio "${result[webserv]}" "${result[nginx]}")" >> "$work/ratios"
        fi
        unset result
    done
done

python3 - "$work/ratios" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    key, value = line.split()
    rows.setdefault(key, []).append(float(value))
for key, values in rows.items():
    values.sort()
    print(f"median of {len(values)} rounds  {key}  {statistics.median(values):.2f} ({values[0]:.2f}-{values[-1]:.2f})")
PY
