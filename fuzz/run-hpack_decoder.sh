#!/usr/bin/env bash
# Fuzzes hpack_decoder for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/hpack_decoder/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target hpack_decoder "${1:-60}"
