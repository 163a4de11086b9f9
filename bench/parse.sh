#!/usr/bin/env bash
# Times confcheck (release build) against `nginx -t` on one generated
# ~100k-line configuration. Run by hand; never by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-100000}
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx; }
swift build -c release --product confcheck >/dev/null
confcheck=$(swift build -c release --show-bin-path)/confcheck
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_config.py "$lines" "$work/big.conf"
mkdir -p "$work/logs"
echo "config: $(wc -l < "$work/big.conf") lines, $(du -h "$work/big.conf" | cut -f1)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() { # label command...
    local label=$1; shift
    for _ in 1 2 3 4 5; do
        local start end
        start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s.%N)
        echo "$end - $start" | bc -l
    done | median | xargs printf "%-28s %.3f s\n" "$label"
}
command -v bc >/dev/null || { apt-get install -y -qq bc >/dev/null; }
time_it "confcheck --syntax-only" "$confcheck" --syntax-only "$work/big.conf"
time_it "confcheck (full lint)" "$confcheck" "$work/big.conf"
time_it "confcheck --fmt --stdout" "$confcheck" --fmt --stdout "$work/big.conf"
time_it "nginx -t" nginx -t -q -p "$work" -c "$work/big.conf" -g "pid $work/nginx.pid; error_log $work/logs/error.log;"
