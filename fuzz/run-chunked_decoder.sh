#!/usr/bin/env bash
# Fuzzes chunked_decoder for ${1:-60} seconds; failures go to ${FUZZ_BUILD:-/tmp/webserv-fuzz}/artifacts/chunked_decoder/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_target chunked_decoder "${1:-60}"
