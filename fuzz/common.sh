#!/usr/bin/env bash
# Shared by run-*.sh and ci.sh: builds a libFuzzer target outside the repo
# (${FUZZ_BUILD:-/tmp/webserv-fuzz}) and runs it on a corpus made from the seeds.
set -euo pipefail

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$FUZZ_DIR")
FUZZ_BUILD=${FUZZ_BUILD:-/tmp/webserv-fuzz}
SWIFTC=${SWIFTC:-swiftc}
TARGETS=(request_head chunked_decoder multipart cgi_response upstream_response fastcgi_records h2_frames hpack_decoder config_parser formatter tls_server_name)
# Swift's own crash backtracer would take over libFuzzer's crash handling (and hang there).
export SWIFT_BACKTRACE=enable=no

# The sources compiled into a target: its module's files (for webserv only the
# ones the parsers need: main.swift is top-level code and the rest needs the
# event loop; the request path normaliser is ConfLang's, shared with
# `confcheck --explain`), the shared harness helpers, and the target.
target_sources() {
    local web=$REPO/Sources/webserv
    case $1 in
    config_parser | formatter)
        find "$REPO/Sources/ConfLang" -name '*.swift' | LC_ALL=C sort ;;
    tls_server_name)
        # The server a TLS client's name chooses is Routing's, so ConfLang comes too.
        find "$REPO/Sources/ConfLang" -name '*.swift' | LC_ALL=C sort
        echo "$web/TLS/TLSServerName.swift" ;;
    fastcgi_records)
        printf '%s\n' "$web/Upstream/FastCGI/FastCGIEncoder.swift" "$web/Upstream/FastCGI/FastCGIDecoder.swift" \
            "$FUZZ_DIR/targets/Support/SplitInput.swift" ;;
    h2_frames)
        # The HTTP/2 layer is pure and self-contained, HPACK included (in HTTP2/, or a folder of its own).
        local dirs=("$web/HTTP2")
        if [[ -d $web/HPACK ]]; then dirs+=("$web/HPACK"); fi
        find "${dirs[@]}" -name '*.swift' | LC_ALL=C sort
        echo "$FUZZ_DIR/targets/Support/SplitInput.swift" ;;
    hpack_decoder)
        # HPACK is pure: its folder and nothing else.
        find "$web/HTTP2/HPACK" -name '*.swift' | LC_ALL=C sort
        echo "$FUZZ_DIR/targets/Support/SplitInput.swift" ;;
    *)
        printf '%s\n' "$web/HTTP/RequestParser.swift" "$web/HTTP/RequestHead.swift" \
            "$REPO/Sources/ConfLang/Routing/PathNormalizer.swift" "$web/HTTP/ChunkedDecoder.swift" \
            "$web/Handlers/Uploads/MultipartParser.swift" "$web/Handlers/CGI/CGIResponseParser.swift" \
            "$web/Handlers/Proxy/UpstreamResponseParser.swift" "$web/Upstream/UpstreamHeader.swift" \
            "$FUZZ_DIR/targets/Support/SplitInput.swift" "$FUZZ_DIR/targets/Support/HeadFeeding.swift" ;;
    esac
    echo "$FUZZ_DIR/targets/$1.swift"
}

module_name() {
    case $1 in config_parser | formatter | tls_server_name) echo ConfLang ;; *) echo webserv ;; esac
}

# Builds $FUZZ_BUILD/bin/<target> unless it is newer than all its sources.
build_target() {
    local name=$1 binary=$FUZZ_BUILD/bin/$1 sources
    mapfile -t sources < <(target_sources "$name")
    if [[ -x $binary ]] && [[ -z $(find "${sources[@]}" -newer "$binary") ]]; then return 0; fi
    mkdir -p "$FUZZ_BUILD/bin"
    echo "building $name" >&2
    # gold warns about every ASan symbol it cannot export: noise, filtered out.
    if ! "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -module-name "$(module_name "$name")" \
        "${sources[@]}" -o "$binary" 2> "$FUZZ_BUILD/bin/$name.log"; then
        grep -v 'Cannot export local symbol' "$FUZZ_BUILD/bin/$name.log" >&2
        rm -f "$binary"
        return 1
    fi
}

# Fills $FUZZ_BUILD/corpus/<target> from the seeds (kept between runs, so the corpus grows).
prepare_corpus() {
    local name=$1 corpus=$FUZZ_BUILD/corpus/$1 file
    mkdir -p "$corpus"
    case $name in
    tls_server_name)
        # Plain payloads: the first byte is the connection's first, the rest a server name.
        cp "$FUZZ_DIR/seeds/$name"/* "$corpus/" ;;
    hpack_decoder)
        # Whole inputs, SplitInput header included: its piece lengths are the
        # lengths of the RFC's blocks, which share one dynamic table.
        cp "$FUZZ_DIR/seeds/$name"/* "$corpus/" ;;
    config_parser | formatter)
        # The configuration fixtures, flattened to unique names.
        while IFS= read -r file; do
            cp "$file" "$corpus/fixture-$(echo "${file#"$REPO"/}" | tr / _)"
        done < <(find "$REPO/Tests/Fixtures" "$REPO/conf-examples" -name '*.conf')
        cp "$FUZZ_DIR/seeds/$name"/* "$corpus/" ;;
    *)
        # Committed seeds are plain payloads; the SplitInput header (2 piece
        # lengths: 1 and 7 bytes, option 0) is added here so they stay readable.
        for file in "$FUZZ_DIR/seeds/$name"/*; do
            { printf '\x02\x00\x06'; cat "$file"; } > "$corpus/seed-$(basename "$file")"
        done ;;
    esac
}

# run_target <target> <seconds> [libFuzzer options...]: exits non-zero on a failure.
run_target() {
    local name=$1 seconds=$2 dict=$FUZZ_DIR/dicts/$1.dict
    shift 2
    # The two configuration targets share one dictionary.
    case $name in config_parser | formatter) dict=$FUZZ_DIR/dicts/config.dict ;; esac
    build_target "$name" || return
    prepare_corpus "$name"
    mkdir -p "$FUZZ_BUILD/artifacts/$name"
    "$FUZZ_BUILD/bin/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/artifacts/$name/" -dict="$dict" "$@" \
        "$FUZZ_BUILD/corpus/$name"
}
