# Sourced by the bench scripts (from the package root).

# Installs Debian's packages for the tools named when one of them is missing.
need_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; return; }
    done
}

# The webserv binary to measure: $WEBSERV when set, else a release build in
# SCRATCH_PATH (default .build). Sets WEBSERV.
webserv_binary() {
    if [ -z "${WEBSERV:-}" ]; then
        local scratch=${SCRATCH_PATH:-.build}
        swift build -c release --product webserv --scratch-path "$scratch" >/dev/null
        WEBSERV=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/webserv
    fi
}

# A scratch folder, $work, with www/ and logs/ that nginx's unprivileged
# workers can read; on exit, the processes its pid files name are stopped and
# the folder goes.
make_work() {
    work=$(mktemp -d)
    trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
    mkdir -p "$work/www" "$work/logs"
    chmod 755 "$work" "$work/www"
}

# A / B with DIGITS decimals (default 2); n/a when B is 0 (nothing measured).
ratio() {
    python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.{sys.argv[3]}f}' if float(sys.argv[2]) else 'n/a')" "$1" "$2" "${3:-2}"
}

# The median of each label's ratios over the rounds, and their range, from
# FILE's LABEL|RATIO lines (n/a left out): "median of N rounds  LABEL  PREFIX1.02 (0.98-1.05)".
# With rounds interleaved, a slow spell of the machine moves one round, not the median.
print_medians() {
    python3 - "$1" "${2:-}" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, value = line.rstrip("\n").rsplit("|", 1)
    if value != "n/a":
        rows.setdefault(label, []).append(float(value))
for label, values in rows.items():
    values.sort()
    print(f"median of {len(values)} rounds  {label}  {sys.argv[2]}{statistics.median(values):.2f} ({values[0]:.2f}-{values[-1]:.2f})")
PY
}

# How the benchmarks' configurations begin (after a worker_processes line of
# their own): the events block and the http block's first lines, no access
# log, the error log under $work/logs.
webserv_conf_start() {
    printf 'events { worker_connections 20000; }\nhttp {\n    access_log off;\n    error_log %s/logs/webserv-error.log;\n' "$work"
}
nginx_conf_start() {
    printf 'pid %s/nginx.pid;\nerror_log %s/logs/nginx-error.log;\nevents { worker_connections 20000; }\nhttp {\n    access_log off;\n' "$work" "$work"
}

# A self-signed certificate for bench.test and 127.0.0.1 in $work (cert.pem,
# key.pem), its key made with the openssl options given (default: P-256, as
# certbot makes today).
make_certificate() {
    local options=("$@")
    [ ${#options[@]} -gt 0 ] || options=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    openssl req -x509 "${options[@]}" -nodes -days 365 -subj /CN=bench.test \
        -addext "subjectAltName=DNS:bench.test,IP:127.0.0.1" \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    chmod 600 "$work/key.pem"
}
