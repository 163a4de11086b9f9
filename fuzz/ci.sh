#!/usr/bin/env bash
# CI smoke run: builds every fuzz target, fuzzes each for ${1:-8} seconds
# (about a minute in all), and replays fuzz/regressions/*.bin. Everything is
# written to a fresh temp dir, kept only when something fails. Exits non-zero
# if a build fails, a run finds a failure, or a regression input still fails.
set -euo pipefail
FUZZ_BUILD=$(mktemp -d "${TMPDIR:-/tmp}/webserv-fuzz-ci.XXXXXX")
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
seconds=${1:-8}
failures=()

for target in "${TARGETS[@]}"; do
    build_target "$target" || failures+=("build $target")
done

for target in "${TARGETS[@]}"; do
    [[ -x $FUZZ_BUILD/bin/$target ]] || continue
    log=$FUZZ_BUILD/$target.log
    if run_target "$target" "$seconds" > "$log" 2>&1; then
        echo "ok   $target: $(grep -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$') runs"
    else
        failures+=("fuzz $target")
        echo "FAIL $target (log: $log)"
        grep -E -A8 'PROPERTY FAILED|ERROR: (libFuzzer|AddressSanitizer)' "$log" | head -40 || true
    fi
    for input in "$FUZZ_DIR/regressions/$target"-*.bin; do
        [[ -e $input ]] || continue
        if ! "$FUZZ_BUILD/bin/$target" "$input" > "$log.regression" 2>&1; then
            failures+=("regression $(basename "$input")")
            echo "FAIL regression $(basename "$input")"
            grep -E -A4 'PROPERTY FAILED|ERROR:' "$log.regression" | head -20 || true
        fi
    done
done

if ((${#failures[@]})); then
    printf 'fuzz CI failed: %s\n' "${failures[@]}" >&2
    echo "build, logs and crash inputs kept in $FUZZ_BUILD" >&2
    exit 1
fi
rm -rf "$FUZZ_BUILD"
echo "fuzz CI passed"
