#!/usr/bin/env bash
# testssl.sh against webserv's default TLS configuration: a server with its
# certificate and key and nothing else (protocols, ciphers, cipher order,
# sessions all webserv's defaults). Prints every finding rated HIGH or
# CRITICAL (those about the self-signed certificate made here, its chain of
# trust and revocation, apart: they are not the server's TLS setup), the
# protocols offered and forward secrecy; then every TLS 1.2 cipher the server
# accepts, each tried alone with `openssl s_client`, and any without forward
# secrecy (testssl 3.0 lists none of them). Exits 1 on a HIGH or CRITICAL
# finding about the setup, a protocol other than TLS 1.2 and 1.3, or a cipher
# without forward secrecy; 2 when testssl (Debian's `testssl.sh` package) is
# missing. Takes a few minutes. Run by hand (bench/tls.sh runs it too); never by the tests.
#
#   bench/testssl.sh [HOST:PORT]
#
# With HOST:PORT it checks that server instead of starting one. WEBSERV=path
# chooses the binary (default .build/debug/webserv, else a release build),
# KEY=ec|rsa the certificate's key (ec: P-256, the default), PORT (18442) where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
need_tools openssl python3 curl
testssl=$(command -v testssl || command -v testssl.sh || true)
if [ -z "$testssl" ]; then
    echo "testssl: not installed (apt-get install testssl.sh)" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT

target=${1:-}
if [ -z "$target" ]; then
    if [ -z "${WEBSERV:-}" ] && [ -x .build/debug/webserv ]; then WEBSERV=$PWD/.build/debug/webserv; fi
    webserv_binary
    port=${PORT:-18442}
    case ${KEY:-ec} in
        ec) key_options=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
        rsa) key_options=(-newkey rsa:2048) ;;
        *) echo "KEY is ec or rsa" >&2; exit 2 ;;
    esac
    openssl req -x509 "${key_options[@]}" -nodes -days 365 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    chmod 600 "$work/key.pem"
    mkdir -p "$work/www" "$work/logs"
    echo hello > "$work/www/index.html"
    cat > "$work/webserv.conf" <<CONF
worker_processes 1;
error_log $work/logs/error.log;
events { }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port ssl;
        server_name localhost;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        root $work/www;
    }
}
CONF
    "$WEBSERV" "$work/webserv.conf" 2>"$work/webserv.err" & echo $! > "$work/webserv.pid"
    target=127.0.0.1:$port
    for _ in $(seq 50); do
        curl -sk -o /dev/null "https://$target/" && break
        kill -0 "$(cat "$work/webserv.pid")" 2>/dev/null || { cat "$work/webserv.err" >&2; exit 1; }
        sleep 0.2
    done
    echo "testssl: webserv $WEBSERV, its default TLS configuration, on $target (${KEY:-ec} certificate)"
fi

status=0
"$testssl" --quiet --color 0 --warnings off --jsonfile "$work/testssl.json" "$target" > "$work/testssl.txt" 2>&1 || true
python3 - "$work/testssl.json" "$target" <<'PY' || status=1
import json, sys
findings = json.load(open(sys.argv[1]))
# A self-signed certificate without CRL or OCSP: what testssl says of it is
# about the certificate made here, not the server's TLS setup.
about_certificate = lambda f: f["id"].startswith("cert") or f["id"] in ("chain_of_trust", "OCSP_stapling")
bad = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL")]
setup = [f for f in bad if not about_certificate(f)]
protocols = {f["id"]: f["finding"] for f in findings if f["id"] in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3")}
fs = next((f["finding"] for f in findings if f["id"] in ("FS", "PFS")), "?")
print(f"testssl ({sys.argv[2]}): HIGH or CRITICAL findings about the TLS setup: {len(setup)}")
for f in setup:
    print(f"  {f['severity']} {f['id']}: {f['finding']}")
for f in bad:
    if about_certificate(f):
        print(f"  (the self-signed certificate) {f['severity']} {f['id']}: {f['finding']}")
print("  protocols: " + ", ".join(f"{k} {v}" for k, v in protocols.items()))
print(f"  forward secrecy: {fs}")
others = [k for k, v in protocols.items() if k not in ("TLS1_2", "TLS1_3") and "not offered" not in v]
missing = [k for k in ("TLS1_2", "TLS1_3") if not protocols.get(k, "").startswith("offered")]
if others or missing:
    print(f"  protocols offered that should not be: {others}; not offered that should: {missing}")
sys.exit(1 if setup or others or missing else 0)
PY

# Forward secrecy with every cipher offered, asked of the server itself:
# each TLS 1.2 cipher OpenSSL knows, tried alone; TLS 1.3's suites always use (EC)DHE.
offered=(); without=()
while read -r name _ kx _; do
    if openssl s_client -connect "$target" -tls1_2 -cipher "$name:@SECLEVEL=0" </dev/null >/dev/null 2>&1; then
        offered+=("$name")
        case $kx in Kx=ECDH | Kx=DH) ;; *) without+=("$name ($kx)") ;; esac
    fi
done < <(openssl ciphers -v 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | awk '$2 == "TLSv1.2" || $2 == "SSLv3"')
echo "ciphers: TLS 1.2 offers ${#offered[@]}: ${offered[*]:-none}; without forward secrecy: ${without[*]:-none}"
[ ${#without[@]} -eq 0 ] || status=1
exit $status
