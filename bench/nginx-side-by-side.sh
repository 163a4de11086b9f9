#!/usr/bin/env bash
# The same configuration given to nginx and to webserv, on two ports, the
# same requests sent to both with curl, and the statuses and the fields that
# matter compared: a table, and exit 1 on any difference. Skips (exit 0) when
# nginx or curl is absent; never needed by `swift test`.
#
#   bench/nginx-side-by-side.sh            # webserv: $WEBSERV, else .build/debug/webserv, else a release build
#   KEEP=1 bench/nginx-side-by-side.sh     # keep the temporary folder (configurations, logs)
#
# Adding a directive: one location in CONFIG below (valid for both servers)
# and one line per request in CASES. Requests come from 127.0.0.1, or from
# ::1 when a case's arguments start with @v6.
set -u
cd "$(dirname "$0")/.."

command -v nginx >/dev/null || { echo "nginx-side-by-side: nginx is not installed; skipped"; exit 0; }
command -v curl >/dev/null || { echo "nginx-side-by-side: curl is not installed; skipped"; exit 0; }
if [ -z "${WEBSERV:-}" ] && [ -x .build/debug/webserv ]; then WEBSERV=$PWD/.build/debug/webserv; fi
if [ -z "${WEBSERV:-}" ]; then . bench/common.sh; webserv_binary; fi

WORK=$(mktemp -d /tmp/side-by-side.XXXXXX)
chmod 755 "$WORK"   # nginx's workers (nobody) read the files
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The site both serve.
mkdir -p "$WORK/www/both" "$WORK/www/six" "$WORK/www/nosix" "$WORK/www/paged" "$WORK/www/files" "$WORK/www/private" "$WORK/www/lan" "$WORK/www/local" "$WORK/www/either" \
         "$WORK/www/cached" "$WORK/www/dead" "$WORK/www/nobody" "$WORK/www/headers" "$WORK/www/spa" "$WORK/www/strict"
for folder in files private lan local either cached dead nobody six nosix paged both headers spa strict; do echo "$folder" > "$WORK/www/$folder/a.txt"; done
echo "index" > "$WORK/www/index.html"
echo "denied page" > "$WORK/www/denied.html"
# alice:wonderland (apr1), bob:builder (SHA-512 crypt), carol:looking-glass ({SHA}), dave:hunter2 (bcrypt).
{
    echo "alice:$(openssl passwd -apr1 -salt sAlT1234 wonderland)"
    echo "bob:$(openssl passwd -6 -salt saltsalt builder)"
    echo "carol:{SHA}$(printf '%s' looking-glass | openssl dgst -sha1 -binary | base64)"
    echo "dave:\$2y\$05\$0123456789abcdefghijkezUgIbSggCpWorCPjVZj7Y5z/jqErOkG"
} > "$WORK/htpasswd"
chmod 644 "$WORK/htpasswd"

# One configuration, two ports: PORT and PREFIX differ.
CONFIG='
daemon off;
error_log PREFIX/error.log info;
pid PREFIX/pid;
events { }
http {
    access_log PREFIX/access.log;
    map $http_x_tier $tier { default free; gold paid; ~^plat platinum; }
    server {
        listen 127.0.0.1:PORT;
        listen [::1]:PORT;
        root WORK/www;
        # return and error_page
        location = /moved { return 301 /files/a.txt; }
        location = /found { return 302 https://example.com/x; }
        location = /teapot { return 418; }
        location = /gone { error_page 410 /denied.html; return 410; }
        # expires
        location /cached/ { expires 1h; }
        location /dead/ { expires epoch; }
        # allow / deny
        location /local/ { allow 127.0.0.1; deny all; }
        location /nobody/ { error_page 403 /denied.html; deny 127.0.0.0/8; allow all; }
        location /lan/ { allow 10.0.0.0/8; deny all; }
        location /six/ { allow ::1; deny all; }
        location /nosix/ { deny ::1; deny ::ffff:127.0.0.1; }
        location = /denied.html { }
        # auth_basic and satisfy
        location /private/ { auth_basic "Staff only"; auth_basic_user_file WORK/htpasswd; }
        location /either/ {
            satisfy any;
            allow 10.0.0.0/8;
            deny all;
            auth_basic "Staff";
            auth_basic_user_file WORK/htpasswd;
        }
        location /paged/ { error_page 401 /denied.html; auth_basic "Paged"; auth_basic_user_file WORK/htpasswd; }
        location /both/ { allow 10.0.0.0/8; deny all; auth_basic "Both"; auth_basic_user_file WORK/htpasswd; }
        location /lost/ { auth_basic "Lost"; auth_basic_user_file WORK/missing; }
        # add_header
        location /headers/ { add_header X-Frame-Options DENY always; add_header Cache-Control "max-age=60"; }
        location = /headers-404 { add_header X-Only-Ok yes; add_header X-Always yes always; return 404; }
        # try_files
        location /spa/ { try_files $uri $uri/ /index.html; }
        location /strict/ { try_files $uri =404; }
        # variables, map, set (gzip: bench/gzip_compare.py)
        location = /https { return 301 https://$host$request_uri; }
        location = /tier { set $greeting "hello $arg_name"; add_header X-Tier $tier always; add_header X-Greeting $greeting always; return 204; }
    }
}'

# name | path | curl arguments | fields compared besides the status
CASES=(
    "return 301|/moved||Location"
    "return 302 URL|/found||Location"
    "return 418|/teapot||"
    "error_page + return|/gone||"
    "static file|/files/a.txt||Content-Type Content-Length"
    "expires 1h|/cached/a.txt||Cache-Control"
    "expires epoch|/dead/a.txt||Cache-Control Expires"
    "allow 127.0.0.1|/local/a.txt||"
    "deny + error_page 403|/nobody/a.txt||Content-Length"
    "deny all|/lan/a.txt||"
    "allow ::1, from ::1|/six/a.txt|@v6|"
    "allow ::1, from 127.0.0.1|/six/a.txt||"
    "deny ::1, from ::1|/nosix/a.txt|@v6|"
    "deny mapped, from 127.0.0.1|/nosix/a.txt||"
    "auth_basic, none|/private/a.txt||WWW-Authenticate"
    "auth_basic apr1|/private/a.txt|-u alice:wonderland|Content-Length"
    "auth_basic sha512|/private/a.txt|-u bob:builder|"
    "auth_basic {SHA}|/private/a.txt|-u carol:looking-glass|"
    "auth_basic bcrypt|/private/a.txt|-u dave:hunter2|"
    "auth_basic wrong|/private/a.txt|-u alice:nope|WWW-Authenticate"
    "auth_basic unknown user|/private/a.txt|-u mallory:x|"
    "auth_basic bad header|/private/a.txt|-H Authorization:_Basic_!!!|"
    "satisfy any, no password|/either/a.txt||WWW-Authenticate"
    "satisfy any, password|/either/a.txt|-u bob:builder|"
    "satisfy all, denied, none|/both/a.txt||WWW-Authenticate"
    "satisfy all, denied, password|/both/a.txt|-u bob:builder|"
    "auth_basic + error_page 401|/paged/a.txt||WWW-Authenticate Content-Length"
    "user file missing|/lost/a.txt|-u alice:wonderland|"
    "user file missing, none|/lost/a.txt||"
    "HEAD auth_basic|/private/a.txt|-I|WWW-Authenticate"
    "add_header always|/headers/a.txt||X-Frame-Options Cache-Control"
    "add_header on 404|/headers-404||X-Only-Ok X-Always"
    "try_files the file|/spa/a.txt||Content-Length"
    "try_files fallback|/spa/route/x||Content-Length"
    "try_files =404|/strict/none||"
    "return with variables|/https?x=1|-H Host:_shop.example|Location"
    "map default|/tier||X-Tier"
    "map exact key|/tier|-H X-Tier:_GOLD|X-Tier"
    "map regex key|/tier|-H X-Tier:_platinum+|X-Tier"
    "set with a variable|/tier?name=ann||X-Greeting"
)

start() {   # start NAME COMMAND...: runs it in the background, waits for its port
    local name=$1 port=$2; shift 2
    "$@" >"$WORK/$name.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
        sleep 0.1
    done
    echo "nginx-side-by-side: $name did not start:"; cat "$WORK/$name.out"; exit 2
}

NGINX_PORT=$(free_port)
WEBSERV_PORT=$(free_port)
mkdir -p "$WORK/nginx" "$WORK/webserv/logs"
for side in nginx webserv; do
    port=$NGINX_PORT; [ "$side" = webserv ] && port=$WEBSERV_PORT
    printf '%s\n' "$CONFIG" | sed -e "s|PREFIX|$WORK/$side|g" -e "s|PORT|$port|g" -e "s|WORK|$WORK|g" > "$WORK/$side/$side.conf"
done
start nginx "$NGINX_PORT" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/"
start webserv "$WEBSERV_PORT" "$WEBSERV" "$WORK/webserv/webserv.conf"

# What one answer says: the status, then NAME=value for each field asked for.
answer() {   # answer PORT PATH ARGS FIELDS
    local port=$1 path=$2 args=$3 fields=$4 head status out field value
    # Arguments are words; '_' stands for a space inside one.
    local -a words=()
    local host=127.0.0.1
    for word in $args; do
        if [ "$word" = @v6 ]; then host='[::1]'; continue; fi
        words+=("${word//_/ }")
    done
    if [ "${words[0]:-}" = "-I" ]; then
        head=$(curl -s -g -I "${words[@]:1}" "http://$host:$port$path" | tr -d '\r')
    else
        head=$(curl -s -g -o /dev/null -D - "${words[@]}" "http://$host:$port$path" | tr -d '\r')
    fi
    status=$(printf '%s\n' "$head" | head -1 | cut -d' ' -f2)
    out=$status
    for field in $fields; do
        value=$(printf '%s\n' "$head" | grep -i "^$field:" | head -1 | cut -d' ' -f2-)
        # Times differ by the second they were made: Expires is compared as set or not, unless it is the epoch.
        if [ "$field" = Expires ] && [ -n "$value" ] && [ "$value" != "Thu, 01 Jan 1970 00:00:01 GMT" ]; then value=set; fi
        # A redirect's port is each server's own.
        value=${value//:$port/:PORT}
        out="$out $field=${value:-(none)}"
    done
    printf '%s' "$out"
}

differences=0
printf '%-26s %-16s %-44s %-44s %s\n' CASE PATH NGINX WEBSERV ""
for case in "${CASES[@]}"; do
    IFS='|' read -r name path args fields <<<"$case"
    expected=$(answer "$NGINX_PORT" "$path" "$args" "$fields")
    actual=$(answer "$WEBSERV_PORT" "$path" "$args" "$fields")
    mark=same
    if [ "$expected" != "$actual" ]; then mark=DIFFERENT; differences=$((differences + 1)); fi
    printf '%-26s %-16s %-44s %-44s %s\n' "$name" "$path" "$expected" "$actual" "$mark"
done
echo
if [ "$differences" -gt 0 ]; then
    echo "$differences difference(s); logs in $WORK (KEEP=1 keeps them)"
    exit 1
fi
echo "all ${#CASES[@]} cases answer the same"
